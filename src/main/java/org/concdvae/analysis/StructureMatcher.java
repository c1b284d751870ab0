package org.concdvae.analysis;

import org.concdvae.crystal.Composition;
import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.LatticeMappings;
import org.concdvae.crystal.NiggliReduction;
import org.concdvae.crystal.PbcShortestVectors;
import org.concdvae.crystal.PrimitiveCell;
import org.concdvae.crystal.Structure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Crystal-structure similarity as pymatgen's {@code StructureMatcher} (2022.11.7) computes it with the species
 * comparator, primitive_cell = true (pymatgen's own primitive search), scale = true, attempt_supercell = false and
 * allow_subset = false:
 * <ol>
 *   <li>both structures are Niggli reduced, then reduced to pymatgen's primitive cell; sizes must agree;</li>
 *   <li>both lattices are scaled to the same volume (geometric mean);</li>
 *   <li>every lattice of structure 1 whose vectors match the lengths (relative {@code ltol}) and angles
 *       ({@code angle_tol} degrees) of structure 2 is tried ({@code Lattice.find_all_mappings}), in an average
 *       lattice; for each translation that superposes a site of the rarest species, a site-by-site check within the
 *       fractional tolerance is followed by a linear assignment on squared periodic distances;</li>
 *   <li>distances are normalised by (V/n)^(1/3).</li>
 * </ol>
 * {@link #fit} accepts the first mapping whose LARGEST normalised distance is below {@code stol};
 * {@link #getRmsDist} minimises the RMS distance over all mappings and accepts when that RMS is below
 * {@code stol} (so it can return a result for a pair that {@code fit} rejects), exactly as pymatgen does.
 */
public final class StructureMatcher {
    public static final double DEFAULT_LTOL = 0.2;
    public static final double DEFAULT_STOL = 0.3;
    public static final double DEFAULT_ANGLE_TOL = 5.0;

    private final double ltol, stol, angleTol;

    /** pymatgen's defaults: ltol 0.2, stol 0.3, angle_tol 5. */
    public StructureMatcher() { this(DEFAULT_LTOL, DEFAULT_STOL, DEFAULT_ANGLE_TOL); }

    public StructureMatcher(double ltol, double stol, double angleTol) {
        if (!(ltol > 0) || !(stol > 0) || !(angleTol > 0) || !Double.isFinite(ltol + stol + angleTol)) {
            throw new IllegalArgumentException("tolerances must be positive: ltol=" + ltol + " stol=" + stol + " angle_tol=" + angleTol);
        }
        this.ltol = ltol;
        this.stol = stol;
        this.angleTol = angleTol;
    }

    /** The settings of CDVAE's reconstruction metric: ltol 0.3, stol 0.5, angle_tol 10. */
    public static StructureMatcher cdvae() { return new StructureMatcher(0.3, 0.5, 10); }

    public double ltol() { return ltol; }

    public double stol() { return stol; }

    public double angleTol() { return angleTol; }

    /** Normalised RMS and largest displacement of the best mapping (pymatgen {@code get_rms_dist}). */
    public record RmsDist(double rms, double maxDist) {}

    /** A structure reduced once for repeated matching (Niggli cell, then pymatgen's primitive cell). */
    public static final class Prepared {
        private final Structure reduced;
        private final Composition reducedComposition;
        private final int[] sortedSpecies;

        private Prepared(Structure reduced) {
            this.reduced = reduced;
            this.reducedComposition = reduced.composition().reduced();
            this.sortedSpecies = reduced.atomicNumbers();
            Arrays.sort(sortedSpecies);
        }

        /** The primitive, Niggli-reduced structure the matcher works on. */
        public Structure structure() { return reduced; }

        public Composition reducedComposition() { return reducedComposition; }
    }

    /**
     * Reduces a structure for matching. Throws {@link InvalidStructureException} for an empty structure or a
     * degenerate lattice.
     */
    public Prepared prepare(Structure s) {
        if (s.size() == 0) throw new InvalidStructureException("structure has no sites");
        if (s.lattice().isDegenerate() || !(s.volume() > 1e-6)) {
            throw new InvalidStructureException("degenerate lattice (volume " + s.volume() + " Å³)");
        }
        Structure niggli = NiggliReduction.reducedStructure(s);
        return new Prepared(PrimitiveCell.find(niggli));
    }

    /** pymatgen {@code fit(a, b)}. */
    public boolean fit(Structure a, Structure b) {
        if (!a.composition().reduced().equals(b.composition().reduced())) return false;
        return fit(prepare(a), prepare(b));
    }

    /** {@code fit} on prepared structures (pymatgen's {@code skip_structure_reduction=True}). */
    public boolean fit(Prepared a, Prepared b) {
        if (!a.reducedComposition.equals(b.reducedComposition)) return false;
        Match m = match(a, b, false);
        return m != null && m.val <= stol;
    }

    /** pymatgen {@code get_rms_dist(a, b)}; null when no mapping has an RMS below stol. */
    public RmsDist getRmsDist(Structure a, Structure b) { return getRmsDist(prepare(a), prepare(b)); }

    public RmsDist getRmsDist(Prepared a, Prepared b) {
        Match m = match(a, b, true);
        if (m == null) return null;
        double max = 0;
        for (double d : m.dist) max = Math.max(max, d);
        return new RmsDist(m.val, max);
    }

    /**
     * Groups structures into sets of mutually matching ones, as pymatgen's {@code group_structures}: structures are
     * bucketed by reduced composition and primitive size; within a bucket the first unmatched structure takes every
     * remaining one that {@code fit}s it. Returns groups of input indices, in order of first appearance. Runs on
     * {@code threads} threads; the result does not depend on the thread count.
     */
    public List<List<Integer>> group(List<Structure> structures, int threads) {
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            Prepared[] prep = pool.submit(() -> IntStream.range(0, structures.size()).parallel()
                    .mapToObj(i -> prepare(structures.get(i))).toArray(Prepared[]::new)).get();
            Map<String, List<Integer>> buckets = new LinkedHashMap<>();
            for (int i = 0; i < prep.length; i++) {
                String key = prep[i].reducedComposition.formula() + "/" + prep[i].reduced.size();
                buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            }
            List<List<Integer>> bucketList = new ArrayList<>(buckets.values());
            List<List<List<Integer>>> perBucket = pool.submit(() -> bucketList.parallelStream()
                    .map(b -> groupBucket(b, prep)).toList()).get();
            List<List<Integer>> groups = new ArrayList<>();
            perBucket.forEach(groups::addAll);
            groups.sort((x, y) -> Integer.compare(x.get(0), y.get(0)));
            return groups;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    private List<List<Integer>> groupBucket(List<Integer> bucket, Prepared[] prep) {
        List<List<Integer>> out = new ArrayList<>();
        List<Integer> unmatched = new ArrayList<>(bucket);
        while (!unmatched.isEmpty()) {
            int ref = unmatched.remove(0);
            List<Integer> g = new ArrayList<>();
            g.add(ref);
            List<Integer> rest = new ArrayList<>();
            for (int i : unmatched) {
                if (fit(prep[ref], prep[i])) g.add(i); else rest.add(i);
            }
            unmatched = rest;
            out.add(g);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------------------

    private record Match(double val, double[] dist) {}

    private Match match(Prepared a, Prepared b, boolean useRms) {
        Structure s1 = a.reduced, s2 = b.reduced;
        int n = s1.size();
        // no subset / supercell matching: sizes and species multisets must agree (pymatgen's mask check)
        if (n != s2.size() || !Arrays.equals(a.sortedSpecies, b.sortedSpecies)) return null;

        // scale both lattices to the same volume
        double ratio = Math.pow(s2.volume() / s1.volume(), 1.0 / 6.0);
        double[][] m1 = s1.lattice().matrix(), m2 = s2.lattice().matrix();
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) { m1[i][j] *= ratio; m2[i][j] /= ratio; }
        Lattice l1 = Lattice.fromMatrix(m1), l2 = Lattice.fromMatrix(m2);
        double[] params2 = LatticeMappings.pymatgenParameters(l2);

        int[] z1 = s1.atomicNumbers(), z2 = s2.atomicNumbers();
        boolean[][] mask = new boolean[n][n]; // mask[i][j]: s2 site i may NOT pair with s1 site j
        int s2tInd = 0, bestCount = -1;
        for (int i = 0; i < n; i++) {
            int c = 0;
            for (int j = 0; j < n; j++) if (mask[i][j] = z2[i] != z1[j]) c++;
            if (c > bestCount) { bestCount = c; s2tInd = i; }
        }
        // translations: superpose the first site of s2's rarest species on every s1 site of that species
        final int t2 = s2tInd;
        int[] s1tInds = IntStream.range(0, n).filter(j -> z1[j] == z2[t2]).toArray();

        double[][] f2 = s2.fracCoords();
        double[][] cc = new double[n][];
        double[][] f1 = s1.fracCoords();
        for (int i = 0; i < n; i++) cc[i] = l1.toCartesian(f1[i]);

        final Match[] best = {null};
        final Match[] done = {null};
        final int[] s1t = s1tInds;
        LatticeMappings.findAll(l1, l2, ltol, angleTol, mp -> {
            if (Math.abs(Math.abs(det(mp.scale())) - 1) >= 0.5) return false;
            Lattice l = mp.aligned();
            double[][] inv = l.inverse();
            double[][] fc = new double[n][3];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 3; k++) {
                    double x = cc[i][0] * inv[0][k] + cc[i][1] * inv[1][k] + cc[i][2] * inv[2][k];
                    fc[i][k] = x - Math.floor(x);
                }
            }
            double[] p1 = LatticeMappings.pymatgenParameters(l);
            Lattice avg = Lattice.fromParameters((p1[0] + params2[0]) / 2, (p1[1] + params2[1]) / 2, (p1[2] + params2[2]) / 2,
                    (p1[3] + params2[3]) / 2, (p1[4] + params2[4]) / 2, (p1[5] + params2[5]) / 2);
            if (avg.isDegenerate()) return false;
            double normalization = Math.pow(n / avg.volume(), 1.0 / 3.0);
            double[] fracTol = reciprocalLengths(avg.matrix());
            for (int k = 0; k < 3; k++) fracTol[k] = fracTol[k] * stol / (Math.PI * normalization);
            Distances dists = null;
            for (int s1i : s1t) {
                double[] t = new double[3];
                for (int k = 0; k < 3; k++) t[k] = fc[s1i][k] - f2[t2][k];
                double[][] ts2 = new double[n][3];
                for (int i = 0; i < n; i++) for (int k = 0; k < 3; k++) ts2[i][k] = f2[i][k] + t[k];
                if (!isCoordSubsetPbc(ts2, fc, fracTol, mask)) continue;
                if (dists == null) dists = new Distances(avg, normalization);
                double[] dist = dists.cartDists(fc, ts2, mask);
                double val;
                if (useRms) {
                    double s = 0;
                    for (double d : dist) s += d * d;
                    val = Math.sqrt(s) / Math.sqrt(dist.length);
                } else {
                    val = 0;
                    for (double d : dist) val = Math.max(val, d);
                }
                if (best[0] == null || val < best[0].val) {
                    best[0] = new Match(val, dist);
                    if ((!useRms || val < 1e-5) && val < stol) {
                        done[0] = best[0];
                        return true;
                    }
                }
            }
            return false;
        });
        if (done[0] != null) return done[0];
        if (best[0] != null && best[0].val < stol) return best[0];
        return null;
    }

    /** Per average lattice: pymatgen's {@code _cart_dists} over {@code pbc_shortest_vectors} with its LLL tolerance. */
    private final class Distances {
        final PbcShortestVectors pbc;
        final double[] lllFracTol;
        final double normalization;

        Distances(Lattice avg, double normalization) {
            this.normalization = normalization;
            this.pbc = new PbcShortestVectors(avg);
            lllFracTol = reciprocalLengths(pbc.lllMatrix());
            for (int k = 0; k < 3; k++) lllFracTol[k] = lllFracTol[k] * stol / (Math.PI * normalization);
        }

        /** Normalised distances of the optimal pairing of s2 (rows) onto s1, after removing the mean shift. */
        double[] cartDists(double[][] s1, double[][] s2, boolean[][] mask) {
            int n = s2.length;
            double[][] fa = new double[n][], fb = new double[n][], ca = new double[n][], cb = new double[n][];
            for (int i = 0; i < n; i++) {
                fa[i] = pbc.toLll(s2[i]);
                fb[i] = pbc.toLll(s1[i]);
                ca[i] = pbc.wrappedCartesian(fa[i]);
                cb[i] = pbc.wrappedCartesian(fb[i]);
            }
            double[][] d2 = new double[n][n];
            double[][][] vec = new double[n][n][];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    boolean within = !mask[i][j];
                    if (within) { // pairs beyond the fractional tolerance in the LLL basis are skipped, as in pymatgen
                        for (int l = 0; l < 3; l++) {
                            double fd = fb[j][l] - fa[i][l];
                            if (Math.abs(fd - cRound(fd)) > lllFracTol[l]) { within = false; break; }
                        }
                    }
                    if (!within) {
                        d2[i][j] = 1e20;
                        vec[i][j] = new double[]{1e20, 1e20, 1e20};
                        continue;
                    }
                    vec[i][j] = new double[3];
                    d2[i][j] = pbc.shortest(ca[i], cb[j], vec[i][j]);
                }
            }
            int[] sol = LinearAssignment.solve(d2);
            double[] tr = new double[3];
            for (int i = 0; i < n; i++) for (int k = 0; k < 3; k++) tr[k] += vec[i][sol[i]][k];
            for (int k = 0; k < 3; k++) tr[k] /= n;
            double[] dist = new double[n];
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int k = 0; k < 3; k++) {
                    double d = vec[i][sol[i]][k] - tr[k];
                    s += d * d;
                }
                dist[i] = Math.sqrt(s) * normalization;
            }
            return dist;
        }
    }

    /** pymatgen's {@code is_coord_subset_pbc}: every subset site has an allowed superset site within tol per axis. */
    static boolean isCoordSubsetPbc(double[][] subset, double[][] superset, double[] tol, boolean[][] mask) {
        for (int i = 0; i < subset.length; i++) {
            boolean ok = false;
            for (int j = 0; j < superset.length && !ok; j++) {
                if (mask[i][j]) continue;
                ok = true;
                for (int k = 0; k < 3; k++) {
                    double d = subset[i][k] - superset[j][k];
                    if (Math.abs(d - cRound(d)) > tol[k]) { ok = false; break; }
                }
            }
            if (!ok) return false;
        }
        return true;
    }

    /** Lengths of the reciprocal lattice vectors including the 2π factor (pymatgen {@code reciprocal_lattice.abc}). */
    private static double[] reciprocalLengths(double[][] m) {
        double[][] inv = Lattice.fromMatrix(m).inverse();
        double[] r = new double[3];
        for (int k = 0; k < 3; k++) {
            double x = inv[0][k] * 2 * Math.PI, y = inv[1][k] * 2 * Math.PI, z = inv[2][k] * 2 * Math.PI;
            r[k] = Math.sqrt(x * x + y * y + z * z);
        }
        return r;
    }

    /** C's round(): halves away from zero. */
    static double cRound(double x) {
        double ax = Math.abs(x);
        double t = Math.floor(ax);
        if (ax - t >= 0.5) t += 1;
        return Math.copySign(t, x);
    }

    private static long det(int[][] s) {
        return (long) s[0][0] * ((long) s[1][1] * s[2][2] - (long) s[1][2] * s[2][1])
                - (long) s[0][1] * ((long) s[1][0] * s[2][2] - (long) s[1][2] * s[2][0])
                + (long) s[0][2] * ((long) s[1][0] * s[2][1] - (long) s[1][1] * s[2][0]);
    }
}
