package org.concdvae.autodiff;

import org.nd4j.linalg.factory.Nd4j;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Process-wide numerical settings: the worker threads of our index kernels and of ND4J/OpenMP/BLAS. Call
 * {@link #setThreads(int)} once from the command with {@code common.threads()}.
 */
public final class Engine {
    private static volatile ForkJoinPool pool = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

    private Engine() {}

    /** Uses {@code n} threads for our kernels and for ND4J's native ops (OpenMP) and BLAS. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n != threads) {
            ForkJoinPool old = pool;
            pool = new ForkJoinPool(n);
            old.shutdown();
            threads = n;
        }
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        Nd4j.factory().blas().setMaxThreads(n);
    }

    public static int threads() { return threads; }

    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody { void run(int from, int to); }

    /**
     * Runs {@code body} over {@code [0, n)} split into contiguous chunks of at least {@code grain} items. Each chunk
     * is processed by one thread, so a kernel that writes only the rows of its chunk is race-free and deterministic.
     */
    public static void parallelFor(int n, int grain, RangeBody body) {
        int t = threads;
        if (n <= 0) return;
        if (t == 1 || n <= grain) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(t * 4, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        final int nc = chunks;
        pool.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                RecursiveAction[] tasks = new RecursiveAction[nc];
                for (int c = 0; c < nc; c++) {
                    final int from = (int) ((long) n * c / nc), to = (int) ((long) n * (c + 1) / nc);
                    tasks[c] = new RecursiveAction() {
                        @Override
                        protected void compute() { body.run(from, to); }
                    };
                }
                invokeAll(tasks);
            }
        });
    }
}
