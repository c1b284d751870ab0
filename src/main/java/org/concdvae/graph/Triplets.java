package org.concdvae.graph;

import org.concdvae.util.Parallel;

import java.util.Arrays;

/**
 * Edge triplets of a {@link CrystalGraph}, in the order the official code produces them, with their angles.
 * Both flavours enumerate, for every edge in edge order, the edges that end where it starts (DimeNet) or where it
 * ends (GemNet), sorted by (source atom, edge id) as torch_sparse's row-sorted adjacency yields them. Crystals are
 * independent and are processed in parallel.
 */
public final class Triplets {
    private Triplets() {}

    /**
     * DimeNet++ triplets (model.md §3.3): for each edge j→i ({@code idxJi}) every edge k→j ({@code idxKj}) except
     * when atom k == atom i (by index, so every periodic image of i is excluded).
     * Angle {@code θ = atan2(|p_ji × p_kj|, p_ji · p_kj)} with {@code p_ji = v_{j→i}} and {@code p_kj = v_{k→j}}.
     */
    public static DimeNet dimeNet(CrystalGraph g, int threads) {
        int b = g.numCrystals();
        int[][] parts = new int[b][];
        Parallel.forEach(b, threads, c -> parts[c] = dimeNetCrystal(g, c));
        int[] counts = new int[b];
        int t = 0;
        for (int c = 0; c < b; c++) t += counts[c] = parts[c].length / 2;
        int[] kj = new int[t], ji = new int[t], ii = new int[t], jj = new int[t], kk = new int[t];
        double[] angle = new double[t];
        int[] src = g.source(), dst = g.target();
        double[] v = g.vectors();
        int q = 0;
        for (int c = 0; c < b; c++) {
            int[] p = parts[c];
            for (int s = 0; s < p.length; s += 2, q++) {
                kj[q] = p[s];
                ji[q] = p[s + 1];
                ii[q] = dst[ji[q]];
                jj[q] = src[ji[q]];
                kk[q] = src[kj[q]];
                angle[q] = angle(v, ji[q], v, kj[q]);
            }
        }
        return new DimeNet(ii, jj, kk, kj, ji, angle, counts);
    }

    private static int[] dimeNetCrystal(CrystalGraph g, int c) {
        Incoming in = new Incoming(g, c);
        int[] src = g.source(), dst = g.target();
        int[] out = new int[16];
        int n = 0;
        for (int e = g.edgeOffset(c); e < g.edgeOffset(c + 1); e++) {
            int j = src[e], i = dst[e];
            int a = j - in.atom0;
            for (int p = in.start[a]; p < in.start[a + 1]; p++) {
                int f = in.edges[p];
                if (src[f] == i) continue;
                if (n + 2 > out.length) out = Arrays.copyOf(out, 2 * out.length);
                out[n++] = f;
                out[n++] = e;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * GemNet-T triplets (model.md §11.2): for each output edge c→a ({@code idCa}) every input edge b→a
     * ({@code idBa}) with the same target and a different edge id. {@code raggedIdx} is the position within its
     * c→a group; {@code cosAngle = clamp(V_st[ca]·V_st[ba], −1, 1)} with {@code V_st = −v/d}.
     * Use on the {@linkplain CrystalGraph#symmetrized() symmetrised} decoder graph.
     */
    public static GemNet gemNet(CrystalGraph g, int threads) {
        int b = g.numCrystals();
        int[][] parts = new int[b][];
        Parallel.forEach(b, threads, c -> parts[c] = gemNetCrystal(g, c));
        int[] counts = new int[b];
        int t = 0;
        for (int c = 0; c < b; c++) t += counts[c] = parts[c].length / 3;
        int[] ba = new int[t], ca = new int[t], rag = new int[t];
        double[] cos = new double[t];
        double[] v = g.vectors(), d = g.distances();
        int q = 0;
        for (int c = 0; c < b; c++) {
            int[] p = parts[c];
            for (int s = 0; s < p.length; s += 3, q++) {
                ba[q] = p[s];
                ca[q] = p[s + 1];
                rag[q] = p[s + 2];
                double x = 0;
                for (int k = 0; k < 3; k++) x += v[3 * ca[q] + k] * v[3 * ba[q] + k];
                x /= d[ca[q]] * d[ba[q]];
                cos[q] = Math.max(-1.0, Math.min(1.0, x));
            }
        }
        return new GemNet(ba, ca, rag, cos, counts);
    }

    private static int[] gemNetCrystal(CrystalGraph g, int c) {
        Incoming in = new Incoming(g, c);
        int[] dst = g.target();
        int[] out = new int[24];
        int n = 0;
        for (int e = g.edgeOffset(c); e < g.edgeOffset(c + 1); e++) {
            int a = dst[e] - in.atom0;
            int r = 0;
            for (int p = in.start[a]; p < in.start[a + 1]; p++) {
                int f = in.edges[p];
                if (f == e) continue;
                if (n + 3 > out.length) out = Arrays.copyOf(out, 2 * out.length);
                out[n++] = f;
                out[n++] = e;
                out[n++] = r++;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Angle between two edge vectors: atan2(|u × w|, u · w). */
    static double angle(double[] v, int e, double[] w, int f) {
        double ux = v[3 * e], uy = v[3 * e + 1], uz = v[3 * e + 2];
        double wx = w[3 * f], wy = w[3 * f + 1], wz = w[3 * f + 2];
        double cx = uy * wz - uz * wy, cy = uz * wx - ux * wz, cz = ux * wy - uy * wx;
        return Math.atan2(Math.sqrt(cx * cx + cy * cy + cz * cz), ux * wx + uy * wy + uz * wz);
    }

    /** Incoming edges of every atom of crystal c, sorted by (source atom, edge id). */
    private static final class Incoming {
        final int atom0;
        final int[] start;
        final int[] edges;

        Incoming(CrystalGraph g, int c) {
            atom0 = g.atomOffset(c);
            int n = g.numAtoms(c), e0 = g.edgeOffset(c), e1 = g.edgeOffset(c + 1);
            int[] src = g.source(), dst = g.target();
            start = new int[n + 1];
            for (int e = e0; e < e1; e++) start[dst[e] - atom0 + 1]++;
            for (int a = 0; a < n; a++) start[a + 1] += start[a];
            long[] keys = new long[e1 - e0];
            for (int e = e0; e < e1; e++) {
                // key: (target, source, edge id) packed; sorting gives CSR order by target then (source, id)
                keys[e - e0] = ((long) (dst[e] - atom0) << 42) | ((long) (src[e] - atom0) << 21) | (e - e0);
            }
            if (n >= (1 << 21) || e1 - e0 >= (1 << 21)) throw new IllegalArgumentException("crystal too large for triplets");
            Arrays.sort(keys);
            edges = new int[keys.length];
            for (int q = 0; q < keys.length; q++) edges[q] = (int) (keys[q] & ((1 << 21) - 1)) + e0;
        }
    }

    /** DimeNet++ triplets k→j→i; arrays parallel, one entry per triplet; {@code perCrystal} counts. */
    public record DimeNet(int[] idxI, int[] idxJ, int[] idxK, int[] idxKj, int[] idxJi, double[] angle, int[] perCrystal) {
        public int size() { return idxI.length; }
    }

    /** GemNet-T triplets b→a, c→a; arrays parallel, one entry per triplet; {@code perCrystal} counts. */
    public record GemNet(int[] idBa, int[] idCa, int[] raggedIdx, double[] cosAngle, int[] perCrystal) {
        public int size() { return idBa.length; }
    }
}
