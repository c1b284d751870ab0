package org.concdvae.graph;

import org.concdvae.crystal.Structure;
import org.concdvae.util.Parallel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The official on-the-fly periodic radius graph (model.md §2.2, {@code radius_graph_pbc}), reproduced exactly:
 * only the 27 images in {−1,0,1}³ (lexicographic, first component slowest) are searched, even when the cell is
 * shorter than the cutoff; candidates {@code 1e-4 < |cart[i] − (cart[j] + image·L)|² ≤ r²} are ordered by
 * (center i, neighbour j, image); if an atom has more than K candidates each center keeps its K nearest (ties by
 * candidate order), survivors keep their order. Edges are {@code source j → target i}. Crystals are independent and
 * are processed in parallel.
 */
public final class RadiusGraph {
    /** Squared distance (Å²) at or below which a candidate is the atom itself. */
    public static final double SELF_D2 = 1e-4;
    /** The 27 images, lexicographic. */
    static final int[] IMAGES = new int[81];

    static {
        int q = 0;
        for (int a = -1; a <= 1; a++) for (int b = -1; b <= 1; b++) for (int c = -1; c <= 1; c++) {
            IMAGES[q++] = a;
            IMAGES[q++] = b;
            IMAGES[q++] = c;
        }
    }

    private RadiusGraph() {}

    /** Graph of one structure (cart = frac · L from its lattice). */
    public static CrystalGraph build(Structure s, double radius, int maxNeighbors) {
        return build(List.of(s), radius, maxNeighbors, 1);
    }

    /** Batched graph of several structures. */
    public static CrystalGraph build(List<Structure> structures, double radius, int maxNeighbors, int threads) {
        int b = structures.size();
        int[] na = new int[b];
        int n = 0;
        for (int c = 0; c < b; c++) n += na[c] = structures.get(c).size();
        double[] lat = new double[9 * b];
        double[] cart = new double[3 * n];
        int o = 0;
        for (int c = 0; c < b; c++) {
            Structure s = structures.get(c);
            double[][] m = s.lattice().matrix();
            for (int r = 0; r < 3; r++) System.arraycopy(m[r], 0, lat, 9 * c + 3 * r, 3);
            for (int i = 0; i < s.size(); i++, o++) System.arraycopy(s.cartCoord(i), 0, cart, 3 * o, 3);
        }
        return build(lat, cart, na, radius, maxNeighbors, threads);
    }

    /**
     * @param lattices 9 per crystal (rows = lattice vectors, row-major)
     * @param cart     3 per atom, Cartesian positions
     * @param numAtoms atoms per crystal
     */
    public static CrystalGraph build(double[] lattices, double[] cart, int[] numAtoms, double radius, int maxNeighbors,
                                     int threads) {
        if (!(radius > 0)) throw new IllegalArgumentException("radius must be positive");
        if (maxNeighbors < 1) throw new IllegalArgumentException("maxNeighbors must be at least 1");
        int b = numAtoms.length;
        int[] ao = CrystalGraph.prefix(numAtoms);
        if (lattices.length != 9 * b || cart.length != 3 * ao[b]) throw new IllegalArgumentException("array sizes differ");
        int[][] parts = new int[b][];
        Parallel.forEach(b, threads, c -> parts[c] = crystal(lattices, cart, c, ao[c], numAtoms[c], radius * radius, maxNeighbors));
        int[] epc = new int[b];
        int e = 0;
        for (int c = 0; c < b; c++) e += epc[c] = parts[c].length / 4;
        int[] src = new int[e], dst = new int[e], img = new int[3 * e];
        int q = 0;
        for (int c = 0; c < b; c++) {
            int[] p = parts[c];
            for (int k = 0; k < p.length; k += 4, q++) {
                dst[q] = p[k];
                src[q] = p[k + 1];
                System.arraycopy(IMAGES, 3 * p[k + 2], img, 3 * q, 3);
            }
        }
        return CrystalGraph.fromEdges(lattices, cart, numAtoms, src, dst, img, epc);
    }

    /** Edges of one crystal as (i, j, imageIndex, unused) quadruples, global atom indices. */
    private static int[] crystal(double[] lat, double[] cart, int c, int a0, int n, double r2, int k) {
        double[] off = new double[81];
        for (int q = 0; q < 27; q++) {
            for (int x = 0; x < 3; x++) {
                off[3 * q + x] = IMAGES[3 * q] * lat[9 * c + x] + IMAGES[3 * q + 1] * lat[9 * c + 3 + x] + IMAGES[3 * q + 2] * lat[9 * c + 6 + x];
            }
        }
        List<int[]> perCenter = new ArrayList<>(n);
        int total = 0;
        int[] buf = new int[64];
        double[] dbuf = new double[32];
        for (int i = a0; i < a0 + n; i++) {
            int cnt = 0;
            for (int j = a0; j < a0 + n; j++) {
                for (int q = 0; q < 27; q++) {
                    double dx = cart[3 * i] - (cart[3 * j] + off[3 * q]);
                    double dy = cart[3 * i + 1] - (cart[3 * j + 1] + off[3 * q + 1]);
                    double dz = cart[3 * i + 2] - (cart[3 * j + 2] + off[3 * q + 2]);
                    double d2 = dx * dx + dy * dy + dz * dz;
                    if (d2 <= r2 && d2 > SELF_D2) {
                        if (cnt == dbuf.length) {
                            dbuf = Arrays.copyOf(dbuf, 2 * cnt);
                            buf = Arrays.copyOf(buf, 4 * cnt);
                        }
                        buf[2 * cnt] = j;
                        buf[2 * cnt + 1] = q;
                        dbuf[cnt++] = d2;
                    }
                }
            }
            int[] keep = cnt <= k ? null : nearest(dbuf, cnt, k);
            int m = keep == null ? cnt : k;
            int[] rows = new int[4 * m];
            for (int t = 0; t < m; t++) {
                int s = keep == null ? t : keep[t];
                rows[4 * t] = i;
                rows[4 * t + 1] = buf[2 * s];
                rows[4 * t + 2] = buf[2 * s + 1];
            }
            perCenter.add(rows);
            total += rows.length;
        }
        int[] out = new int[total];
        int p = 0;
        for (int[] r : perCenter) {
            System.arraycopy(r, 0, out, p, r.length);
            p += r.length;
        }
        return out;
    }

    /**
     * Positions of the k smallest of d2[0..cnt), ties by position, in ascending position order: everything below the
     * k-th smallest value, then the earliest candidates equal to it (a stable selection without boxing).
     */
    private static int[] nearest(double[] d2, int cnt, int k) {
        double[] sorted = Arrays.copyOf(d2, cnt);
        Arrays.sort(sorted);
        double kth = sorted[k - 1];
        int below = 0;
        for (int t = 0; t < cnt; t++) if (d2[t] < kth) below++;
        int equalQuota = k - below;
        int[] keep = new int[k];
        int m = 0;
        for (int t = 0; t < cnt && m < k; t++) {
            if (d2[t] < kth || (d2[t] == kth && equalQuota-- > 0)) keep[m++] = t;
        }
        return keep;
    }
}
