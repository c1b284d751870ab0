package org.concdvae.model;

import org.concdvae.autodiff.Tape;
import org.concdvae.crystal.Lattice;
import org.concdvae.nn.GemNetGraph;
import org.concdvae.nn.ParameterStore;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Edge cases of the decoder (float32): crystals without neighbours, invalid inputs, name aliasing. */
class GemNetDecoderTest {
    @Test
    void crystalWithoutEdgesGetsZeroScoresAndStillHasTypeLogits() {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        GemNetDecoder dec = new GemNetDecoder(store, GemNetDecoderGradientTest.smallConfig());
        dec.initialise(new Random(3));
        // crystal 0: one atom in a 10 Å cube (no neighbour within the 4 Å cutoff); crystal 1: two atoms in a 3 Å cube
        Lattice big = Lattice.fromParameters(10, 10, 10, 90, 90, 90), small = Lattice.fromParameters(3, 3, 3, 90, 90, 90);
        double[] lat = new double[18];
        for (int k = 0; k < 3; k++) {
            System.arraycopy(big.matrix()[k], 0, lat, 3 * k, 3);
            System.arraycopy(small.matrix()[k], 0, lat, 9 + 3 * k, 3);
        }
        double[] cart = new double[9];
        System.arraycopy(small.toCartesian(new double[]{0.5, 0.5, 0.5}), 0, cart, 6, 3);
        try (GemNetGraph g = dec.graph(lat, cart, new int[]{1, 2}, DataType.FLOAT, 1); Tape t = Tape.inference()) {
            assertEquals(0, g.graph.numEdges(0));
            INDArray z = Nd4j.rand(DataType.FLOAT, 2, 5);
            GemNetDecoder.Output o = dec.forward(t, g, t.constant(z), new int[]{6, 8, 8}, Probe.NONE);
            assertArrayEquals(new long[]{3, 3}, o.coordDiff().shape());
            assertArrayEquals(new long[]{3, 100}, o.typeLogits().shape());
            for (int k = 0; k < 3; k++) assertEquals(0.0, o.coordDiff().value().getDouble(0, k), 0.0);
        }
    }

    @Test
    void rejectsAtomTypesOutsideTheTable() {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        GemNetDecoder dec = new GemNetDecoder(store, GemNetDecoderGradientTest.smallConfig());
        Lattice l = Lattice.fromParameters(3, 3, 3, 90, 90, 90);
        double[] lat = new double[9];
        for (int k = 0; k < 3; k++) System.arraycopy(l.matrix()[k], 0, lat, 3 * k, 3);
        try (GemNetGraph g = dec.graph(lat, new double[3], new int[]{1}, DataType.FLOAT, 1); Tape t = Tape.inference()) {
            assertThrows(IllegalArgumentException.class, () -> dec.forward(t, g, t.constant(Nd4j.rand(DataType.FLOAT, 1, 5)), new int[]{0}, Probe.NONE));
            assertThrows(IllegalArgumentException.class, () -> dec.forward(t, g, t.constant(Nd4j.rand(DataType.FLOAT, 1, 4)), new int[]{6}, Probe.NONE));
        }
    }

    @Test
    void outputBlockEnergyLayersAreAlsoNamedSeqEnergy() {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new GemNetDecoder(store, GemNetDecoderGradientTest.smallConfig());
        for (String suffix : List.of("0.linear.weight", "1.dense_mlp.0.linear.weight")) {
            var a = store.entry("decoder.gemnet.out_blocks.1.layers." + suffix);
            var b = store.entry("decoder.gemnet.out_blocks.1.seq_energy." + suffix);
            assertEquals(a.name(), b.name(), suffix);
        }
    }
}
