package org.concdvae.model;

import org.concdvae.autodiff.Engine;
import org.concdvae.autodiff.GradientCheck;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.Safetensors;
import org.concdvae.nn.ParameterStore;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Latent, conditions (scalar, class, vector + mixer), z_condition, time embedding, predictors and the
 * crystal-statistics heads: official names from the config, formulas (KL, reparameterisation, lattice decoding),
 * and gradient checks of each block in double precision (BatchNorm in training and evaluation mode).
 */
class Step1HeadsTest {
    private static DataType savedDefault, savedFloat;
    private static int savedThreads;
    static final int B = 4;
    static final int[] NUM_ATOMS = {3, 1, 2, 4};
    static final Map<String, double[]> VALUES = Map.of(
            "e_form", new double[]{-1.7, 0.3, -0.25, 0.9},
            "cs", new double[]{0, 6, 3, 3},
            "formula", new double[]{0.1, 0, 0.5, 0.4, 1, 0, 0, 0, 0.2, 0.2, 0.3, 0.3, 0, 0.5, 0, 0.5});

    @BeforeAll
    static void doublePrecision() {
        savedDefault = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        savedThreads = Engine.threads();
        Engine.setThreads(1);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloat);
        Engine.setThreads(savedThreads);
    }

    static CdvaeModel model(long seed) {
        ParameterStore s = new ParameterStore(DataType.DOUBLE);
        CdvaeModel m = new CdvaeModel(s, SmallModels.smallConfig());
        m.initialise(new Random(seed));
        SmallModels.randomise(s, seed, 0.5);
        return m;
    }

    static Tensor parameter(long rows, long cols, long seed) {
        return Tensor.parameter(Latent.standardNormal(rows, cols, new Random(seed), DataType.DOUBLE));
    }

    private static void check(String what, List<Tensor> inputs, Function<Tape, Tensor> f, boolean training) {
        GradientCheck.Result r = GradientCheck.check(inputs, f, GradientCheck.Options.defaults().training(training).maxPerInput(3).tolerance(1e-5, 1e-8));
        assertTrue(r.passed(), what + ": " + r);
    }

    private static List<Tensor> scope(CdvaeModel m, String... prefixes) {
        List<Tensor> r = new ArrayList<>();
        for (ParameterStore.Entry e : m.store().entries()) {
            if (!e.trainable()) continue;
            for (String p : prefixes) if (e.name().startsWith(p)) r.add(e.tensor());
        }
        assertTrue(!r.isEmpty(), "no parameters under " + String.join(",", prefixes));
        return r;
    }

    @Test
    void namesFollowTheOfficialStateDict() {
        CdvaeModel m = model(1);
        var keys = m.store().stateDict().keySet();
        for (String k : new String[]{"sigmas", "type_sigmas", "conditions_predict.0.mlp.5.bias", "conditions_predict.1.mlp.0.weight",
                "condition_model.condition_embModel.0.gaussian_expansion.offsets", "condition_model.condition_embModel.0.dense_net.4.weight",
                "condition_model.condition_embModel.1.embedding_layer.weight", "condition_model.condition_embModel.1.dense_net.2.weight",
                "condition_model.condition_embModel.2.dense_net.4.bias", "condition_model.dense_net.4.weight",
                "z_condition.1.running_var", "z_condition.3.weight", "time_mlp.1.weight", "encoder.rbf.freq",
                "encoder.output_blocks.2.lin_up.bias", "encoder.interaction_blocks.1.layers_after_skip.1.lin2.bias",
                "fc_mu.weight", "fc_var.bias", "fc_num_atoms.3.weight", "fc_lattice.1.num_batches_tracked", "fc_composition.3.bias"}) {
            assertTrue(keys.contains(k), k + " missing from " + keys);
        }
        assertEquals(7, m.store().entry("fc_num_atoms.3.weight").array().size(0), "max_atoms + 1 classes");
        assertEquals(4 + 3 + 3, m.store().entry("condition_model.dense_net.0.weight").array().size(1), "mixer input = Σ n_features");
        assertEquals(7, m.store().entry("condition_model.condition_embModel.0.gaussian_expansion.offsets").array().length(), "ceil(3/0.5)+1");
        double[] sig = m.sigmas().toDoubleVector();
        assertEquals(10.0, sig[0], 1e-6);
        assertEquals(0.01, sig[sig.length - 1], 1e-8);
    }

    @Test
    void klAndReparameterisationFollowTheFormulas() {
        INDArray mu = Latent.standardNormal(3, 4, new Random(5), DataType.DOUBLE);
        INDArray lv = Latent.standardNormal(3, 4, new Random(6), DataType.DOUBLE).muli(0.3);
        INDArray eps = Latent.standardNormal(3, 4, new Random(7), DataType.DOUBLE);
        try (Tape t = Tape.inference()) {
            double kl = Latent.kl(t, t.constant(mu), t.constant(lv)).item();
            double expected = 0;
            for (int b = 0; b < 3; b++) {
                double s = 0;
                for (int d = 0; d < 4; d++) {
                    double m = mu.getDouble(b, d), l = lv.getDouble(b, d);
                    s += 1 + l - m * m - Math.exp(l);
                }
                expected += -0.5 * s / 3;
            }
            assertEquals(expected, kl, 1e-12);
            INDArray z = Latent.reparameterise(t, t.constant(mu), t.constant(lv), eps).value();
            assertEquals(mu.getDouble(2, 1) + Math.exp(0.5 * lv.getDouble(2, 1)) * eps.getDouble(2, 1), z.getDouble(2, 1), 1e-12);
        }
    }

    @Test
    void latticeDecodingUsesTheScalerAndCubeRootOfAtomCounts() {
        double[] mean = {2.4, 2.7, 3.6, 88, 85, 86}, std = {0.5, 0.6, 1.5, 18, 16, 19};
        INDArray x = Latent.standardNormal(B, 6, new Random(8), DataType.DOUBLE);
        try (Tape t = Tape.inference()) {
            INDArray la = CrystalStatsHeads.lengthsAndAngles(t, t.constant(x), NUM_ATOMS, mean, std).value();
            for (int b = 0; b < B; b++) {
                for (int k = 0; k < 6; k++) {
                    double s = x.getDouble(b, k) * std[k] + mean[k];
                    double want = k < 3 ? s * Math.cbrt(NUM_ATOMS[b]) : s;
                    assertEquals(want, la.getDouble(b, k), 1e-5 * Math.abs(want));
                }
            }
        }
    }

    @Test
    void timeEmbeddingMatchesTheReference() {
        // batch8_decoder: noise levels → time_emb (float32 reference, tolerance atol 2e-5 per reference/README.md)
        Safetensors dec = Safetensors.read(SharedData.path("reference/batch8_decoder.safetensors"));
        Safetensors w = Safetensors.read(SharedData.path("reference/cdvae_weights.safetensors"));
        ParameterStore s = new ParameterStore(DataType.FLOAT);
        TimeEmbedding te = new TimeEmbedding(s, "time_mlp", 64);
        s.tensor("time_mlp.1.weight").value().assign(w.toNd("time_mlp.1.weight", DataType.FLOAT));
        s.tensor("time_mlp.1.bias").value().assign(w.toNd("time_mlp.1.bias", DataType.FLOAT));
        try (Tape t = Tape.inference()) {
            long[] lv = dec.longs("noise_level");
            double[] levels = new double[lv.length];
            for (int i = 0; i < lv.length; i++) levels[i] = lv[i];
            INDArray ours = te.forward(t, levels).value().castTo(DataType.DOUBLE);
            double[] ref = dec.doubles("time_emb");
            double[] o = ours.reshape(ours.length()).toDoubleVector();
            double max = 0;
            for (int i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(ref[i] - o[i]));
            System.out.printf("time_emb max abs error %.3e%n", max);
            assertTrue(max <= 2e-5, "time_emb max abs error " + max);
        }
    }

    @Test
    void conditionBlocksGradients() {
        CdvaeModel m = model(2);
        // scalar, class and vector embeddings and the mixer (no BatchNorm)
        check("condition_model", scope(m, "condition_model."), t -> m.conditions(t, VALUES, B, Probe.NONE), true);
    }

    @Test
    void zConditionAndStatisticsHeadsGradients() {
        CdvaeModel m = model(3);
        Tensor z = parameter(B, 5, 11);
        INDArray c = Latent.standardNormal(B, 5, new Random(12), DataType.DOUBLE);
        double[] mean = {2.4, 2.7, 3.6, 88, 85, 86}, std = {0.5, 0.6, 1.5, 18, 16, 19};
        int[] types = {0, 5, 7, 99, 1, 2, 3, 4, 5, 6};
        for (boolean training : new boolean[]{true, false}) {
            List<Tensor> in = scope(m, "z_condition.", "fc_num_atoms.", "fc_lattice.", "fc_composition.");
            in.add(z);
            check("z_condition + heads (BatchNorm " + (training ? "train" : "eval") + ")", in, t -> {
                Tensor zc = m.zCondition(t, z, t.constant(c));
                CrystalStatsHeads h = m.heads();
                Tensor natom = t.crossEntropy(h.numAtomsLogits(t, zc), new int[]{3, 1, 2, 4});
                Tensor lat = CrystalStatsHeads.lengthsAndAngles(t, h.scaledLattice(t, zc), NUM_ATOMS, mean, std);
                Tensor comp = t.crossEntropy(h.compositionLogits(t, zc, NUM_ATOMS), types);
                return t.add(t.add(natom, t.mul(t.mean(lat), 0.01)), comp);
            }, training);
        }
    }

    @Test
    void predictorsTimeAndLatentGradients() {
        CdvaeModel m = model(4);
        Tensor h = parameter(B, 5, 13);
        INDArray eps = Latent.standardNormal(B, 5, new Random(14), DataType.DOUBLE);
        List<Tensor> in = scope(m, "conditions_predict.", "fc_mu.", "fc_var.", "time_mlp.");
        in.add(h);
        check("latent + predictors + time", in, t -> {
            Latent.Encoded e = m.latent().encode(t, h, eps, Probe.NONE);
            Tensor loss = Latent.kl(t, e.mu(), e.logVar());
            for (PropertyPredictor p : m.predictors()) loss = t.add(loss, p.loss(t, p.forward(t, e.z()), VALUES.get(p.name())));
            Tensor time = m.timeEmbedding().forward(t, new double[]{0, 7, 30, 49});
            return t.add(loss, t.mean(t.mul(time, time)));
        }, true);
    }

    @Test
    void badConditionValuesAreClearErrors() {
        CdvaeModel m = model(5);
        try (Tape t = Tape.inference()) {
            var e = assertThrows(InvalidInputException.class, () -> m.conditions(t, Map.of("e_form", new double[B]), B, Probe.NONE));
            assertTrue(e.getMessage().contains("'cs'"), e.getMessage());
            var e2 = assertThrows(InvalidInputException.class, () -> m.conditions(t,
                    Map.of("e_form", new double[B], "cs", new double[]{0, 1, 9, 2}, "formula", new double[16]), B, Probe.NONE));
            assertTrue(e2.getMessage().contains("class 9.0 of crystal 2"), e2.getMessage());
        }
    }
}
