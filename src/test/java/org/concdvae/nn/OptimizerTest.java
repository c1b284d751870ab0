package org.concdvae.nn;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Adam + clipping against the PyTorch formulas; ReduceLROnPlateau against PyTorch's rules. */
class OptimizerTest {
    private static DataType savedDefault, savedFloat;

    @BeforeAll
    static void doublePrecision() {
        savedDefault = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() { Nd4j.setDefaultDataTypes(savedDefault, savedFloat); }

    /** PyTorch Adam (torch/optim/adam.py, single tensor): three steps with clipping, to 1e-15 relative. */
    @Test
    void threeAdamStepsMatchPyTorchFormula() {
        ParameterStore s = new ParameterStore();
        Tensor w = s.parameter("w", 4);
        Tensor unused = s.parameter("unused", 2);
        double[] p = {0.5, -1.0, 2.0, 1e-3};
        w.value().assign(Nd4j.createFromArray(p));
        double[][] grads = {{0.1, -0.7, 2e-9, 0.3}, {0.2, 0.9, -1e-9, -0.4}, {-0.05, 0.01, 0.0, 0.6}};
        double lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8, clip = 0.5;
        AdamOptimizer opt = new AdamOptimizer(s, lr, b1, b2, eps, clip);
        double[] m = new double[4], v = new double[4], ref = p.clone();
        for (int step = 1; step <= 3; step++) {
            try (Tape t = Tape.training()) {
                Tensor g = t.constant(Nd4j.createFromArray(grads[step - 1]));
                t.backward(t.sum(t.mul(w, g)));       // d/dw Σ w·g = g
            }
            opt.step();
            for (int i = 0; i < 4; i++) {
                double gi = Math.max(-clip, Math.min(clip, grads[step - 1][i]));
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
                double denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + eps;
                ref[i] -= lr / bc1 * m[i] / denom;
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(ref[i], w.value().getDouble(i), 1e-15 + 1e-12 * Math.abs(ref[i]), "step " + step + " element " + i);
            }
        }
        assertEquals(0.0, unused.value().sumNumber().doubleValue(), "a parameter without gradient is not updated");
        assertNull(w.grad(), "step() clears the gradients");
    }

    /**
     * The fused host pass against ND4J's own AdamUpdater (the path other backends take), five steps with clipping and
     * gradients spanning the clip, in float32 and float64 and on a parameter large enough to be split over threads.
     */
    @Test
    void fusedUpdateMatchesNd4jAdamUpdater() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (int n : new int[]{7, 70_001}) {
                ParameterStore s = new ParameterStore(type);
                Tensor w = s.parameter("w", n);
                java.util.Random r = new java.util.Random(n);
                double[] init = new double[n];
                for (int i = 0; i < n; i++) init[i] = r.nextGaussian();
                w.value().assign(Nd4j.createFromArray(init).castTo(type));
                INDArray ref = w.value().dup();
                AdamOptimizer opt = new AdamOptimizer(s, 2e-3, 0.9, 0.999, 1e-8, 0.5);
                org.nd4j.linalg.learning.config.Adam cfg = new org.nd4j.linalg.learning.config.Adam(2e-3, 0.9, 0.999, 1e-8);
                org.nd4j.linalg.learning.AdamUpdater nd4j = new org.nd4j.linalg.learning.AdamUpdater(cfg);
                nd4j.setStateViewArray(Nd4j.zeros(type, 1, 2L * n), new long[]{n}, 'c', true);
                double worst = 0;
                for (int step = 1; step <= 5; step++) {
                    double[] gd = new double[n];
                    for (int i = 0; i < n; i++) gd[i] = r.nextGaussian() * (i % 3 == 0 ? 2.0 : 0.1);
                    INDArray g = Nd4j.createFromArray(gd).castTo(type);
                    try (Tape t = Tape.training()) {
                        t.backward(t.sum(t.mul(w, t.constant(g))));
                    }
                    assertTrue(AdamOptimizer.fusable(w.value(), w.grad(), Nd4j.zeros(type, 1, 2L * n)), "the fused pass runs");
                    opt.step();
                    INDArray gc = org.nd4j.linalg.ops.transforms.Transforms.max(
                            org.nd4j.linalg.ops.transforms.Transforms.min(g, 0.5, true), -0.5, false);
                    cfg.setEpsilon(1e-8 * Math.sqrt(1 - Math.pow(0.999, step)));
                    nd4j.applyUpdater(gc, step - 1, 0);
                    ref.subi(gc);
                    worst = Math.max(worst, w.value().sub(ref).amaxNumber().doubleValue());
                }
                // rounding only: at most two units in the last place of the largest parameter (|w| < 8 here)
                double ulp = type == DataType.FLOAT ? Math.ulp(8f) : Math.ulp(8.0);
                assertTrue(worst <= 2 * ulp, type + " n=" + n + " worst " + worst);
            }
        }
    }

    /** PyTorch ReduceLROnPlateau(mode=min, factor .6, patience 30, min_lr 1e-4, threshold 1e-4 rel). */
    @Test
    void plateauReducesAfterPatienceAndStopsAtMinLr() {
        ReduceLROnPlateau s = ReduceLROnPlateau.official(1e-3);
        assertEquals(1e-3, s.step(1.0));
        for (int e = 0; e < 30; e++) assertEquals(1e-3, s.step(0.99995), "within the 1e-4 relative threshold: no improvement");
        assertEquals(6e-4, s.step(1.0), 1e-18, "31st bad epoch reduces");
        assertEquals(6e-4, s.step(0.5), 1e-18);
        for (int e = 0; e < 31; e++) s.step(0.5);
        assertEquals(3.6e-4, s.learningRate(), 1e-18);
        for (int k = 0; k < 5; k++) for (int e = 0; e < 31; e++) s.step(0.5);
        assertEquals(1e-4, s.learningRate(), 1e-18, "clamped at min_lr");
    }

    @Test
    void optimiserStateRoundTrips() {
        ParameterStore s = new ParameterStore();
        Tensor w = s.parameter("w", 3);
        AdamOptimizer a = AdamOptimizer.official(s);
        try (Tape t = Tape.training()) {
            t.backward(t.sum(t.mul(w, w)));
        }
        w.value().assign(Nd4j.createFromArray(1.0, 2.0, 3.0));
        try (Tape t = Tape.training()) {
            t.backward(t.sum(t.mul(w, w)));
        }
        a.step();
        AdamOptimizer b = AdamOptimizer.official(s);
        b.loadStateDict(a.stateDict(), "ckpt");
        INDArray before = w.value().dup();
        ParameterStore s2 = s; // same parameters, two optimisers from the same state must agree
        try (Tape t = Tape.training()) {
            t.backward(t.sum(t.mul(w, w)));
        }
        INDArray g = w.grad().dup();
        a.step();
        INDArray afterA = w.value().dup();
        w.value().assign(before);
        try (Tape t = Tape.training()) {
            t.backward(t.sum(t.mul(w, w)));
        }
        assertEquals(g, w.grad());
        b.step();
        assertEquals(afterA, w.value());
        assertEquals(s2.trainable().size(), 1);
    }
}
