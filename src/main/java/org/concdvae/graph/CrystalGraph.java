package org.concdvae.graph;

import java.util.Arrays;
import java.util.List;

/**
 * A batch of periodic crystal graphs in the layout of the official code (model.md §2): directed edges
 * {@code source j → target i} with the integer lattice image {@code to_jimage} applied to j, global atom indices
 * (each crystal's atoms follow the previous crystal's), edges grouped by crystal. Geometry per edge:
 * {@code v_e = cart[j] + to_jimage·L − cart[i]} (from the target to the source image) and {@code d_e = |v_e|}.
 * After {@link #symmetrized()} the graph also carries {@link #idSwap()} (model.md §2.3).
 * <p>All arrays are flat primitives (x, y, z interleaved for 3-vectors) shared without copying; treat them as
 * read-only. Built outside any autodiff.
 */
public final class CrystalGraph {
    private final int[] numAtoms;
    private final int[] atomOffset;   // B+1
    private final int[] edgeOffset;   // B+1
    private final int[] source;
    private final int[] target;
    private final int[] images;       // 3E
    private final double[] distances; // E
    private final double[] vectors;   // 3E
    private final int[] idSwap;       // E or null

    CrystalGraph(int[] numAtoms, int[] edgesPerCrystal, int[] source, int[] target, int[] images,
                 double[] distances, double[] vectors, int[] idSwap) {
        this.numAtoms = numAtoms;
        this.atomOffset = prefix(numAtoms);
        this.edgeOffset = prefix(edgesPerCrystal);
        this.source = source;
        this.target = target;
        this.images = images;
        this.distances = distances;
        this.vectors = vectors;
        this.idSwap = idSwap;
        int e = source.length;
        if (target.length != e || images.length != 3 * e || distances.length != e || vectors.length != 3 * e
                || edgeOffset[numAtoms.length] != e || (idSwap != null && idSwap.length != e)) {
            throw new IllegalArgumentException("inconsistent edge array lengths");
        }
    }

    /**
     * A graph from given edges (e.g. CrystalNN bonds read from a cache), computing the edge geometry.
     *
     * @param lattices        9 per crystal, row-major, rows = lattice vectors
     * @param cart            3 per atom, Cartesian positions (Å)
     * @param numAtoms        atoms per crystal
     * @param source          global source atom index (j) per edge
     * @param target          global target atom index (i) per edge
     * @param images          3 per edge, image applied to the source
     * @param edgesPerCrystal number of edges of each crystal; edges must be grouped by crystal in batch order
     */
    public static CrystalGraph fromEdges(double[] lattices, double[] cart, int[] numAtoms, int[] source, int[] target,
                                         int[] images, int[] edgesPerCrystal) {
        int b = numAtoms.length;
        if (lattices.length != 9 * b || edgesPerCrystal.length != b) throw new IllegalArgumentException("batch sizes differ");
        int[] ao = prefix(numAtoms);
        if (cart.length != 3 * ao[b]) throw new IllegalArgumentException("cart must hold 3 values per atom");
        int e = source.length;
        double[] d = new double[e];
        double[] v = new double[3 * e];
        int edge = 0;
        for (int c = 0; c < b; c++) {
            for (int q = 0; q < edgesPerCrystal[c]; q++, edge++) {
                int j = source[edge], i = target[edge];
                if (j < ao[c] || j >= ao[c + 1] || i < ao[c] || i >= ao[c + 1]) {
                    throw new IllegalArgumentException("edge " + edge + " (" + j + "->" + i + ") leaves crystal " + c);
                }
                geometry(lattices, c, cart, j, i, images, edge, v, d);
            }
        }
        if (edge != e) throw new IllegalArgumentException("edgesPerCrystal sums to " + edge + ", but there are " + e + " edges");
        return new CrystalGraph(numAtoms.clone(), edgesPerCrystal.clone(), source, target, images, d, v, null);
    }

    /**
     * The graph of one crystal from undirected bonds {@code (u, v, image)} as a pymatgen StructureGraph lists them,
     * expanded to directed edges in the official order (model.md §2.1): {@code v → u} with {@code image}, then
     * {@code u → v} with {@code −image}. For graph methods such as CrystalNN / MinimumDistanceNN.
     */
    public static CrystalGraph fromBonds(org.concdvae.crystal.Structure s, int[] u, int[] v, int[] bondImages) {
        int nb = u.length;
        if (v.length != nb || bondImages.length != 3 * nb) throw new IllegalArgumentException("bond arrays differ in length");
        int[] src = new int[2 * nb], dst = new int[2 * nb], img = new int[6 * nb];
        for (int b = 0; b < nb; b++) {
            src[2 * b] = v[b];
            dst[2 * b] = u[b];
            src[2 * b + 1] = u[b];
            dst[2 * b + 1] = v[b];
            for (int k = 0; k < 3; k++) {
                img[6 * b + k] = bondImages[3 * b + k];
                img[6 * b + 3 + k] = -bondImages[3 * b + k];
            }
        }
        double[][] m = s.lattice().matrix();
        double[] lat = new double[9];
        for (int r = 0; r < 3; r++) System.arraycopy(m[r], 0, lat, 3 * r, 3);
        double[] cart = new double[3 * s.size()];
        for (int i = 0; i < s.size(); i++) System.arraycopy(s.cartCoord(i), 0, cart, 3 * i, 3);
        return fromEdges(lat, cart, new int[]{s.size()}, src, dst, img, new int[]{2 * nb});
    }

    static void geometry(double[] lat, int c, double[] cart, int j, int i, int[] images, int e, double[] v, double[] d) {
        double s = 0;
        for (int k = 0; k < 3; k++) {
            double off = images[3 * e] * lat[9 * c + k] + images[3 * e + 1] * lat[9 * c + 3 + k] + images[3 * e + 2] * lat[9 * c + 6 + k];
            double x = cart[3 * j + k] + off - cart[3 * i + k];
            v[3 * e + k] = x;
            s += x * x;
        }
        d[e] = Math.sqrt(s);
    }

    /** Concatenates graphs into one batch (atom and edge indices shifted). */
    public static CrystalGraph concat(List<CrystalGraph> parts) {
        int b = 0, n = 0, e = 0;
        boolean swap = !parts.isEmpty();
        for (CrystalGraph g : parts) {
            b += g.numCrystals();
            n += g.numAtoms();
            e += g.numEdges();
            swap &= g.idSwap != null;
        }
        int[] na = new int[b], epc = new int[b], src = new int[e], dst = new int[e], img = new int[3 * e];
        double[] dist = new double[e], vec = new double[3 * e];
        int[] sw = swap ? new int[e] : null;
        int cb = 0, cn = 0, ce = 0;
        for (CrystalGraph g : parts) {
            for (int c = 0; c < g.numCrystals(); c++) {
                na[cb + c] = g.numAtoms[c];
                epc[cb + c] = g.numEdges(c);
            }
            for (int q = 0; q < g.numEdges(); q++) {
                src[ce + q] = g.source[q] + cn;
                dst[ce + q] = g.target[q] + cn;
                if (sw != null) sw[ce + q] = g.idSwap[q] + ce;
            }
            System.arraycopy(g.images, 0, img, 3 * ce, 3 * g.numEdges());
            System.arraycopy(g.distances, 0, dist, ce, g.numEdges());
            System.arraycopy(g.vectors, 0, vec, 3 * ce, 3 * g.numEdges());
            cb += g.numCrystals();
            cn += g.numAtoms();
            ce += g.numEdges();
        }
        return new CrystalGraph(na, epc, src, dst, img, dist, vec, sw);
    }

    /**
     * The symmetrised edge list of model.md §2.3 (GemNet's reorder_symmetric_edges): per crystal keep edges with
     * source &lt; target, or source == target with a lexicographically negative image; then list the kept edges
     * followed by their reverses {@code (t, s, −o, d, −v)} in the same order. {@link #idSwap()} gives each edge's
     * reverse.
     */
    public CrystalGraph symmetrized() {
        int b = numCrystals();
        int[] kept = new int[b];
        int total = 0;
        boolean[] keep = new boolean[numEdges()];
        for (int c = 0; c < b; c++) {
            for (int e = edgeOffset[c]; e < edgeOffset[c + 1]; e++) {
                int s = source[e], t = target[e];
                boolean k = s < t || (s == t && lexNegative(images[3 * e], images[3 * e + 1], images[3 * e + 2]));
                keep[e] = k;
                if (k) kept[c]++;
            }
            total += 2 * kept[c];
        }
        int[] src = new int[total], dst = new int[total], img = new int[3 * total], sw = new int[total];
        double[] dist = new double[total], vec = new double[3 * total];
        int[] epc = new int[b];
        int o = 0;
        for (int c = 0; c < b; c++) {
            int k = kept[c];
            epc[c] = 2 * k;
            int m = 0;
            for (int e = edgeOffset[c]; e < edgeOffset[c + 1]; e++) {
                if (!keep[e]) continue;
                int f = o + m, r = o + k + m;
                src[f] = source[e];
                dst[f] = target[e];
                src[r] = target[e];
                dst[r] = source[e];
                dist[f] = dist[r] = distances[e];
                for (int a = 0; a < 3; a++) {
                    img[3 * f + a] = images[3 * e + a];
                    img[3 * r + a] = -images[3 * e + a];
                    vec[3 * f + a] = vectors[3 * e + a];
                    vec[3 * r + a] = -vectors[3 * e + a];
                }
                sw[f] = r;
                sw[r] = f;
                m++;
            }
            o += 2 * k;
        }
        return new CrystalGraph(numAtoms.clone(), epc, src, dst, img, dist, vec, sw);
    }

    private static boolean lexNegative(int x, int y, int z) {
        return x < 0 || (x == 0 && y < 0) || (x == 0 && y == 0 && z < 0);
    }

    // ---- sizes ----
    public int numCrystals() { return numAtoms.length; }

    /** Total atoms. */
    public int numAtoms() { return atomOffset[numAtoms.length]; }

    public int numAtoms(int crystal) { return numAtoms[crystal]; }

    public int atomOffset(int crystal) { return atomOffset[crystal]; }

    public int numEdges() { return source.length; }

    public int numEdges(int crystal) { return edgeOffset[crystal + 1] - edgeOffset[crystal]; }

    public int edgeOffset(int crystal) { return edgeOffset[crystal]; }

    /** Edges per crystal (the official {@code neighbors} / {@code num_bonds}). */
    public int[] edgesPerCrystal() {
        int[] r = new int[numCrystals()];
        for (int c = 0; c < r.length; c++) r[c] = numEdges(c);
        return r;
    }

    public int[] atomsPerCrystal() { return numAtoms.clone(); }

    // ---- per-edge arrays (shared, read-only) ----
    /** Row 0 of edge_index: source atom j. */
    public int[] source() { return source; }

    /** Row 1 of edge_index: target atom i. */
    public int[] target() { return target; }

    /** to_jimages, 3 per edge. */
    public int[] images() { return images; }

    public double[] distances() { return distances; }

    /** v_e = cart[j] + image·L − cart[i], 3 per edge. */
    public double[] vectors() { return vectors; }

    /** Index of each edge's reverse, or null if the graph is not symmetrised. */
    public int[] idSwap() { return idSwap; }

    public boolean isSymmetrized() { return idSwap != null; }

    /** The single crystal {@code c} as its own graph (local atom indices). */
    public CrystalGraph crystal(int c) {
        int e0 = edgeOffset[c], e1 = edgeOffset[c + 1], a0 = atomOffset[c];
        int[] src = new int[e1 - e0], dst = new int[e1 - e0];
        int[] sw = idSwap == null ? null : new int[e1 - e0];
        for (int e = e0; e < e1; e++) {
            src[e - e0] = source[e] - a0;
            dst[e - e0] = target[e] - a0;
            if (sw != null) sw[e - e0] = idSwap[e] - e0;
        }
        return new CrystalGraph(new int[]{numAtoms[c]}, new int[]{e1 - e0}, src, dst,
                Arrays.copyOfRange(images, 3 * e0, 3 * e1), Arrays.copyOfRange(distances, e0, e1),
                Arrays.copyOfRange(vectors, 3 * e0, 3 * e1), sw);
    }

    static int[] prefix(int[] counts) {
        int[] o = new int[counts.length + 1];
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) throw new IllegalArgumentException("negative count");
            o[i + 1] = o[i] + counts[i];
        }
        return o;
    }
}
