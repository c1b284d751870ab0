package org.concdvae.eval;

import org.concdvae.crystal.Structure;
import org.concdvae.graph.NeighborList;
import org.concdvae.graph.PymatgenNeighborOrder;

import java.util.Arrays;

/**
 * CGCNN's input graph of one crystal (generation.md §6.1; official {@code cgcnn/data.py CIFData}): for every site,
 * all periodic neighbours within {@link #RADIUS} Å as pymatgen's {@code get_all_neighbors(r=8)} lists them
 * ({@link PymatgenNeighborOrder}), sorted by distance with a stable sort, the first {@link #MAX_NEIGHBORS} kept; a
 * site with fewer is padded with neighbour 0 at distance {@link #PAD_DISTANCE}.
 * The structure is used as given (no Niggli or primitive reduction).
 *
 * <p>Ties: in symmetric crystals the 12th and 13th neighbours are often at the same distance, or 1 ulp apart, and the
 * stable sort then keeps whichever comes first. Reproducing the official graphs therefore needs pymatgen's candidate
 * order and its float64 distances bit for bit, which {@link PymatgenNeighborOrder} provides (and a lattice built as
 * pymatgen builds it, {@code Lattice.fromParameters}). {@link #boundaryTie} reports crystals where this matters.
 */
public final class CgcnnGraph {
    public static final double RADIUS = 8.0;
    public static final int MAX_NEIGHBORS = 12;
    public static final double PAD_DISTANCE = RADIUS + 1.0;
    /** Gaussian centres {@code 0, 0.2, …, 8.0} and width 0.2 (CGCNN's {@code GaussianDistance(dmin=0, dmax=8, step=0.2)}). */
    public static final double GAUSS_STEP = 0.2, GAUSS_WIDTH = 0.2;
    public static final int GAUSS_CENTERS = 41;

    private final int[] atomicNumbers;
    private final int[] neighbors;    // [n*12], local site indices
    private final double[] distances; // [n*12]
    private final double[] cutGaps;   // per site: 13th − 12th distance; +inf when the site has no 13th

    private CgcnnGraph(int[] atomicNumbers, int[] neighbors, double[] distances, double[] cutGaps) {
        this.atomicNumbers = atomicNumbers;
        this.neighbors = neighbors;
        this.distances = distances;
        this.cutGaps = cutGaps;
    }

    /** Builds the neighbour lists of {@code s} (single-threaded: callers parallelise over crystals). */
    public static CgcnnGraph of(Structure s) {
        int n = s.size();
        NeighborList nl = PymatgenNeighborOrder.find(s, RADIUS);
        int[] nb = new int[n * MAX_NEIGHBORS];
        double[] d = new double[n * MAX_NEIGHBORS];
        double[] gaps = new double[n];
        Arrays.fill(gaps, Double.POSITIVE_INFINITY);
        int keep = MAX_NEIGHBORS + 1;   // the 13th only for the tie gap
        int[] best = new int[keep];
        double[] bestD = new double[keep];
        for (int i = 0; i < n; i++) {
            // the first 13 of a stable sort by distance: an entry goes after every kept entry at a distance ≤ its own
            int kept = 0;
            for (int e = nl.start(i); e < nl.end(i); e++) {
                double de = nl.distance(e);
                if (kept == keep && !(de < bestD[keep - 1])) continue;
                int pos = kept == keep ? keep - 1 : kept++;
                while (pos > 0 && bestD[pos - 1] > de) {
                    best[pos] = best[pos - 1];
                    bestD[pos] = bestD[pos - 1];
                    pos--;
                }
                best[pos] = e;
                bestD[pos] = de;
            }
            for (int k = 0; k < MAX_NEIGHBORS; k++) {
                if (k < kept) {
                    nb[i * MAX_NEIGHBORS + k] = nl.neighbor(best[k]);
                    d[i * MAX_NEIGHBORS + k] = bestD[k];
                } else {
                    nb[i * MAX_NEIGHBORS + k] = 0;
                    d[i * MAX_NEIGHBORS + k] = PAD_DISTANCE;
                }
            }
            if (kept > MAX_NEIGHBORS) gaps[i] = bestD[MAX_NEIGHBORS] - bestD[MAX_NEIGHBORS - 1];
        }
        return new CgcnnGraph(s.atomicNumbers(), nb, d, gaps);
    }

    /**
     * Graphs of many structures in parallel on {@code threads}; a structure that fails (null entry, or an error while
     * building) gives a null graph and its one-line reason in {@code errors[i]} (which must have the same length).
     */
    public static CgcnnGraph[] ofAll(java.util.List<org.concdvae.crystal.Structure> structures, int threads, String[] errors) {
        CgcnnGraph[] out = new CgcnnGraph[structures.size()];
        org.concdvae.util.Parallel.forEach(out.length, threads, i -> {
            Structure s = structures.get(i);
            if (s == null) return;
            try {
                out[i] = of(s);
            } catch (RuntimeException e) {
                errors[i] = e.getMessage() == null ? e.toString() : e.getMessage();
            }
        });
        return out;
    }

    public int size() { return atomicNumbers.length; }

    public int[] atomicNumbers() { return atomicNumbers; }

    /** Neighbour site indices, {@code [n, 12]} row-major, local to the crystal. */
    public int[] neighbors() { return neighbors; }

    /** Neighbour distances (Å), {@code [n, 12]} row-major. */
    public double[] distances() { return distances; }

    /** The smallest gap between the 12th and 13th neighbour distance over the sites (+∞ if none has a 13th). */
    public double boundaryGap() {
        double g = Double.POSITIVE_INFINITY;
        for (double x : cutGaps) g = Math.min(g, x);
        return g;
    }

    /** The gap between site {@code i}'s 13th and 12th neighbour distance (+∞ if it has at most 12). */
    public double cutGap(int i) { return cutGaps[i]; }

    /** True when some site's 12th and 13th neighbours are within {@code tol} Å: the kept set depends on tie order. */
    public boolean boundaryTie(double tol) { return boundaryGap() <= tol; }

    /** The Gaussian expansion {@code exp(−(d − c_k)²/0.2²)} of one distance into {@code out[off..off+41)}. */
    public static void expand(double d, float[] out, int off) {
        for (int k = 0; k < GAUSS_CENTERS; k++) {
            double x = d - k * GAUSS_STEP;
            out[off + k] = (float) Math.exp(-x * x / (GAUSS_WIDTH * GAUSS_WIDTH));
        }
    }
}
