package org.concdvae.crystal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Element counts of a structure (integer amounts; ordered crystals only). Immutable. */
public final class Composition {
    private final TreeMap<Integer, Integer> counts; // Z -> count

    private Composition(TreeMap<Integer, Integer> counts) { this.counts = counts; }

    public static Composition of(int[] atomicNumbers) {
        TreeMap<Integer, Integer> c = new TreeMap<>();
        for (int z : atomicNumbers) c.merge(z, 1, Integer::sum);
        return new Composition(c);
    }

    public static Composition of(Map<Integer, Integer> countsByZ) {
        return new Composition(new TreeMap<>(countsByZ));
    }

    /** Z -> count, ascending Z. */
    public Map<Integer, Integer> counts() { return Collections.unmodifiableMap(counts); }

    public int count(int z) { return counts.getOrDefault(z, 0); }

    public int numAtoms() { return counts.values().stream().mapToInt(Integer::intValue).sum(); }

    public int numElements() { return counts.size(); }

    /** Z -> atomic fraction. */
    public Map<Integer, Double> fractional() {
        Map<Integer, Double> f = new LinkedHashMap<>();
        double n = numAtoms();
        counts.forEach((z, c) -> f.put(z, c / n));
        return f;
    }

    /** Greatest common divisor of the counts (the number of formula units). */
    public int formulaUnits() {
        int g = 0;
        for (int c : counts.values()) g = gcd(g, c);
        return Math.max(g, 1);
    }

    /** Counts divided by their gcd. */
    public Composition reduced() {
        int g = formulaUnits();
        TreeMap<Integer, Integer> r = new TreeMap<>();
        counts.forEach((z, c) -> r.put(z, c / g));
        return new Composition(r);
    }

    /** Elements ordered as pymatgen orders formulas: by Pauling electronegativity, then by symbol. */
    public List<Integer> elementsByElectronegativity() {
        List<Integer> zs = new ArrayList<>(counts.keySet());
        zs.sort(Comparator.<Integer>comparingDouble(z -> {
            double x = Element.of(z).electronegativity();
            return Double.isNaN(x) ? Double.POSITIVE_INFINITY : x;
        }).thenComparing(z -> Element.of(z).symbol()));
        return zs;
    }

    /** Full formula, e.g. {@code Sr2Ti2O6}, elements in electronegativity order. */
    public String formula() { return render(counts, elementsByElectronegativity()); }

    /** Reduced formula, e.g. {@code SrTiO3}, elements in electronegativity order. */
    public String reducedFormula() { return render(reduced().counts, elementsByElectronegativity()); }

    private static String render(Map<Integer, Integer> c, List<Integer> order) {
        StringBuilder sb = new StringBuilder();
        for (int z : order) {
            sb.append(Element.of(z).symbol());
            int n = c.get(z);
            if (n != 1) sb.append(n);
        }
        return sb.toString();
    }

    private static int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }

    @Override
    public boolean equals(Object o) { return o instanceof Composition c && counts.equals(c.counts); }

    @Override
    public int hashCode() { return counts.hashCode(); }

    @Override
    public String toString() { return formula(); }
}
