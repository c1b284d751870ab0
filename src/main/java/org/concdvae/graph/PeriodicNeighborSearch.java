package org.concdvae.graph;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.concdvae.util.Parallel;

import java.util.Arrays;

/**
 * Exact periodic neighbour search: every (i, j, image) with {@code 0 < d ≤ r} over all periodic images that can
 * reach the cutoff, including images of the center itself (the count of pymatgen's {@code get_all_neighbors(r)}).
 * The image range per axis is bounded by the cell's perpendicular widths: a vector whose fractional component
 * along axis k is x has length at least |x|·w_k, so only |f_j − f_i + n_k| ≤ r / w_k can matter.
 * Small cells use these per-pair bounds directly; cells with many sites bin the atoms into a grid of cells at
 * least r wide (a cell list) so that each center only visits nearby bins. Centers are processed in parallel.
 */
public final class PeriodicNeighborSearch {
    /** Distances at or below this (Å) count as the site itself and are excluded (pymatgen's numerical_tol). */
    public static final double SELF_TOLERANCE = 1e-8;
    /** Above this many sites the cell list is used. */
    static final int CELL_LIST_THRESHOLD = 64;

    private PeriodicNeighborSearch() {}

    public static NeighborList find(Structure s, double cutoff) {
        return find(s.lattice(), s.fracCoords(), cutoff, 1);
    }

    public static NeighborList find(Structure s, double cutoff, int threads) {
        return find(s.lattice(), s.fracCoords(), cutoff, threads);
    }

    /** Neighbours of all sites with fractional coordinates {@code frac} (need not be wrapped). */
    public static NeighborList find(Lattice lattice, double[][] frac, double cutoff, int threads) {
        return find(lattice, frac, cutoff, threads, frac.length > CELL_LIST_THRESHOLD);
    }

    static NeighborList find(Lattice lattice, double[][] frac, double cutoff, int threads, boolean cellList) {
        if (!(cutoff > 0) || !Double.isFinite(cutoff)) throw new IllegalArgumentException("cutoff must be positive, got " + cutoff);
        if (lattice.isDegenerate()) throw new InvalidStructureException("lattice has zero volume");
        int n = frac.length;
        double[] w = lattice.perpendicularWidths();
        double[][] m = lattice.matrix();
        // Work with coordinates wrapped into [0,1); remember the integer shift to report images of the input coords.
        double[] f = new double[3 * n];
        int[] shift = new int[3 * n];
        double[] cart = new double[3 * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                double x = frac[i][k];
                double fl = Math.floor(x);
                double wx = x - fl;
                if (wx >= 1.0) { wx = 0.0; fl += 1.0; }
                f[3 * i + k] = wx;
                shift[3 * i + k] = (int) fl;
            }
            for (int k = 0; k < 3; k++) {
                cart[3 * i + k] = f[3 * i] * m[0][k] + f[3 * i + 1] * m[1][k] + f[3 * i + 2] * m[2][k];
            }
        }
        double[] reach = {cutoff / w[0], cutoff / w[1], cutoff / w[2]};
        Search search = cellList ? new CellListSearch(n, f, reach) : null;
        Row[] rows = new Row[n];
        Parallel.forEach(n, n >= 8 ? threads : 1, i -> rows[i] = search == null
                ? direct(i, n, f, cart, m, reach, cutoff)
                : search.row(i, n, f, cart, m, cutoff));
        // Concatenate and translate images back to the caller's (unwrapped) coordinates.
        int[] offsets = new int[n + 1];
        for (int i = 0; i < n; i++) offsets[i + 1] = offsets[i] + rows[i].size;
        int total = offsets[n];
        int[] nb = new int[total];
        int[] img = new int[3 * total];
        double[] dist = new double[total];
        double[] vec = new double[3 * total];
        for (int i = 0; i < n; i++) {
            Row r = rows[i];
            int o = offsets[i];
            // the direct scan already emits (j, image) order; only the cell list needs sorting
            Integer[] order = null;
            if (!r.sorted()) {
                order = new Integer[r.size];
                for (int e = 0; e < r.size; e++) order[e] = e;
                Arrays.sort(order, (a, b) -> r.compare(a, b));
            }
            for (int q = 0; q < r.size; q++) {
                int e = order == null ? q : order[q];
                int j = r.j[e];
                nb[o + q] = j;
                for (int k = 0; k < 3; k++) {
                    // position of j's image in input coordinates: f_j - s_j + n = frac_j + (n - s_j); relative to
                    // center frac_i = f_i + s_i the image offset becomes n - s_j + s_i.
                    img[3 * (o + q) + k] = r.img[3 * e + k] - shift[3 * j + k] + shift[3 * i + k];
                    vec[3 * (o + q) + k] = r.vec[3 * e + k];
                }
                dist[o + q] = r.d[e];
            }
        }
        return new NeighborList(offsets, nb, img, dist, vec);
    }

    /** Per-pair image bounds: exact and fastest for the small cells of crystal data sets. */
    private static Row direct(int i, int n, double[] f, double[] cart, double[][] m, double[] reach, double cutoff) {
        Row row = new Row();
        double r2 = cutoff * cutoff;
        for (int j = 0; j < n; j++) {
            int[] lo = new int[3], hi = new int[3];
            for (int k = 0; k < 3; k++) {
                double d = f[3 * i + k] - f[3 * j + k];
                lo[k] = (int) Math.ceil(d - reach[k] - 1e-9);
                hi[k] = (int) Math.floor(d + reach[k] + 1e-9);
            }
            scanImages(row, i, j, cart, m, lo, hi, r2);
        }
        return row;
    }

    private static void scanImages(Row row, int i, int j, double[] cart, double[][] m, int[] lo, int[] hi, double r2) {
        double bx = cart[3 * j] - cart[3 * i], by = cart[3 * j + 1] - cart[3 * i + 1], bz = cart[3 * j + 2] - cart[3 * i + 2];
        for (int a = lo[0]; a <= hi[0]; a++) {
            double ax = bx + a * m[0][0], ay = by + a * m[0][1], az = bz + a * m[0][2];
            for (int b = lo[1]; b <= hi[1]; b++) {
                double cx = ax + b * m[1][0], cy = ay + b * m[1][1], cz = az + b * m[1][2];
                for (int c = lo[2]; c <= hi[2]; c++) {
                    double x = cx + c * m[2][0], y = cy + c * m[2][1], z = cz + c * m[2][2];
                    double d2 = x * x + y * y + z * z;
                    if (d2 <= r2) {
                        double d = Math.sqrt(d2);
                        if (d > SELF_TOLERANCE) row.add(j, a, b, c, d, x, y, z);
                    }
                }
            }
        }
    }

    private interface Search {
        Row row(int i, int n, double[] f, double[] cart, double[][] m, double cutoff);
    }

    /**
     * Cell list: {@code nb_k = max(1, floor(w_k / r))} bins per axis, each at least r wide (or the whole cell), so a
     * center only needs bins within {@code ceil(r / binWidth_k)} of its own, across periodic images.
     */
    private static final class CellListSearch implements Search {
        final int[] nbins = new int[3];
        final int[] span = new int[3];
        final int[] binStart;   // CSR over bins
        final int[] binAtoms;
        final int[] atomBin;    // 3 per atom

        CellListSearch(int n, double[] f, double[] reach) {
            for (int k = 0; k < 3; k++) {
                nbins[k] = Math.max(1, (int) Math.floor(1.0 / reach[k]));
                nbins[k] = Math.min(nbins[k], 1 << 10);
                span[k] = (int) Math.ceil(reach[k] * nbins[k] + 1e-9); // margin: never miss a bin to rounding
            }
            int total = nbins[0] * nbins[1] * nbins[2];
            atomBin = new int[3 * n];
            int[] count = new int[total + 1];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 3; k++) atomBin[3 * i + k] = Math.min(nbins[k] - 1, (int) (f[3 * i + k] * nbins[k]));
                count[flat(atomBin[3 * i], atomBin[3 * i + 1], atomBin[3 * i + 2]) + 1]++;
            }
            for (int b = 0; b < total; b++) count[b + 1] += count[b];
            binStart = count.clone();
            binAtoms = new int[n];
            int[] fill = Arrays.copyOf(count, total);
            for (int i = 0; i < n; i++) binAtoms[fill[flat(atomBin[3 * i], atomBin[3 * i + 1], atomBin[3 * i + 2])]++] = i;
        }

        int flat(int a, int b, int c) { return (a * nbins[1] + b) * nbins[2] + c; }

        @Override
        public Row row(int i, int n, double[] f, double[] cart, double[][] m, double cutoff) {
            Row row = new Row();
            double r2 = cutoff * cutoff;
            int[] lo = new int[3], hi = new int[3];
            for (int oa = -span[0]; oa <= span[0]; oa++) {
                int ga = atomBin[3 * i] + oa, ba = Math.floorMod(ga, nbins[0]), ia = Math.floorDiv(ga, nbins[0]);
                for (int ob = -span[1]; ob <= span[1]; ob++) {
                    int gb = atomBin[3 * i + 1] + ob, bb = Math.floorMod(gb, nbins[1]), ib = Math.floorDiv(gb, nbins[1]);
                    for (int oc = -span[2]; oc <= span[2]; oc++) {
                        int gc = atomBin[3 * i + 2] + oc, bc = Math.floorMod(gc, nbins[2]), ic = Math.floorDiv(gc, nbins[2]);
                        int bin = flat(ba, bb, bc);
                        lo[0] = hi[0] = ia;
                        lo[1] = hi[1] = ib;
                        lo[2] = hi[2] = ic;
                        for (int p = binStart[bin]; p < binStart[bin + 1]; p++) {
                            scanImages(row, i, binAtoms[p], cart, m, lo, hi, r2);
                        }
                    }
                }
            }
            return row;
        }
    }

    /** Neighbours of one centre, in search order until sorted. */
    private static final class Row extends NeighborBuffer {
        Row() { super(64); }

        int compare(int a, int b) {
            int c = Integer.compare(j[a], j[b]);
            for (int k = 0; c == 0 && k < 3; k++) c = Integer.compare(img[3 * a + k], img[3 * b + k]);
            return c;
        }

        boolean sorted() {
            for (int e = 1; e < size; e++) if (compare(e - 1, e) > 0) return false;
            return true;
        }
    }
}
