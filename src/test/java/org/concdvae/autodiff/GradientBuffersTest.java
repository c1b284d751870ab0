package org.concdvae.autodiff;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Several tapes on several threads over shared parameters: each tape's parameter gradients go to its own buffers
 * (the shared parameters' gradients stay untouched), the results equal the same passes run one after another, and a
 * tape that does not keep running statistics leaves BatchNorm's buffers alone.
 */
class GradientBuffersTest {
    static INDArray random(long seed, long... shape) {
        Random r = new Random(seed);
        INDArray a = Nd4j.create(DataType.FLOAT, shape);
        for (long i = 0; i < a.length(); i++) a.putScalar(i, (float) r.nextGaussian());
        return a;
    }

    /** A small MLP with BatchNorm: loss = mean(relu(bn(x·Wᵀ + b))²). */
    static Tensor loss(Tape t, Tensor w, Tensor b, Tensor gamma, Tensor beta, INDArray rm, INDArray rv, INDArray x) {
        Tensor h = t.linear(t.constant(x), w, b);
        Tensor n = t.batchNorm(h, gamma, beta, rm, rv, t.isTraining(), 0.1, 1e-5);
        Tensor r = t.relu(n);
        return t.mean(t.mul(r, r));
    }

    @Test
    void tapesOnThreadsKeepTheirOwnGradients() throws Exception {
        Tensor w = Tensor.parameter(random(1, 8, 16)), b = Tensor.parameter(random(2, 8));
        Tensor gamma = Tensor.parameter(Nd4j.ones(DataType.FLOAT, 8)), beta = Tensor.parameter(Nd4j.zeros(DataType.FLOAT, 8));
        INDArray rm = Nd4j.zeros(DataType.FLOAT, 8), rv = Nd4j.ones(DataType.FLOAT, 8);
        int replicas = 4, passes = 20;
        List<INDArray> inputs = new ArrayList<>();
        for (int r = 0; r < replicas; r++) inputs.add(random(10 + r, 32, 16));
        Tensor[] params = {w, b, gamma, beta};

        // one after another, each into its own buffers
        List<float[][]> expected = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            GradientBuffers g = new GradientBuffers();
            for (int p = 0; p < passes; p++) {
                try (Tape t = Tape.training().gradientsInto(g).runningStatistics(false)) {
                    t.backward(loss(t, w, b, gamma, beta, rm, rv, inputs.get(r)));
                }
            }
            float[][] e = new float[params.length][];
            for (int i = 0; i < params.length; i++) e[i] = g.get(params[i]).dup().data().asFloat();
            expected.add(e);
        }
        assertArrayEquals(new float[8], rm.data().asFloat(), "running statistics untouched");

        // side by side on threads
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        List<Future<float[][]>> got = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            final int rr = r;
            got.add(pool.submit(() -> {
                GradientBuffers g = new GradientBuffers();
                for (int p = 0; p < passes; p++) {
                    try (Tape t = Tape.training().gradientsInto(g).runningStatistics(false)) {
                        t.backward(loss(t, w, b, gamma, beta, rm, rv, inputs.get(rr)));
                    }
                }
                float[][] e = new float[params.length][];
                for (int i = 0; i < params.length; i++) e[i] = g.get(params[i]).dup().data().asFloat();
                return e;
            }));
        }
        for (int r = 0; r < replicas; r++) {
            float[][] e = expected.get(r), a = got.get(r).get();
            for (int i = 0; i < params.length; i++) assertArrayEquals(e[i], a[i], "replica " + r + " parameter " + i);
        }
        pool.shutdown();
        for (Tensor p : params) assertNull(p.grad(), "the shared parameters received nothing");
        assertArrayEquals(new float[8], rm.data().asFloat(), "running statistics untouched");

        // a default tape writes into the parameters and updates the running statistics
        try (Tape t = Tape.training()) {
            t.backward(loss(t, w, b, gamma, beta, rm, rv, inputs.get(0)));
        }
        float[] once = w.grad().dup().data().asFloat();
        GradientBuffers g = new GradientBuffers();
        try (Tape t = Tape.training().gradientsInto(g)) {
            t.backward(loss(t, w, b, gamma, beta, rm, rv, inputs.get(0)));
        }
        assertArrayEquals(once, g.get(w).dup().data().asFloat(), "same gradient either way");
        assertEquals(false, rm.sumNumber().doubleValue() == 0.0, "running mean updated");
        g.clear();
        assertNull(g.get(w));
    }
}
