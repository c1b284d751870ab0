package org.concdvae.data;

import org.concdvae.crystal.Lattice;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.graph.RadiusGraph;

import java.util.List;

/**
 * Several preprocessed crystals collated as the official PyG batch (model.md §1–2.1): atoms concatenated in crystal
 * order, per-crystal lattices, properties as a [B, P] row-major block, and the cached encoder edges shifted by each
 * crystal's atom offset, with their geometry from the lattice rebuilt from the six parameters
 * ({@code cart = frac · L}). Flat primitive arrays, built outside any autodiff.
 */
public record CrystalBatch(int[] numAtoms, int[] atomTypes, double[] fracCoords, double[] cartCoords, double[] lengths,
                           double[] angles, double[] lattices, double[] properties, int numProperties,
                           CrystalGraph encoderGraph) {

    public int size() { return numAtoms.length; }

    public int totalAtoms() { return atomTypes.length; }

    /** Property {@code p} of crystal {@code b}. */
    public double property(int b, int p) { return properties[b * numProperties + p]; }

    /**
     * The graph the encoder sees: the cached edges, or with {@code otf_graph} the radius graph of model.md §2.2
     * built on the fly ({@code model.encoder.cutoff}, {@code max_num_neighbors}).
     */
    public CrystalGraph encoderGraph(boolean otfGraph, double cutoff, int maxNeighbors, int threads) {
        return otfGraph ? RadiusGraph.build(lattices, cartCoords, numAtoms, cutoff, maxNeighbors, threads) : encoderGraph;
    }

    /** Collates {@code crystals} (all with the same property list). */
    public static CrystalBatch of(List<CrystalRecord> crystals) {
        int b = crystals.size();
        int n = 0, e = 0;
        for (CrystalRecord c : crystals) {
            n += c.numAtoms();
            e += c.numEdges();
        }
        int np = b == 0 ? 0 : crystals.get(0).properties().length;
        int[] na = new int[b], z = new int[n], src = new int[e], dst = new int[e], img = new int[3 * e], epc = new int[b];
        double[] frac = new double[3 * n], cart = new double[3 * n], len = new double[3 * b], ang = new double[3 * b];
        double[] lat = new double[9 * b], props = new double[b * np];
        int a0 = 0, e0 = 0;
        for (int k = 0; k < b; k++) {
            CrystalRecord c = crystals.get(k);
            if (c.properties().length != np) throw new IllegalArgumentException("crystals have different property lists");
            na[k] = c.numAtoms();
            epc[k] = c.numEdges();
            System.arraycopy(c.atomTypes(), 0, z, a0, c.numAtoms());
            System.arraycopy(c.fracCoords(), 0, frac, 3 * a0, 3 * c.numAtoms());
            System.arraycopy(c.lengths(), 0, len, 3 * k, 3);
            System.arraycopy(c.angles(), 0, ang, 3 * k, 3);
            System.arraycopy(c.properties(), 0, props, k * np, np);
            double[][] m = Lattice.fromParameters(c.lengths()[0], c.lengths()[1], c.lengths()[2],
                    c.angles()[0], c.angles()[1], c.angles()[2]).matrix();
            for (int r = 0; r < 3; r++) System.arraycopy(m[r], 0, lat, 9 * k + 3 * r, 3);
            for (int i = 0; i < c.numAtoms(); i++) {
                for (int x = 0; x < 3; x++) {
                    cart[3 * (a0 + i) + x] = frac[3 * (a0 + i)] * m[0][x] + frac[3 * (a0 + i) + 1] * m[1][x] + frac[3 * (a0 + i) + 2] * m[2][x];
                }
            }
            for (int q = 0; q < c.numEdges(); q++) {
                src[e0 + q] = c.edgeSource()[q] + a0;
                dst[e0 + q] = c.edgeTarget()[q] + a0;
            }
            System.arraycopy(c.edgeImages(), 0, img, 3 * e0, 3 * c.numEdges());
            a0 += c.numAtoms();
            e0 += c.numEdges();
        }
        CrystalGraph g = CrystalGraph.fromEdges(lat, cart, na, src, dst, img, epc);
        return new CrystalBatch(na, z, frac, cart, len, ang, lat, props, np, g);
    }
}
