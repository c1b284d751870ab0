package org.concdvae.autodiff;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Process-wide numerical settings: the worker threads of our kernels and matrix products ({@link WorkerGang}) and of
 * ND4J's native ops (OpenMP); OpenBLAS is kept to one thread on the CPU backend. Call {@link #setThreads(int)} once
 * from the command with {@code common.threads()}.
 */
public final class Engine {
    private static volatile WorkerGang gang = new WorkerGang(Math.max(1, Runtime.getRuntime().availableProcessors()));
    private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

    static {
        configureNative(threads);
    }

    private Engine() {}

    /** Uses {@code n} threads for our kernels and products and for ND4J's native ops (OpenMP). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n != threads) {
            WorkerGang old = gang;
            gang = new WorkerGang(n);
            old.shutdown();
            threads = n;
        }
        configureNative(n);
    }

    private static void configureNative(int n) {
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        // on the CPU backend the tape's products are cut over our own threads (CpuBlas.rowChunks), so OpenBLAS keeps to
        // one thread: its own would spin between calls on the cores our kernels need
        Nd4j.factory().blas().setMaxThreads(IndexKernels.primitiveKernels() ? 1 : n);
    }

    public static int threads() { return threads; }

    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody { void run(int from, int to); }

    /**
     * Runs {@code body} over {@code [0, n)} split into contiguous chunks of at least {@code grain} items (at most four
     * per thread). Each chunk is processed by one thread, the caller included, so a kernel that writes only the rows
     * of its chunk is race-free and deterministic. The first exception of a chunk is rethrown in the caller.
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
        gang.run(n, chunks, body);
    }

    /** Runs {@code body} over exactly {@code chunks} equal contiguous parts of {@code [0, n)} (fewer threads: serial). */
    static void parallelChunks(int n, int chunks, RangeBody body) {
        if (n <= 0) return;
        if (threads == 1 || chunks <= 1) body.run(0, n);
        else gang.run(n, chunks, body);
    }
}
