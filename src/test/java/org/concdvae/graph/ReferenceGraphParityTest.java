package org.concdvae.graph;

import org.concdvae.crystal.Lattice;
import org.concdvae.io.Safetensors;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Graph parity with the official PyTorch pipeline on the 8-crystal reference batch (../shared/reference):
 * radius graph (9 Å, 20 neighbours) before and after symmetrisation, swap ids and GemNet triplets on the decoder
 * input; distances, DimeNet triplets and angles on the cached encoder edges. Integer tensors must match exactly
 * and in order; geometry within 1e-5 (float32 reference).
 */
class ReferenceGraphParityTest {
    static Safetensors in, dec, enc;
    static double[] lattices;
    static int[] numAtoms;

    @BeforeAll
    static void load() {
        in = Safetensors.read(SharedData.path("reference/batch8_inputs.safetensors"));
        dec = Safetensors.read(SharedData.path("reference/batch8_decoder.safetensors"));
        enc = Safetensors.read(SharedData.path("reference/batch8_encoder.safetensors"));
        numAtoms = in.ints("num_atoms");
        double[] len = in.doubles("lengths"), ang = in.doubles("angles");
        lattices = new double[9 * numAtoms.length];
        for (int c = 0; c < numAtoms.length; c++) {
            double[][] m = Lattice.fromParameters(len[3 * c], len[3 * c + 1], len[3 * c + 2], ang[3 * c], ang[3 * c + 1], ang[3 * c + 2]).matrix();
            for (int r = 0; r < 3; r++) System.arraycopy(m[r], 0, lattices, 9 * c + 3 * r, 3);
        }
    }

    static double[] cart(double[] frac) {
        double[] cart = new double[frac.length];
        int a = 0;
        for (int c = 0; c < numAtoms.length; c++) {
            for (int i = 0; i < numAtoms[c]; i++, a++) {
                for (int k = 0; k < 3; k++) {
                    cart[3 * a + k] = frac[3 * a] * lattices[9 * c + k] + frac[3 * a + 1] * lattices[9 * c + 3 + k] + frac[3 * a + 2] * lattices[9 * c + 6 + k];
                }
            }
        }
        return cart;
    }

    static int[] row(int[] twoByE, int r) {
        int e = twoByE.length / 2;
        int[] o = new int[e];
        System.arraycopy(twoByE, r * e, o, 0, e);
        return o;
    }

    static int[] toInts(float[] f) {
        int[] r = new int[f.length];
        for (int i = 0; i < f.length; i++) r[i] = Math.round(f[i]);
        return r;
    }

    static void assertClose(float[] expected, double[] actual, double atol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double max = 0;
        for (int i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(expected[i] - actual[i]));
        assertEquals(0.0, max, atol, what + " max abs diff");
    }

    @Test
    void decoderRadiusGraphSymmetrisationAndTriplets() {
        CrystalGraph g = RadiusGraph.build(lattices, cart(dec.doubles("noisy_frac_coords")), numAtoms, 9.0, 20, 2);
        int[] ei = dec.ints("radius_edge_index");
        assertArrayEquals(dec.ints("radius_num_edges_per_crystal"), g.edgesPerCrystal());
        assertArrayEquals(row(ei, 0), g.source(), "radius source (row 0)");
        assertArrayEquals(row(ei, 1), g.target(), "radius target (row 1)");
        assertArrayEquals(toInts(dec.floats("radius_to_jimages")), g.images());

        CrystalGraph s = g.symmetrized();
        int[] se = dec.ints("edge_index");
        assertArrayEquals(dec.ints("neighbors"), s.edgesPerCrystal());
        assertArrayEquals(row(se, 0), s.source());
        assertArrayEquals(row(se, 1), s.target());
        assertArrayEquals(dec.ints("id_swap"), s.idSwap());
        assertClose(dec.floats("D_st"), s.distances(), 1e-5, "D_st");
        double[] vst = new double[3 * s.numEdges()];
        for (int e = 0; e < s.numEdges(); e++) for (int k = 0; k < 3; k++) vst[3 * e + k] = -s.vectors()[3 * e + k] / s.distances()[e];
        assertClose(dec.floats("V_st"), vst, 1e-5, "V_st");

        Triplets.GemNet t = Triplets.gemNet(s, 2);
        assertArrayEquals(dec.ints("id3_ba"), t.idBa());
        assertArrayEquals(dec.ints("id3_ca"), t.idCa());
        assertArrayEquals(dec.ints("id3_ragged_idx"), t.raggedIdx());
        assertClose(dec.floats("cos_cab"), t.cosAngle(), 1e-5, "cos_cab");
        long[] counts = dec.longs("counts");
        assertEquals(counts[3], t.size());
    }

    @Test
    void encoderDistancesTripletsAndAngles() {
        int[] ei = in.ints("edge_index");
        CrystalGraph g = CrystalGraph.fromEdges(lattices, cart(in.doubles("frac_coords")), numAtoms,
                row(ei, 0), row(ei, 1), in.ints("to_jimages"), in.ints("num_bonds"));
        assertClose(enc.floats("edge_dist"), g.distances(), 1e-5, "edge_dist");
        Triplets.DimeNet t = Triplets.dimeNet(g, 2);
        assertArrayEquals(enc.ints("trip_idx_i"), t.idxI());
        assertArrayEquals(enc.ints("trip_idx_j"), t.idxJ());
        assertArrayEquals(enc.ints("trip_idx_k"), t.idxK());
        assertArrayEquals(enc.ints("trip_idx_kj"), t.idxKj());
        assertArrayEquals(enc.ints("trip_idx_ji"), t.idxJi());
        assertClose(enc.floats("trip_angle"), t.angle(), 1e-5, "trip_angle");
    }
}
