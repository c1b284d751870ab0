package org.concdvae.model;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.nn.ParameterStore;
import org.concdvae.testutil.SharedData;
import org.concdvae.train.Batches;
import org.concdvae.train.TrainingData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without teacher forcing the decoder runs in the predicted lattice, and, as in the official code, that lattice is a
 * constant for the gradient: the official {@code StandardScalerTorch.inverse_transform} rebuilds its input with
 * {@code torch.tensor(X)} (= {@code X.clone().detach()}), so the predicted lengths and angles handed to the noise and
 * the decoder carry no autograd history and {@code fc_lattice} is trained by the lattice loss alone. Checked on four
 * mptest crystals with the tiny model.
 */
class TeacherForcingGradientTest {
    static Config tiny;
    static TrainingData mptest;

    @BeforeAll
    static void load() {
        tiny = ConfigLoader.resolve("tiny", List.of());
        mptest = TrainingData.load(SharedData.path("data/mptest"), tiny, 42, 1);
    }

    @Test
    void predictedLatticeReachesTheDecoderButNotItsGradient() {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        ConCdvae model = new ConCdvae(store, tiny.model());
        model.initialise(new Random(3));
        ConCdvae.Batch b = Batches.collate(mptest.train().subList(0, 4), mptest.propertyNames(),
                Batches.neededProperties(model), model, 1);
        try {
            // the decoder sees another lattice without teacher forcing: same draws, other coordinates and losses
            Map<String, Double> on = new LinkedHashMap<>(), off = new LinkedHashMap<>();
            double[] fracOn = run(model, b, true, (t, o) -> o.valLoss(), on).noisyFrac;
            double[] fracOff = run(model, b, false, (t, o) -> o.valLoss(), off).noisyFrac;
            assertFalse(java.util.Arrays.equals(fracOn, fracOff), "noise is added in the predicted lattice");
            assertNotEquals(on.get("coord_loss"), off.get("coord_loss"));
            assertEquals(on.get("lattice_loss"), off.get("lattice_loss"), "the lattice loss uses the prediction either way");

            // decoder losses (val loss = cost_coord·coord + cost_type·type): no gradient reaches fc_lattice ...
            Map<String, INDArray> val = run(model, b, false, (t, o) -> o.valLoss(), null).grads;
            for (String name : val.keySet()) assertFalse(name.startsWith("fc_lattice."), name + " received a decoder gradient");
            // ... while they do reach the decoder, z_condition and the encoder
            assertTrue(val.containsKey("decoder.fc_atom.weight"));
            assertTrue(val.keySet().stream().anyMatch(n -> n.startsWith("z_condition.")));
            assertTrue(val.keySet().stream().anyMatch(n -> n.startsWith("encoder.")));

            // the whole training loss trains fc_lattice exactly as cost_lattice·lattice alone does
            Map<String, INDArray> total = run(model, b, false, (t, o) -> o.trainLoss(), null).grads;
            Map<String, INDArray> lattice = run(model, b, false, (t, o) -> t.mul(o.lattice(), tiny.model().costLattice()), null).grads;
            int checked = 0;
            for (Map.Entry<String, INDArray> e : lattice.entrySet()) {
                if (!e.getKey().startsWith("fc_lattice.")) continue;
                assertTrue(total.containsKey(e.getKey()), e.getKey());
                assertArrayEquals(e.getValue().data().asFloat(), total.get(e.getKey()).data().asFloat(), 0f, e.getKey());
                checked++;
            }
            assertEquals(6, checked, "fc_lattice.{0,1,3}.{weight,bias}");
        } finally {
            b.encoderGraph().close();
        }
    }

    private record Result(double[] noisyFrac, Map<String, INDArray> grads) {}

    /** One training-mode step with fixed draws; the gradients of {@code loss} by parameter name (copies). */
    private static Result run(ConCdvae model, ConCdvae.Batch b, boolean teacherForcing,
                              BiFunction<Tape, ConCdvae.Output, Tensor> loss, Map<String, Double> terms) {
        ParameterStore store = model.store();
        store.zeroGrad();
        Map<String, INDArray> grads = new LinkedHashMap<>();
        try (Tape t = Tape.training()) {
            ConCdvae.Output o = model.forward(t, b, teacherForcing, new Random(11), ConCdvae.Draws.NONE,
                    mptest.scaler().means(), mptest.scaler().stds(), 1);
            if (terms != null) terms.putAll(o.terms());
            t.backward(loss.apply(t, o));
            for (ParameterStore.Entry e : store.entries()) {
                if (!e.trainable()) continue;
                INDArray g = e.tensor().grad();
                if (g != null && g.amaxNumber().doubleValue() > 0) grads.put(e.name(), g.dup());
            }
            store.zeroGrad();
            return new Result(o.noisyFrac(), grads);
        }
    }
}
