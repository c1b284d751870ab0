package org.concdvae.nn;

import org.concdvae.autodiff.Simd;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TripletBilinearTest {

    /** Z, dL/dx and dL/dW1 for L = Σ Z·G, in the requested precision. */
    private static float[][] run(TripletBilinear tb, INDArray x, INDArray w1, INDArray g) {
        Tensor xt = Tensor.parameter(x.dup()), wt = Tensor.parameter(w1.dup());
        try (Tape t = Tape.training()) {
            Tensor z = tb.forward(t, xt, wt);
            float[] zv = z.value().castTo(DataType.FLOAT).ravel().toFloatVector();
            t.backward(t.sum(t.mul(z, t.constant(g))));
            return new float[][]{zv, xt.grad().castTo(DataType.FLOAT).ravel().toFloatVector(), wt.grad().castTo(DataType.FLOAT).ravel().toFloatVector()};
        }
    }

    @Test
    void vectorApiPathMatchesThePlainLoopsAndTheDoublePath() {
        compareWithPlainLoops(7);      // the official num_spherical: the register-blocked loops
    }

    @Test
    void vectorApiPathForOtherSphericalCounts() {
        compareWithPlainLoops(5);      // the generic loops
    }

    /**
     * The backward pass keeps a per-thread buffer for its triplet gradients and writes every element before reading it:
     * after a larger call has left other values in the buffer, a call gives the same bits as on a fresh thread.
     */
    @Test
    void aReusedTripletBufferGivesTheSameBitsAsAFreshThread() throws Exception {
        for (boolean simd : new boolean[]{true, false}) {
            try {
                Simd.use(simd);
                Object[] small = instance(11, 300, 5000), large = instance(12, 900, 20_000);
                float[][] fresh = onFreshThread(small);
                run((TripletBilinear) large[0], (INDArray) large[1], (INDArray) large[2], (INDArray) large[3]);
                float[][] reused = run((TripletBilinear) small[0], (INDArray) small[1], (INDArray) small[2], (INDArray) small[3]);
                for (int part = 0; part < 3; part++) assertArrayEquals(fresh[part], reused[part], 0f, "simd " + simd + ", part " + part);
            } finally {
                Simd.use(true);
            }
        }
    }

    private static float[][] onFreshThread(Object[] inst) throws Exception {
        float[][][] out = new float[1][][];
        Thread th = new Thread(() -> out[0] = run((TripletBilinear) inst[0], (INDArray) inst[1], (INDArray) inst[2], (INDArray) inst[3]));
        th.start();
        th.join();
        return out[0];
    }

    /** A random layer of {@code e} edges and {@code nt} triplets with its x, W1 and output gradient. */
    private static Object[] instance(long seed, int e, int nt) {
        Random r = new Random(seed);
        int s = 7, k = 64, c = 16;
        int[] ba = new int[nt], ca = new int[nt];
        double[] cbf = new double[nt * s];
        for (int i = 0; i < nt; i++) {
            ba[i] = r.nextInt(e);
            ca[i] = r.nextInt(e);
        }
        for (int i = 0; i < cbf.length; i++) cbf[i] = r.nextGaussian();
        Nd4j.getRandom().setSeed(seed);
        return new Object[]{new TripletBilinear(e, ba, ca, cbf, s), Nd4j.randn(DataType.FLOAT, e, k),
                Nd4j.randn(DataType.FLOAT, e, (long) c * s), Nd4j.randn(DataType.FLOAT, e, (long) c * k)};
    }

    private static void compareWithPlainLoops(int s) {
        assertTrue(Simd.available(), "the test JVM runs with --add-modules jdk.incubator.vector");
        Random r = new Random(3 + s);
        int e = 900, k = 64, c = 16, nt = 14_000;
        int[] ba = new int[nt], ca = new int[nt];
        double[] cbf = new double[nt * s];
        for (int i = 0; i < nt; i++) {
            ba[i] = r.nextInt(e);
            ca[i] = r.nextInt(e - 10);          // the last edges have no triplets
        }
        for (int i = 0; i < cbf.length; i++) cbf[i] = r.nextGaussian();
        TripletBilinear tb = new TripletBilinear(e, ba, ca, cbf, s);
        INDArray x = Nd4j.randn(DataType.FLOAT, e, k), w1 = Nd4j.randn(DataType.FLOAT, e, (long) c * s);
        INDArray g = Nd4j.randn(DataType.FLOAT, e, (long) c * k);
        float[][] vec, plain;
        try {
            Simd.use(true);
            vec = run(tb, x, w1, g);
            Simd.use(false);
            plain = run(tb, x, w1, g);
        } finally {
            Simd.use(true);
        }
        assertArrayEquals(plain[0], vec[0], 0f, "Z: same summation order, same bits");
        assertArrayEquals(plain[1], vec[1], 0f, "dx: same summation order, same bits");
        double worst = 0, scale = 0;
        for (int i = 0; i < plain[2].length; i++) {
            worst = Math.max(worst, Math.abs(plain[2][i] - vec[2][i]));
            scale = Math.max(scale, Math.abs(plain[2][i]));
        }
        assertTrue(worst <= 2e-6 * scale, "dW1 lane-wise sums: " + worst + " of " + scale);

        float[][] dbl = run(tb, x.castTo(DataType.DOUBLE), w1.castTo(DataType.DOUBLE), g.castTo(DataType.DOUBLE));
        for (int part = 0; part < 3; part++) {
            double maxRef = 0, err = 0;
            for (int i = 0; i < dbl[part].length; i++) {
                maxRef = Math.max(maxRef, Math.abs(dbl[part][i]));
                err = Math.max(err, Math.abs(dbl[part][i] - vec[part][i]));
            }
            assertTrue(err <= 1e-5 * maxRef, "part " + part + ": float vs double " + err + " of " + maxRef);
        }
        assertEquals(0f, vec[0][(e - 1) * c * k], "an edge without triplets gets zeros");
    }
}
