package org.concdvae.model;

import org.concdvae.autodiff.GradientCheck;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.crystal.Lattice;
import org.concdvae.nn.GemNetGraph;
import org.concdvae.nn.ParameterStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference check (double precision) of the whole GemNet-T decoder at small width (atom/edge 8, 1 interaction
 * block, all block types present) with respect to every parameter and to the latent input: coordinate scores and type
 * logits together, on two small periodic crystals whose radius graph has truncated neighbour lists, self-images and
 * many triplets.
 */
class GemNetDecoderGradientTest {
    static DataType savedDefault, savedFloat;

    @BeforeAll
    static void useDouble() {
        savedDefault = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() { Nd4j.setDefaultDataTypes(savedDefault, savedFloat); }

    /** A small decoder: hidden 8, latent 3 + time 2, 1 block, cutoff 4 Å, ≤ 6 neighbours. */
    static Config.Decoder smallConfig() {
        return new Config.Decoder(8, 3, 2, 6, 4.0, null, 3, 6, 1, 4, 3, 3, 5, 1, 1, 1, 1, 5);
    }

    @Test
    void gradientsOfParametersAndLatentMatchFiniteDifferences() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        GemNetDecoder dec = new GemNetDecoder(store, smallConfig());
        Random r = new Random(5);
        dec.initialise(r);
        Lattice l0 = Lattice.fromParameters(3.1, 3.4, 3.7, 80, 95, 100), l1 = Lattice.fromParameters(2.9, 3.3, 4.1, 90, 90, 110);
        int[] numAtoms = {2, 3};
        double[][] frac = {{0.1, 0.2, 0.3}, {0.55, 0.6, 0.45}, {0.0, 0.1, 0.9}, {0.4, 0.45, 0.3}, {0.75, 0.8, 0.65}};
        double[] lat = new double[18], cart = new double[15];
        Lattice[] ls = {l0, l1};
        for (int c = 0, a = 0; c < 2; c++) {
            double[][] m = ls[c].matrix();
            for (int k = 0; k < 3; k++) System.arraycopy(m[k], 0, lat, 9 * c + 3 * k, 3);
            for (int i = 0; i < numAtoms[c]; i++, a++) System.arraycopy(ls[c].toCartesian(frac[a]), 0, cart, 3 * a, 3);
        }
        int[] types = {8, 26, 3, 14, 100};
        double[] z = new double[2 * 5];
        for (int i = 0; i < z.length; i++) z[i] = r.nextGaussian();
        Tensor zTime = Tensor.parameter(Nd4j.create(z, new long[]{2, 5}, DataType.DOUBLE));
        try (GemNetGraph g = dec.graph(lat, cart, numAtoms, DataType.DOUBLE, 2)) {
            assertTrue(g.numTriplets() > 100 && g.numEdges() > 20, g.numEdges() + " edges, " + g.numTriplets() + " triplets");
            List<Tensor> inputs = new ArrayList<>(store.trainable());
            inputs.add(zTime);
            GradientCheck.Result res = GradientCheck.check(inputs, t -> {
                GemNetDecoder.Output o = dec.forward(t, g, zTime, types, Probe.NONE);
                return t.concat(o.coordDiff(), o.typeLogits());
            }, GradientCheck.Options.defaults().training(false).tolerance(1e-5, 1e-8).maxPerInput(5));
            System.out.println("decoder gradient check: " + g.numEdges() + " edges, " + g.numTriplets() + " triplets, "
                    + inputs.size() + " tensors: " + res);
            assertTrue(res.passed(), res.toString());
            assertTrue(res.checked() > 200, "checked " + res.checked());
        }
    }
}
