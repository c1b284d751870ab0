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
    /** Elements in order of first appearance (pymatgen's dict order), which its formula sorting starts from. */
    private final List<Integer> appearance;

    private Composition(TreeMap<Integer, Integer> counts, List<Integer> appearance) {
        this.counts = counts;
        this.appearance = List.copyOf(appearance);
    }

    public static Composition of(int[] atomicNumbers) {
        TreeMap<Integer, Integer> c = new TreeMap<>();
        LinkedHashMap<Integer, Boolean> seen = new LinkedHashMap<>();
        for (int z : atomicNumbers) {
            c.merge(z, 1, Integer::sum);
            seen.put(z, Boolean.TRUE);
        }
        return new Composition(c, new ArrayList<>(seen.keySet()));
    }

    /** From counts; the map's iteration order is taken as the order of appearance. */
    public static Composition of(Map<Integer, Integer> countsByZ) {
        return new Composition(new TreeMap<>(countsByZ), new ArrayList<>(countsByZ.keySet()));
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
        return new Composition(r, appearance);
    }

    /** Elements ordered as pymatgen orders formulas: by Pauling electronegativity, then by symbol (no value: last). */
    public List<Integer> elementsByElectronegativity() {
        List<Integer> zs = new ArrayList<>(counts.keySet());
        zs.sort(ELECTRONEGATIVITY_ORDER);
        return zs;
    }

    /** pymatgen's element sort key [X, symbol]; elements without a Pauling value go last. */
    static final Comparator<Integer> ELECTRONEGATIVITY_ORDER = Comparator.<Integer>comparingDouble(z -> {
        double x = Element.of(z).electronegativity();
        return Double.isNaN(x) ? Double.POSITIVE_INFINITY : x;
    }).thenComparing(z -> Element.of(z).symbol());

    /** Full formula without spaces, e.g. {@code Sr2Ti2O6}, elements in electronegativity order. */
    public String formula() { return render(counts, elementsByElectronegativity(), false, ""); }

    /** pymatgen's {@code Composition.formula}: every amount written, space separated, e.g. {@code Sr2 Ti2 O6}. */
    public String formulaWithSpaces() {
        List<Integer> syms = new ArrayList<>(appearance);
        PythonSort.sort(syms, (a, b) -> Element.of(a).electronegativity() < Element.of(b).electronegativity(),
                ELECTRONEGATIVITY_ORDER);
        return render(counts, syms, true, " ");
    }

    /**
     * pymatgen's {@code Composition.reduced_formula}: counts divided by their gcd, elements by electronegativity, a
     * trailing polyanion grouped when its two elements differ by less than 1.65 in electronegativity and it repeats
     * ({@code Ca3(PO4)2}), and pymatgen's special cases for diatomic gases and peroxides/superoxides
     * ({@code O2}, {@code H2O2}, {@code LiO2}).
     */
    public String reducedFormula() {
        Reduced r = reduce(counts, appearance);
        String special = SPECIAL_FORMULAS.get(r.formula);
        return special != null ? special : r.formula;
    }

    /**
     * Formula units of the reduced formula in this composition, pymatgen's {@code get_reduced_composition_and_factor}
     * factor (halved for the special diatomic/peroxide formulas, truncated to an integer as CifWriter writes it).
     */
    public int reducedFormulaUnits() {
        Reduced r = reduce(counts, appearance);
        return SPECIAL_FORMULAS.containsKey(r.formula) ? r.factor / 2 : r.factor;
    }

    private static final Map<String, String> SPECIAL_FORMULAS = Map.ofEntries(
            Map.entry("LiO", "LiO2"), Map.entry("NaO", "NaO2"), Map.entry("KO", "KO2"), Map.entry("HO", "H2O2"),
            Map.entry("CsO", "CsO2"), Map.entry("RbO", "RbO2"), Map.entry("O", "O2"), Map.entry("N", "N2"),
            Map.entry("F", "F2"), Map.entry("Cl", "Cl2"), Map.entry("H", "H2"));

    private record Reduced(String formula, int factor) {}

    /** pymatgen {@code reduce_formula}, integer amounts. */
    private static Reduced reduce(Map<Integer, Integer> amounts, List<Integer> appearance) {
        List<Integer> syms = new ArrayList<>(appearance);
        PythonSort.sort(syms, Composition::keyLess, ELECTRONEGATIVITY_ORDER);
        int factor = 0;
        for (int c : amounts.values()) factor = gcd(factor, c);
        factor = Math.max(factor, 1);
        String polyanion = "";
        int n = syms.size();
        if (n >= 3) {
            double x1 = Element.of(syms.get(n - 1)).electronegativity();
            double x2 = Element.of(syms.get(n - 2)).electronegativity();
            if (x1 - x2 < 1.65) {
                Map<Integer, Integer> poly = new TreeMap<>();
                poly.put(syms.get(n - 2), amounts.get(syms.get(n - 2)) / factor);
                poly.put(syms.get(n - 1), amounts.get(syms.get(n - 1)) / factor);
                Reduced p = reduce(poly, syms.subList(n - 2, n));
                if (p.factor != 1) polyanion = "(" + p.formula + ")" + p.factor;
            }
        }
        List<Integer> head = polyanion.isEmpty() ? syms : syms.subList(0, n - 2);
        StringBuilder sb = new StringBuilder();
        for (int z : head) {
            sb.append(Element.of(z).symbol());
            int a = amounts.get(z) / factor;
            if (a != 1) sb.append(a);
        }
        return new Reduced(sb.append(polyanion).toString(), factor);
    }

    /** Python comparison of the keys [X, symbol]: symbols decide only when the values are equal (never for NaN). */
    private static boolean keyLess(int a, int b) {
        double xa = Element.of(a).electronegativity(), xb = Element.of(b).electronegativity();
        if (xa == xb) return Element.of(a).symbol().compareTo(Element.of(b).symbol()) < 0;
        return xa < xb;
    }

    private static String render(Map<Integer, Integer> c, List<Integer> order, boolean writeOnes, String sep) {
        StringBuilder sb = new StringBuilder();
        for (int z : order) {
            if (sb.length() > 0) sb.append(sep);
            sb.append(Element.of(z).symbol());
            int n = c.get(z);
            if (n != 1 || writeOnes) sb.append(n);
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
