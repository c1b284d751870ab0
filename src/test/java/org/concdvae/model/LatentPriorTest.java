package org.concdvae.model;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.crystal.Composition;
import org.concdvae.io.InvalidInputException;
import org.concdvae.nn.AdamOptimizer;
import org.concdvae.nn.ParameterStore;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The prior's structure, loss and sampling on small widths, and the formula features. */
class LatentPriorTest {

    private static Config.Prior tiny() { return ConfigLoader.resolve("tiny", List.of()).prior(); }

    @Test
    void officialNamesAndWidths() {
        LatentPrior p = new LatentPrior(new ParameterStore(DataType.FLOAT), ConfigLoader.defaults(List.of()).prior());
        Map<String, INDArray> sd = p.store().stateDict();
        assertArrayEquals(new long[]{128, 448}, sd.get("decoder.downmodel.0.weight").shape());
        assertArrayEquals(new long[]{32, 256}, sd.get("decoder.downmodel.2.weight").shape());
        assertArrayEquals(new long[]{64, 224}, sd.get("decoder.upmodel.0.weight").shape());
        assertArrayEquals(new long[]{256, 320}, sd.get("decoder.upmodel.2.weight").shape());
        assertArrayEquals(new long[]{32, 224}, sd.get("decoder.middle_mpl.weight").shape());
        assertArrayEquals(new long[]{256, 448}, sd.get("decoder.output_mlp.weight").shape());
        assertEquals(39, sd.size());
        assertEquals(396_864, p.store().trainableCount(), "prior.md §4 parameter count ('default')");
        assertEquals(0.0, p.schedule("posterior_variance", 0), "posterior variance at t = 0");
    }

    @Test
    void trainingReducesTheLossOnAFixedLatent() {
        Nd4j.getRandom().setSeed(1);
        LatentPrior p = new LatentPrior(new ParameterStore(DataType.FLOAT), tiny());
        p.initialise(new Random(3));
        int b = 16, d = p.latentDim();
        INDArray z0 = Nd4j.rand(DataType.FLOAT, b, d).subi(0.5);
        double[] fe = new double[b];
        for (int i = 0; i < b; i++) fe[i] = -2 + 0.1 * i;
        Map<String, double[]> cond = Map.of("formation_energy_per_atom", fe);
        AdamOptimizer opt = new AdamOptimizer(p.store(), 1e-2, 0.9, 0.999, 1e-8, 0.5);
        Random r = new Random(5);
        double first = 0, last = 0;
        for (int step = 0; step < 80; step++) {
            try (Tape t = Tape.training()) {
                Tensor loss = p.loss(t, t.constant(z0), cond, r);
                t.backward(loss);
                opt.step();
                if (step < 10) first += loss.item() / 10;
                if (step >= 70) last += loss.item() / 10;
            }
        }
        assertTrue(last < 0.85 * first, "loss " + first + " -> " + last);
    }

    @Test
    void qSampleAndReverseMeanFormulas() {
        LatentPrior p = new LatentPrior(new ParameterStore(DataType.DOUBLE), tiny());
        p.initialise(new Random(1));
        int d = p.latentDim();
        INDArray z = Nd4j.rand(DataType.DOUBLE, 2, d), e = Nd4j.rand(DataType.DOUBLE, 2, d);
        int[] lv = {0, p.steps() - 1};
        try (Tape t = Tape.inference()) {
            INDArray q = p.qSample(t, t.constant(z), lv, t.constant(e)).value();
            INDArray m = p.reverseMean(t, t.constant(z), t.constant(e), lv).value();
            for (int i = 0; i < 2; i++) {
                int l = lv[i];
                double a = p.schedule("sqrt_alphas_cumprod", l), s = p.schedule("sqrt_one_minus_alphas_cumprod", l);
                assertEquals(1.0, a * a + s * s, 1e-6);   // float32 schedule
                double bl = p.schedule("betas", l), ra = p.schedule("sqrt_recip_alphas", l);
                for (int k = 0; k < d; k++) {
                    assertEquals(a * z.getDouble(i, k) + s * e.getDouble(i, k), q.getDouble(i, k), 1e-12);
                    assertEquals(ra * (z.getDouble(i, k) - bl * e.getDouble(i, k) / s), m.getDouble(i, k), 1e-10);
                }
            }
        }
    }

    @Test
    void samplingIsDeterministicForASeed() {
        LatentPrior p = new LatentPrior(new ParameterStore(DataType.FLOAT), tiny());
        p.initialise(new Random(2));
        Map<String, double[]> c = Map.of("formation_energy_per_atom", new double[]{-1, -1, -2});
        INDArray zT = Latent.standardNormal(3, p.latentDim(), new Random(4), DataType.FLOAT);
        INDArray a = p.sample(c, zT, new Random(9)), b = p.sample(c, zT, new Random(9)), other = p.sample(c, zT, new Random(10));
        assertEquals(a, b);
        assertNotEquals(a, other);
        assertArrayEquals(new long[]{3, p.latentDim()}, a.shape());
    }

    @Test
    void samplingEqualsTheStepwiseReverseProcess() {
        LatentPrior p = new LatentPrior(new ParameterStore(DataType.DOUBLE), tiny());
        p.initialise(new Random(2));
        Map<String, double[]> c = Map.of("formation_energy_per_atom", new double[]{-1, -3});
        INDArray zT = Latent.standardNormal(2, p.latentDim(), new Random(4), DataType.DOUBLE);
        INDArray fast = p.sample(c, zT, new Random(9));
        Random r = new Random(9);
        INDArray z = zT.dup(), mean = null;
        for (int level = p.steps() - 1; level >= 0; level--) {
            try (Tape t = Tape.inference()) {
                int[] lv = {level, level};
                Tensor zt = t.constant(z);
                Tensor eps = p.denoise(t, zt, p.conditionEmbedding(t, c, 2, Probe.NONE), p.timeEmbedding(t, lv));
                mean = p.reverseMean(t, zt, eps, lv).value().dup();
            }
            z = level > 0 ? mean.add(Latent.standardNormal(2, p.latentDim(), r, DataType.DOUBLE).muli(p.posteriorStd(level))) : mean;
        }
        assertEquals(0, fast.sub(z).amaxNumber().doubleValue(), 1e-10);
    }

    @Test
    void formulaFeatures() {
        Composition c = ElementFeatures.parseFormula("SrTiO3");
        assertEquals(1, c.count(38));
        assertEquals(1, c.count(22));
        assertEquals(3, c.count(8));
        assertEquals(2, ElementFeatures.parseFormula("OO").count(8));
        assertThrows(InvalidInputException.class, () -> ElementFeatures.parseFormula("Xx2"));
        assertThrows(InvalidInputException.class, () -> ElementFeatures.parseFormula("sr"));
        assertThrows(InvalidInputException.class, () -> ElementFeatures.parseFormula(""));

        ElementFeatures f = ElementFeatures.builtIn();
        assertEquals(92, f.width());
        for (int z = 1; z <= 100; z++) {
            double[] v = f.of(z);
            double group = 0, period = 0, block = 0;
            for (int k = 0; k < 19; k++) group += v[k];
            for (int k = 19; k < 26; k++) period += v[k];
            for (int k = 78; k < 82; k++) block += v[k];
            assertEquals(1, group, "Z=" + z);
            assertEquals(1, period, "Z=" + z);
            assertEquals(1, block, "Z=" + z);
        }
        double[] m = f.mean("SrTiO3"), sr = f.of(38), ti = f.of(22), o = f.of(8);
        for (int k = 0; k < 92; k++) assertEquals((sr[k] + ti[k] + 3 * o[k]) / 5, m[k], 1e-12);

        // CGCNN's own table in the same layout loads as a file (prior.formula_features)
        ElementFeatures cgcnn = ElementFeatures.load(SharedData.path("evaluators/atom_init.json"));
        assertEquals(92, cgcnn.width());
        double[] h = cgcnn.of(1);
        assertEquals(1.0, h[1], "H: group 1 bucket");
        assertEquals(1.0, h[19], "H: period 1 bucket");
    }
}
