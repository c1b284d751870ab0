package org.concdvae.nn;

import org.bytedeco.javacpp.Pointer;
import org.concdvae.autodiff.Index;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Workloads behind {@code concdvae bench memory} and {@code concdvae bench engine}: a small message-passing model
 * (embedding → gather by edge source → MLP → scatter-sum by edge target → MSE, Adam) trained step after step, with
 * the resident set size sampled along the way, and per-op timings.
 */
public final class EngineBenchmark {
    private EngineBenchmark() {}

    /** RSS samples (bytes) at the given steps and the step times (ns). */
    public record MemoryResult(int[] steps, long[] rssBytes, long[] stepNanos) {
        public double medianStepMillis() {
            long[] s = stepNanos.clone();
            Arrays.sort(s);
            return s.length == 0 ? 0 : s[s.length / 2] / 1e6;
        }
    }

    /** Resident set size of this process (JavaCPP reads /proc on Linux). */
    public static long rss() { return Pointer.physicalBytes(); }

    /**
     * Trains the toy graph model for {@code steps} steps on a fixed random graph ({@code atoms} nodes, {@code edges}
     * edges, {@code width} features), sampling RSS every {@code every} steps; {@code progress} is called per step.
     */
    public static MemoryResult memory(int steps, int every, int atoms, int edges, int width, long seed, IntConsumer progress) {
        Random r = new Random(seed);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        Embedding emb = new Embedding(store, "emb", atoms, width).initNormal(r);
        Mlp mlp = new Mlp(store, "mlp", width, width, 2, width).initPyTorch(r);
        Linear out = new Linear(store, "out", width, 1, true).initPyTorch(r);
        AdamOptimizer opt = AdamOptimizer.official(store);
        int[] src = new int[edges], dst = new int[edges], ids = new int[atoms];
        for (int e = 0; e < edges; e++) {
            src[e] = r.nextInt(atoms);
            dst[e] = r.nextInt(atoms);
        }
        for (int i = 0; i < atoms; i++) ids[i] = i;
        Index srcIdx = Index.of(src, atoms), dstIdx = Index.of(dst, atoms), all = Index.of(ids, atoms);
        float[] tv = new float[atoms];
        for (int i = 0; i < atoms; i++) tv[i] = (float) r.nextGaussian();
        INDArray target = Nd4j.create(tv, new long[]{atoms, 1}, DataType.FLOAT);
        List<Integer> at = new ArrayList<>();
        List<Long> rs = new ArrayList<>();
        long[] times = new long[steps];
        for (int s = 0; s < steps; s++) {
            long t0 = System.nanoTime();
            try (Tape t = Tape.training().random(r)) {
                Tensor h = emb.forward(t, all);
                Tensor m = mlp.forward(t, t.gather(h, srcIdx));
                Tensor agg = t.scatterSum(t.silu(m), dstIdx);
                Tensor y = out.forward(t, t.add(agg, h));
                Tensor loss = t.mse(y, t.constant(target));
                t.backward(loss);
                opt.step();
            }
            times[s] = System.nanoTime() - t0;
            if (s % every == 0 || s == steps - 1) {
                at.add(s + 1);
                rs.add(rss());
            }
            if (progress != null) progress.accept(s + 1);
        }
        return new MemoryResult(at.stream().mapToInt(Integer::intValue).toArray(), rs.stream().mapToLong(Long::longValue).toArray(), times);
    }

    /** Median time (µs) of {@code body} over {@code reps} runs after {@code warm} warm-up runs. */
    public static double medianMicros(int warm, int reps, Runnable body) {
        for (int i = 0; i < warm; i++) body.run();
        long[] t = new long[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        return t[reps / 2] / 1e3;
    }

    /** One timed kernel: name, median µs, and the work it does (for a rate). */
    public record OpTiming(String name, double medianMicros, String detail) {}

    private static INDArray gaussian(Random r, long rows, long cols) {
        float[] v = new float[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Nd4j.create(v, new long[]{rows, cols}, DataType.FLOAT);
    }

    /**
     * Median timings of the engine's hot ops at the size of a Con-CDVAE decoder batch ({@code atoms}, {@code edges},
     * {@code triplets}, width {@code width}, triplet width 64 × 7 spherical channels), float32.
     */
    public static List<OpTiming> ops(int atoms, int edges, int triplets, int width, int reps, long seed) {
        Random r = new Random(seed);
        List<OpTiming> out = new ArrayList<>();
        INDArray tiny = gaussian(r, 4, 4);
        Tensor tinyP = Tensor.parameter(gaussian(r, 4, 4));
        out.add(new OpTiming("per-op overhead, forward (add 4x4, no grad)", medianMicros(50, reps * 40, () -> {
            try (Tape t = Tape.inference()) {
                t.add(t.constant(tiny), t.constant(tiny));
            }
        }), "1 op"));
        out.add(new OpTiming("per-op overhead, forward+backward (mul+sum 4x4)", medianMicros(50, reps * 40, () -> {
            try (Tape t = Tape.training()) {
                t.backward(t.sum(t.mul(tinyP, t.constant(tiny))));
            }
        }), "2 ops + backward"));
        INDArray xe = gaussian(r, edges, width);
        INDArray xn = gaussian(r, atoms, width);
        Tensor w = Tensor.parameter(gaussian(r, width, width).muli(0.05)), b = Tensor.parameter(gaussian(r, 1, width).reshape(width));
        int[] src = new int[edges], dst = new int[edges];
        for (int e = 0; e < edges; e++) {
            src[e] = r.nextInt(atoms);
            dst[e] = r.nextInt(atoms);
        }
        Index srcIdx = Index.of(src, atoms), dstIdx = Index.of(dst, atoms);
        out.add(new OpTiming("linear [E,W]x[W,W]+b forward+backward", medianMicros(1, reps, () -> {
            try (Tape t = Tape.training()) {
                t.backward(t.sum(t.linear(t.constant(xe), w, b)));
            }
        }), edges + "x" + width + "x" + width));
        Tensor xeP = Tensor.parameter(xe);
        out.add(new OpTiming("silu [E,W] forward+backward", medianMicros(1, reps, () -> {
            try (Tape t = Tape.training()) {
                t.backward(t.sum(t.silu(xeP)));
            }
            xeP.zeroGrad();
        }), edges + "x" + width));
        out.add(new OpTiming("gather atoms->edges [E,W]", medianMicros(1, reps, () -> {
            try (Tape t = Tape.inference()) {
                t.gather(t.constant(xn), srcIdx);
            }
        }), edges + " rows"));
        out.add(new OpTiming("scatterSum edges->atoms [E,W]", medianMicros(1, reps, () -> {
            try (Tape t = Tape.inference()) {
                t.scatterSum(t.constant(xe), dstIdx);
            }
        }), edges + " rows"));
        int s = 7, k = 64;
        int[] ba = new int[triplets], ca = new int[triplets];
        for (int i = 0; i < triplets; i++) {
            ba[i] = r.nextInt(edges);
            ca[i] = r.nextInt(edges);
        }
        Index baIdx = Index.of(ba, edges), caIdx = Index.of(ca, edges);
        baIdx.rowPtr();
        caIdx.rowPtr();
        INDArray coef = gaussian(r, triplets, s);
        Tensor xk = Tensor.parameter(gaussian(r, edges, k));
        out.add(new OpTiming("tripletSum [T,7]x[E,64] forward+backward", medianMicros(1, Math.max(2, reps / 2), () -> {
            try (Tape t = Tape.training()) {
                t.backward(t.sum(t.tripletSum(xk, baIdx, coef, caIdx)));
            }
            xk.zeroGrad();
        }), triplets + " triplets"));
        return out;
    }
}
