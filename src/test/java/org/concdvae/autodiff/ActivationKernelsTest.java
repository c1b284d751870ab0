package org.concdvae.autodiff;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationKernelsTest {

    private static double silu(double x) { return x / (1 + Math.exp(-x)); }

    @Test
    void siluMatchesDoublePrecisionWithinTwoUlpsOverTheFloatRange() {
        Random r = new Random(7);
        int n = 200_003;                         // not a multiple of the chunk size
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * (i % 3 == 0 ? 30 : 3));
        float[] special = {0f, -0f, 1e-30f, -1e-30f, 86.9f, 87.5f, 88.5f, -86.9f, -87.5f, -88.5f, -100f, 100f, 1e5f, -1e5f};
        System.arraycopy(special, 0, x, 0, special.length);
        INDArray in = Nd4j.create(x, new long[]{n}, DataType.FLOAT);
        float[] y = ActivationKernels.silu(in, 1f).toFloatVector();
        float[] ys = ActivationKernels.silu(in, (float) (1 / 0.6)).toFloatVector();
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double ref = silu(x[i]);
            if (Math.abs(ref) < 1e-30) {                    // far negative tail: σ underflows, the value is ~0
                assertTrue(Math.abs(y[i]) < 1e-30, "x=" + x[i] + " gave " + y[i]);
                continue;
            }
            worst = Math.max(worst, Math.abs(y[i] - ref) / Math.abs(ref));
            assertEquals(ref / 0.6, ys[i], Math.abs(ref / 0.6) * 4e-7, "scaled at x=" + x[i]);
        }
        assertTrue(worst < 2.5e-7, "max relative error " + worst);
    }

    @Test
    void nanPropagatesAndInfinityIsTheIdentity() {
        INDArray in = Nd4j.create(new float[]{Float.NaN, Float.POSITIVE_INFINITY}, new long[]{2}, DataType.FLOAT);
        float[] y = ActivationKernels.silu(in, 1f).toFloatVector();
        assertTrue(Float.isNaN(y[0]));
        assertEquals(Float.POSITIVE_INFINITY, y[1]);
    }

    @Test
    void tapeSiluUsesTheKernelForViewsAndMatchesTheNativeOp() {
        INDArray base = Nd4j.rand(DataType.FLOAT, 50, 40).subi(0.5).muli(20);
        INDArray view = base.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(5, 45),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 33));     // strided view
        try (Tape t = Tape.inference()) {
            INDArray ours = t.scaledSilu(t.constant(view)).value();
            INDArray nativeOp = org.nd4j.linalg.ops.transforms.Transforms.sigmoid(view, true).muli(view).muli(1 / 0.6);
            assertEquals(0, ours.sub(nativeOp).norm1Number().doubleValue() / ours.length(), 1e-6);
            assertTrue(ours.equalsWithEps(nativeOp, 1e-5));
        }
    }

    @Test
    void fusedDenseActivationInInferenceEqualsTheRecordedComposition() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 300, 24).subi(0.5).muli(6);
        INDArray w = Nd4j.rand(DataType.FLOAT, 16, 24).subi(0.5);
        INDArray fused, composed;
        try (Tape t = Tape.inference()) {
            fused = t.linearScaledSilu(t.constant(x), t.constant(w)).value().dup();
        }
        try (Tape t = Tape.training()) {
            composed = t.scaledSilu(t.linear(t.constant(x), t.constant(w), null)).value().dup();
        }
        assertEquals(0, fused.sub(composed).amaxNumber().doubleValue(), 0.0);   // same kernel, same bits
        INDArray view = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 10), org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertTrue(!ActivationKernels.siluInPlace(view, 1f), "views are left alone");
    }

    @Test
    void siluGradientMatchesDoublePrecision() {
        Random r = new Random(11);
        int n = 50_001;
        float[] x = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * (i % 2 == 0 ? 20 : 3));
            g[i] = (float) r.nextGaussian();
        }
        float[] d = ActivationKernels.siluBackward(Nd4j.create(x, new long[]{n}, DataType.FLOAT),
                Nd4j.create(g, new long[]{n}, DataType.FLOAT), (float) (1 / 0.6)).toFloatVector();
        for (int i = 0; i < n; i++) {
            double s = 1 / (1 + Math.exp(-x[i]));
            double ref = g[i] / 0.6 * s * (1 + x[i] * (1 - s));
            // 1 − σ in float loses relative precision as σ → 1 (as in any float32 implementation): 1e-5 relative
            assertEquals(ref, d[i], 1e-5 * Math.max(1, Math.abs(ref)), "x=" + x[i]);
        }
    }

    @Test
    void vectorApiPathGivesTheBitsOfThePlainLoops() {
        assertTrue(Simd.available(), "the test JVM runs with --add-modules jdk.incubator.vector");
        Random r = new Random(5);
        int n = 70_001;                          // a tail shorter than a vector
        float[] x = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * (i % 4 == 0 ? 40 : 4));
            g[i] = (float) r.nextGaussian();
        }
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 87.5f, -88.5f, 1e9f, -1e9f};
        System.arraycopy(special, 0, x, 0, special.length);
        INDArray xs = Nd4j.create(x, new long[]{n}, DataType.FLOAT), gs = Nd4j.create(g, new long[]{n}, DataType.FLOAT);
        float[][] out = new float[2][], back = new float[2][];
        try {
            for (int pass = 0; pass < 2; pass++) {
                Simd.use(pass == 0);
                out[pass] = ActivationKernels.silu(xs, 1.25f).toFloatVector();
                back[pass] = ActivationKernels.siluBackward(xs, gs, 1.25f).toFloatVector();
            }
        } finally {
            Simd.use(true);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(out[1][i]), Float.floatToRawIntBits(out[0][i]), "silu at x=" + x[i]);
            assertEquals(Float.floatToRawIntBits(back[1][i]), Float.floatToRawIntBits(back[0][i]), "gradient at x=" + x[i]);
        }
    }
}
