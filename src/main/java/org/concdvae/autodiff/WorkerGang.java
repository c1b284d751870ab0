package org.concdvae.autodiff;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads behind {@link Engine#parallelFor}: {@code t − 1} helper threads, with the calling thread as the t-th.
 * A loop is cut into chunks that the threads claim one at a time, so a kernel that writes only its chunk's rows gives
 * the same result whoever runs which chunk. Compared with a ForkJoinPool, whose external caller only waits, the caller
 * works too (one thread fewer competing with BLAS's own threads for the cores), and a helper that has just finished
 * spins briefly before it parks, so the next kernel of a step usually finds it awake.
 * One loop runs at a time: a loop started while another is running (from another thread, or from inside a chunk)
 * runs on its caller's thread alone.
 */
final class WorkerGang {
    /** How long an idle helper keeps looking for work before it parks (ns). */
    private static final long SPIN_NANOS = 50_000;

    private final Thread[] helpers;
    private final boolean[] parked;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job current;
    private volatile boolean shutdown;

    WorkerGang(int threads) {
        int n = Math.max(0, threads - 1);
        helpers = new Thread[n];
        parked = new boolean[n];
        for (int i = 0; i < n; i++) {
            final int id = i;
            Thread th = new Thread(() -> helperLoop(id), "concdvae-worker-" + (i + 1));
            th.setDaemon(true);
            helpers[i] = th;
        }
        for (Thread th : helpers) th.start();
    }

    /** Threads that run a loop: the helpers and the caller. */
    int threads() { return helpers.length + 1; }

    /** Runs {@code body} over the {@code chunks} equal parts of {@code [0, n)}; rethrows the first failure. */
    void run(int n, int chunks, Engine.RangeBody body) {
        if (helpers.length == 0 || chunks <= 1 || isHelper(Thread.currentThread()) || !busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        Job job = new Job(n, chunks, body, Thread.currentThread());
        try {
            current = job;
            for (int i = 0; i < helpers.length; i++) {
                if (parkedFlag(i)) LockSupport.unpark(helpers[i]);
            }
            job.work();
            job.awaitDone();
        } finally {
            current = null;
            busy.set(false);
        }
        Throwable t = job.error.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error er) throw er;
        if (t != null) throw new IllegalStateException(t);
    }

    /** Stops the helpers (they finish the chunk they are in). */
    void shutdown() {
        shutdown = true;
        for (Thread th : helpers) LockSupport.unpark(th);
    }

    private boolean isHelper(Thread th) {
        for (Thread h : helpers) if (h == th) return true;
        return false;
    }

    private synchronized boolean parkedFlag(int i) { return parked[i]; }

    private synchronized void setParked(int i, boolean v) { parked[i] = v; }

    private void helperLoop(int id) {
        Job last = null;
        while (!shutdown) {
            Job j = current;
            if (j != null && j != last) {
                last = j;
                j.work();
                continue;
            }
            long until = System.nanoTime() + SPIN_NANOS;
            while (current == j && !shutdown && System.nanoTime() < until) Thread.onSpinWait();
            if (current != j || shutdown) continue;
            setParked(id, true);
            // re-check after publishing the flag: a job posted in between is seen here or its poster saw the flag
            if (current == j && !shutdown) LockSupport.park(this);
            setParked(id, false);
        }
    }

    /** One parallel loop: chunks claimed through a counter, completion counted, the caller woken by the last chunk. */
    private static final class Job {
        final int n, chunks;
        final Engine.RangeBody body;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();

        Job(int n, int chunks, Engine.RangeBody body, Thread caller) {
            this.n = n;
            this.chunks = chunks;
            this.body = body;
            this.caller = caller;
        }

        void work() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
                try {
                    if (error.get() == null) body.run(from, to);
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                }
                if (done.incrementAndGet() == chunks && Thread.currentThread() != caller) LockSupport.unpark(caller);
            }
        }

        void awaitDone() {
            long until = System.nanoTime() + SPIN_NANOS;
            while (done.get() < chunks && System.nanoTime() < until) Thread.onSpinWait();
            while (done.get() < chunks) LockSupport.park(this);
        }
    }
}
