package org.concdvae.testutil;

import org.concdvae.dist.Collective;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A job of {@code n} "processes" that are threads of this JVM: rank k runs on its own thread with the k-th collective
 * of {@link #group}. The all-reduce sums in rank order (rank 0 + rank 1 + …), which for two ranks is what any MPI
 * gives, so "rank k of n" trainers can be compared with one process of several replicas without MPI. {@code abort}
 * throws {@link Aborted} on the calling rank and breaks the barrier, so the other ranks fail too.
 */
public final class ThreadCollective implements Collective {
    /** What {@link #abort} throws. */
    public static final class Aborted extends RuntimeException {
        public final int exitCode;

        Aborted(int rank, int exitCode) {
            super("rank " + rank + " aborted the job with exit code " + exitCode);
            this.exitCode = exitCode;
        }
    }

    private static final class Shared {
        final int n;
        final CyclicBarrier barrier;
        final Object[] slots;

        Shared(int n) {
            this.n = n;
            this.barrier = new CyclicBarrier(n);
            this.slots = new Object[n];
        }
    }

    private final Shared shared;
    private final int rank;

    private ThreadCollective(Shared shared, int rank) {
        this.shared = shared;
        this.rank = rank;
    }

    /** The n collectives of one job, indexed by rank. */
    public static List<Collective> group(int n) {
        Shared s = new Shared(n);
        List<Collective> l = new ArrayList<>();
        for (int r = 0; r < n; r++) l.add(new ThreadCollective(s, r));
        return l;
    }

    @Override public int rank() { return rank; }

    @Override public int size() { return shared.n; }

    private void await() {
        try {
            shared.barrier.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a collective", e);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("another rank failed", e);
        }
    }

    /** Publishes {@code mine}, waits for every rank, returns all ranks' objects, waits again (slots reusable). */
    private Object[] exchange(Object mine) {
        shared.slots[rank] = mine;
        await();
        Object[] all = shared.slots.clone();
        await();
        return all;
    }

    @Override
    public void allreduceSum(float[] data) {
        Object[] all = exchange(data.clone());
        float[] sum = ((float[]) all[0]).clone();
        for (int r = 1; r < all.length; r++) {
            float[] x = (float[]) all[r];
            for (int i = 0; i < sum.length; i++) sum[i] += x[i];
        }
        System.arraycopy(sum, 0, data, 0, data.length);
    }

    @Override
    public void allreduceSum(double[] data) {
        Object[] all = exchange(data.clone());
        double[] sum = ((double[]) all[0]).clone();
        for (int r = 1; r < all.length; r++) {
            double[] x = (double[]) all[r];
            for (int i = 0; i < sum.length; i++) sum[i] += x[i];
        }
        System.arraycopy(sum, 0, data, 0, data.length);
    }

    @Override
    public byte[] broadcast(byte[] rootData) { return ((byte[]) exchange(rank == 0 ? rootData.clone() : null)[0]).clone(); }

    @Override
    public byte[][] allgather(byte[] mine) {
        Object[] all = exchange(mine.clone());
        byte[][] out = new byte[all.length][];
        for (int r = 0; r < all.length; r++) out[r] = ((byte[]) all[r]).clone();
        return out;
    }

    @Override public void barrier() { await(); }

    @Override
    public void abort(int exitCode) {
        shared.barrier.reset();
        throw new Aborted(rank, exitCode);
    }

    @Override public String library() { return "threads (test)"; }

    @Override public void close() {}
}
