package org.concdvae.cli;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Runs independent per-item work on a fixed number of threads with a progress bar; results keep input order, so the
 * output does not depend on the thread count.
 */
final class ParallelMap {
    private ParallelMap() {}

    static <T> List<T> map(int n, int threads, String task, boolean quiet, IntFunction<T> work) {
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try (Progress progress = Progress.start(task, n, quiet)) {
            return pool.submit(() -> IntStream.range(0, n).parallel().mapToObj(i -> {
                T r = work.apply(i);
                progress.step();
                return r;
            }).toList()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        } finally {
            pool.shutdown();
        }
    }
}
