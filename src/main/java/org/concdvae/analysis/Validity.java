package org.concdvae.analysis;

import org.concdvae.crystal.Composition;
import org.concdvae.crystal.Element;
import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Structure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validity of a crystal as CDVAE / Con-CDVAE compute it ({@code scripts/eval_utils.py}):
 * <ul>
 *   <li>structural: the smallest distance between two DISTINCT sites (pymatgen's distance matrix with the diagonal
 *       excluded, {@link Structure#minDistanceBetweenSites()}, so a site's own periodic images are ignored) is at least 0.5 Å, and the volume is at least
 *       0.1 Å³;</li>
 *   <li>compositional ({@code smact_validity}): a single element, or only metals, is valid; otherwise some
 *       combination of SMACT default oxidation states must make the gcd-reduced composition charge neutral and pass
 *       SMACT's Pauling electronegativity test (cations less electronegative than anions).</li>
 * </ul>
 * The element data are SMACT 2.2's (the version the CDVAE environments pin), shipped in {@code smact-elements.txt}.
 */
public final class Validity {
    /** CDVAE's structural cutoffs. */
    public static final double MIN_DISTANCE = 0.5, MIN_VOLUME = 0.1;

    /** Upper bound on oxidation-state combinations examined for one composition (bounded search). */
    static final long MAX_COMBINATIONS = 50_000_000L;

    /** The SMACT element table covers Z = 1..100. */
    static final int SMACT_MAX_Z = 100;
    private static final double[] PAULING = new double[Element.MAX_Z + 1];
    private static final boolean[] METAL = new boolean[Element.MAX_Z + 1];
    private static final int[][] OXIDATION = new int[Element.MAX_Z + 1][];

    static {
        try (InputStream in = Validity.class.getResourceAsStream("smact-elements.txt")) {
            if (in == null) throw new IllegalStateException("smact-elements.txt resource missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] t = line.trim().split("\\s+");
                int z = Element.fromSymbol(t[0]).z();
                PAULING[z] = t[1].equals("-") ? Double.NaN : Double.parseDouble(t[1]);
                METAL[z] = t[2].equals("y");
                int[] ox = new int[t.length - 3];
                for (int i = 3; i < t.length; i++) ox[i - 3] = Integer.parseInt(t[i]);
                OXIDATION[z] = ox;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int z = 1; z <= SMACT_MAX_Z; z++) {
            if (OXIDATION[z] == null) throw new IllegalStateException("smact-elements.txt lacks Z=" + z);
        }
        // elements SMACT has no data for: no oxidation state, not a metal, no electronegativity (composition invalid)
        for (int z = SMACT_MAX_Z + 1; z <= Element.MAX_Z; z++) {
            PAULING[z] = Double.NaN;
            OXIDATION[z] = new int[0];
        }
    }

    private Validity() {}

    /** Validity of one structure with its diagnostics. */
    public record Result(boolean structValid, boolean compValid, double minDist, double volume) {
        public boolean valid() { return structValid && compValid; }
    }

    public static Result check(Structure s) {
        double minDist = s.minDistanceBetweenSites();
        double volume = s.volume();
        boolean struct = structValid(minDist, volume);
        return new Result(struct, compositionValid(s.composition()), minDist, volume);
    }

    /** CDVAE's structure_validity; {@code minDist} NaN (one site) passes, as the diagonal is ignored. */
    public static boolean structValid(double minDist, double volume) {
        return !(minDist < MIN_DISTANCE) && !(volume < MIN_VOLUME) && Double.isFinite(volume);
    }

    public static boolean structureValid(Structure s) {
        return structValid(s.minDistanceBetweenSites(), s.volume());
    }

    /** CDVAE's smact_validity (Pauling test on, alloys allowed) of a composition. */
    public static boolean compositionValid(Composition c) {
        if (c.numElements() == 0) return false;
        // CDVAE orders the elements by atomic number and divides the counts by their gcd
        Map<Integer, Integer> reduced = c.reduced().counts();
        int n = reduced.size();
        int[] z = new int[n], count = new int[n];
        int k = 0;
        for (Map.Entry<Integer, Integer> e : reduced.entrySet()) { z[k] = e.getKey(); count[k] = e.getValue(); k++; }
        if (n == 1) return true;
        boolean allMetal = true;
        for (int zz : z) allMetal &= METAL[zz];
        if (allMetal) return true;

        long combos = 1;
        for (int zz : z) {
            if (OXIDATION[zz].length == 0) return false; // no oxidation state: no combination exists
            combos *= OXIDATION[zz].length;
            if (combos > MAX_COMBINATIONS) {
                throw new InvalidStructureException("composition " + c.formula() + " has more than " + MAX_COMBINATIONS
                        + " oxidation-state combinations; SMACT validity not evaluated");
            }
        }
        int[] idx = new int[n];
        int[] ox = new int[n];
        double[] eneg = new double[n];
        for (int i = 0; i < n; i++) eneg[i] = PAULING[z[i]];
        while (true) { // itertools.product order
            long charge = 0;
            for (int i = 0; i < n; i++) {
                ox[i] = OXIDATION[z[i]][idx[i]];
                charge += (long) ox[i] * count[i];
            }
            // neutral_ratios also requires gcd(count) == 1, true after reduction
            if (charge == 0 && paulingTest(ox, eneg)) return true;
            int p = n - 1;
            while (p >= 0 && ++idx[p] == OXIDATION[z[p]].length) { idx[p] = 0; p--; }
            if (p < 0) return false;
        }
    }

    /**
     * SMACT 2.2 {@code eneg_states_test} over element pairs in order, as CDVAE calls it: a comparison that would
     * involve a missing electronegativity raises TypeError in Python, which CDVAE treats as a pass; a pair with a
     * missing value that is not compared fails.
     */
    static boolean paulingTest(int[] ox, double[] eneg) {
        int n = ox.length;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int o1 = ox[i], o2 = ox[j];
                double e1 = eneg[i], e2 = eneg[j];
                boolean missing = Double.isNaN(e1) || Double.isNaN(e2);
                if (o1 > 0 && o2 < 0) {
                    if (missing) return true; // TypeError -> "assume it is okay"
                    if (e1 >= e2) return false;
                } else if (o1 < 0 && o2 > 0) {
                    if (missing) return true;
                    if (e1 <= e2) return false;
                } else if (missing) {
                    return false;
                }
            }
        }
        return true;
    }

    /** SMACT's default oxidation states of an element (for reports and tests). */
    public static List<Integer> oxidationStates(int z) {
        List<Integer> r = new ArrayList<>();
        for (int o : OXIDATION[Element.of(z).z()]) r.add(o);
        return r;
    }

    /** SMACT's Pauling electronegativity (NaN where SMACT has none). */
    public static double paulingElectronegativity(int z) { return PAULING[Element.of(z).z()]; }
}
