package org.concdvae.util;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Data-parallel loops over an index range on a bounded number of threads (the CLI's {@code --threads}).
 * Results must be written to per-index slots, so the outcome does not depend on scheduling. The first exception
 * thrown by the body is rethrown unchanged in the caller's thread (ForkJoin would otherwise re-wrap it and change
 * its message).
 */
public final class Parallel {
    private static final ConcurrentHashMap<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

    private Parallel() {}

    /** Runs {@code body.accept(i)} for i in [0, n) on up to {@code threads} threads. */
    public static void forEach(int n, int threads, IntConsumer body) {
        if (n <= 0) return;
        if (threads <= 1 || n == 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        AtomicReference<Throwable> first = new AtomicReference<>();
        ForkJoinPool pool = POOLS.computeIfAbsent(threads, ForkJoinPool::new);
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(i -> {
            if (first.get() != null) return;
            try {
                body.accept(i);
            } catch (Throwable t) {
                first.compareAndSet(null, t);
            }
        })).join();
        Throwable t = first.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error er) throw er;
        if (t != null) throw new IllegalStateException(t);
    }
}
