package org.concdvae.nn;

import org.concdvae.autodiff.GradientBuffers;
import org.concdvae.autodiff.IndexKernels;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.dist.Collective;
import org.concdvae.io.InvalidInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Data-parallel training in the manner of PyTorch DDP: {@code R} replicas of one model in this process, each on its
 * own thread with its own tape, share one {@link ParameterStore}; the processes of a {@link Collective} each hold such
 * a group, so the job has {@code N = ranks × R} replicas, and global replica {@code g = rank·R + r}.
 *
 * <p>Replica 0 back-propagates into the parameters' own gradients (so one replica is exactly the plain trainer);
 * replicas 1…R−1 into their own {@link GradientBuffers} and leave BatchNorm's running statistics alone (those of
 * replica 0 are kept). {@link #reduce} then sums in a fixed order, whatever the thread timing: replica 0's gradient,
 * plus replica 1's, plus …, in this process; then one {@link Collective#allreduceSum} over a flat buffer across the
 * processes; then divides by the number of gradients summed. With two addends the sum does not depend on their order,
 * so 1 process × 2 replicas and 2 processes × 1 replica give the same bits.
 */
public final class DataParallel implements AutoCloseable {
    private final ParameterStore store;
    private final int replicas;
    private final Collective collective;
    private final List<Tensor> trainable;
    private final GradientBuffers[] buffers;
    private final ExecutorService pool;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    /** CPU time that ran side by side in {@link #map}: Σ over calls of (Σ replicas' CPU − the largest), for benchmarks. */
    private final java.util.concurrent.atomic.AtomicLong overlapNanos = new java.util.concurrent.atomic.AtomicLong();
    /** CPU time of each replica's thread inside {@link #map}, summed over calls (written by the calling thread only). */
    private final long[] replicaNanos;

    /**
     * @param replicas the replicas of this process (≥ 1)
     * @param collective the processes of the job ({@code SingleProcess} without MPI)
     */
    public DataParallel(ParameterStore store, int replicas, Collective collective) {
        if (replicas < 1) throw new InvalidInputException("replicas must be at least 1, got " + replicas);
        this.store = store;
        this.replicas = replicas;
        this.collective = collective;
        this.trainable = store.trainable();
        this.buffers = new GradientBuffers[replicas];
        this.replicaNanos = new long[replicas];
        for (int r = 1; r < replicas; r++) buffers[r] = new GradientBuffers();
        this.pool = replicas > 1 ? Executors.newFixedThreadPool(replicas - 1, job -> {
            Thread th = new Thread(job, "concdvae-replica");
            th.setDaemon(true);
            return th;
        }) : null;
    }

    /** Replicas in this process. */
    public int replicas() { return replicas; }

    /** Processes of the job. */
    public int ranks() { return collective.size(); }

    /** Replicas of the whole job: ranks × replicas. */
    public int total() { return replicas * collective.size(); }

    /** The global index of this process's replica {@code r}: rank·R + r. */
    public int global(int r) { return collective.rank() * replicas + r; }

    public Collective collective() { return collective; }

    /**
     * Threads each replica's kernels get when {@code threads} are shared by the replicas: one each when there are at
     * least as many replicas as threads (the usual layout), otherwise an even share.
     */
    public static int threadsPerReplica(int threads, int replicas) { return Math.max(1, threads / replicas); }

    /**
     * The replicas of this process: {@code requested} when ≥ 1; when 0 ("every core") the most replicas, at most
     * {@code threads}, over which a global batch of {@code batch} crystals splits into equal micro-batches of at least
     * {@code min} across {@code ranks} processes (1 if none does).
     */
    public static int resolveReplicas(int requested, int threads, int batch, int ranks, int min) {
        if (requested >= 1) return requested;
        if (requested < 0) throw new InvalidInputException("replicas must be at least 1 (or 0 for one per thread), got " + requested);
        for (int r = Math.max(1, threads); r > 1; r--) {
            int n = r * ranks;
            if (batch % n == 0 && batch / n >= min) return r;
        }
        return 1;
    }

    /**
     * Checks that a global batch of {@code batch} crystals splits into equal micro-batches of at least {@code min}
     * over the {@code total} replicas of the job; the message names the values.
     */
    public static void checkSplit(String what, int batch, int total, int replicas, int ranks, int min) {
        if (batch % total != 0 || batch / total < min) {
            throw new InvalidInputException(what + " = " + batch + " does not split into equal micro-batches of at least " + min
                    + " crystals over " + total + " replicas (" + ranks + " process" + (ranks == 1 ? "" : "es") + " × " + replicas
                    + " replica" + (replicas == 1 ? "" : "s") + "); use a multiple of " + total + " of at least " + (min * total)
                    + " or fewer replicas (--replicas)");
        }
    }

    /** Contiguous slice {@code g} of {@code n} items over {@code parts}: [g·n/parts, (g+1)·n/parts). */
    public static int[] slice(int n, int parts, int g) {
        return new int[]{(int) ((long) g * n / parts), (int) ((long) (g + 1) * n / parts)};
    }

    /**
     * A global batch of {@code cost.length} items split over {@code parts} replicas in the counts of {@link #slice} (equal
     * up to one), with the work balanced: items in decreasing cost (ties in batch order) go each to the replica with the
     * least cost so far among those not yet full (ties to the lowest index). Returns each replica's item indices in
     * batch order. It depends only on the costs and {@code parts}, so every layout of {@code parts} replicas gets the
     * same micro-batches. Balancing matters because the step waits for its slowest replica: contiguous slices of a
     * shuffled batch differ by tens of percent in atoms, and a replica's time grows with its atoms.
     */
    public static int[][] balancedShares(int[] cost, int parts) {
        int n = cost.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> cost[a] != cost[b] ? Integer.compare(cost[b], cost[a]) : Integer.compare(a, b));
        int[] capacity = new int[parts], fill = new int[parts];
        long[] load = new long[parts];
        int[][] shares = new int[parts][];
        for (int g = 0; g < parts; g++) {
            int[] sl = slice(n, parts, g);
            capacity[g] = sl[1] - sl[0];
            shares[g] = new int[capacity[g]];
        }
        for (int i : order) {
            int best = -1;
            for (int g = 0; g < parts; g++) {
                if (fill[g] < capacity[g] && (best < 0 || load[g] < load[best])) best = g;
            }
            shares[best][fill[best]++] = i;
            load[best] += cost[i];
        }
        for (int[] sh : shares) java.util.Arrays.sort(sh);
        return shares;
    }

    /** {@code tape} configured for replica {@code r}: its gradient buffers, running statistics only for replica 0. */
    public Tape tape(int r, Tape tape) {
        if (r == 0) return tape;
        return tape.gradientsInto(buffers[r]).runningStatistics(false);
    }

    /**
     * Runs {@code body(r)} for every replica, replica 0 on the calling thread and the others side by side on their
     * own threads, and returns the results in replica order. The first failure in replica order is rethrown as it was.
     */
    public <T> List<T> map(IntFunction<T> body) {
        List<T> out = new ArrayList<>(replicas);
        if (pool == null) {
            out.add(body.apply(0));
            return out;
        }
        List<Future<T>> futures = new ArrayList<>();
        long[] cpu = new long[replicas];
        for (int r = 1; r < replicas; r++) {
            final int rr = r;
            futures.add(pool.submit(() -> {
                long c0 = CPU.getCurrentThreadCpuTime();
                try {
                    return body.apply(rr);
                } finally {
                    cpu[rr] = CPU.getCurrentThreadCpuTime() - c0;
                }
            }));
        }
        Throwable first = null;
        T zero = null;
        long c0 = CPU.getCurrentThreadCpuTime();
        try {
            zero = body.apply(0);
        } catch (RuntimeException | Error e) {
            first = e;
        }
        cpu[0] = CPU.getCurrentThreadCpuTime() - c0;
        out.add(zero);
        for (Future<T> f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                if (first == null) first = e.getCause();
                out.add(null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (first == null) first = e;
                out.add(null);
            }
        }
        if (first instanceof RuntimeException re) throw re;
        if (first instanceof Error er) throw er;
        if (first != null) throw new IllegalStateException(first);
        long sum = 0, max = 0;
        for (int r = 0; r < replicas; r++) replicaNanos[r] += cpu[r];
        for (long c : cpu) {
            sum += c;
            max = Math.max(max, c);
        }
        overlapNanos.addAndGet(sum - max);
        return out;
    }

    /** The replicas' losses summed over the whole job, and whether one of this process's was not finite. */
    public record LossSum(double sum, boolean nonFinite) {}

    /** Sums the replicas' losses in replica order, then across ranks (the same bits on every rank). */
    public LossSum sumLosses(List<Double> losses) {
        double[] sum = {0};
        boolean bad = false;
        for (double v : losses) {
            sum[0] += v;
            if (!Double.isFinite(v)) bad = true;
        }
        if (ranks() > 1) collective.allreduceSum(sum);
        return new LossSum(sum[0], bad);
    }

    /**
     * Combines the gradients of all replicas of the job into the parameters' own gradients: the sum over this
     * process's replicas in replica order, the all-reduce across processes, then division by {@code total() × microSteps}
     * (the mean over every micro-batch of the step). {@code skip} says a replica of this process saw a non-finite loss.
     * Every process must call this once per optimiser step. Returns whether the step may be applied: no process
     * skipped and every gradient is finite (the same answer on every process); if not, all gradients are cleared.
     */
    public boolean reduce(int microSteps, boolean skip) {
        if (ranks() == 1 && skip) {
            clear();
            return false;
        }
        // each parameter is handled by one thread (parameters dealt round-robin to the replicas' threads), and its
        // replica gradients are added in replica order there, so the bits do not depend on the threads
        int n = trainable.size();
        int divisor = total() * microSteps;
        boolean finite;
        if (ranks() == 1) {
            // one pass per parameter: sum in replica order, divide, check (the sum is still in cache for the rest)
            finite = !map(t -> {
                for (int i = t; i < n; i += replicas) if (!combine(trainable.get(i), replicas, divisor)) return false;
                return true;
            }).contains(false);
        } else {
            if (!skip && replicas > 1) {
                map(t -> {
                    for (int i = t; i < n; i += replicas) combine(trainable.get(i), replicas, 1);
                    return null;
                });
            }
            skip = allreduce(skip);
            finite = !skip && !map(t -> {
                for (int i = t; i < n; i += replicas) if (!combine(trainable.get(i), 1, divisor)) return false;
                return true;
            }).contains(false);
        }
        for (int r = 1; r < replicas; r++) buffers[r].clear();
        if (!finite) store.zeroGrad();
        return finite;
    }

    /**
     * Parameter {@code p}'s gradient becomes (its own + replica 1's + … + replica {@code upTo−1}'s, added in that order)
     * / {@code divisor}, each element rounded as ND4J's {@code addi} and {@code divi} round it in the gradient's type;
     * returns whether every element is finite. A parameter no replica's gradient reached stays without one.
     */
    private boolean combine(Tensor p, int upTo, int divisor) {
        List<INDArray> addends = new ArrayList<>(upTo);
        for (int r = 1; r < upTo; r++) {
            INDArray g = buffers[r].get(p);
            if (g != null) addends.add(g);
        }
        if (p.grad() == null) {
            if (addends.isEmpty()) return true;
            p.accumulateGrad(addends.remove(0));
        }
        INDArray g = p.grad();
        boolean dense = isDenseFloating(g);
        for (INDArray a : addends) dense &= isDenseFloating(a) && a.dataType() == g.dataType() && a.length() == g.length();
        if (!dense) {
            for (INDArray a : addends) p.accumulateGrad(a);
            if (divisor > 1) g.divi(divisor);
            INDArray c = g.dup('c').castTo(DataType.DOUBLE);
            for (double v : c.data().asDouble()) if (!Double.isFinite(v)) return false;
            return true;
        }
        int len = (int) g.length();
        boolean ok = true;
        if (g.dataType() == DataType.FLOAT) {
            FloatBuffer out = g.data().asNioFloat();
            FloatBuffer[] in = new FloatBuffer[addends.size()];
            for (int k = 0; k < in.length; k++) in[k] = addends.get(k).data().asNioFloat();
            float d = divisor;
            for (int i = 0; i < len; i++) {
                float v = out.get(i);
                for (FloatBuffer b : in) v += b.get(i);
                if (divisor > 1) v /= d;
                out.put(i, v);
                ok &= Float.isFinite(v);
            }
        } else {
            DoubleBuffer out = g.data().asNioDouble();
            DoubleBuffer[] in = new DoubleBuffer[addends.size()];
            for (int k = 0; k < in.length; k++) in[k] = addends.get(k).data().asNioDouble();
            double d = divisor;
            for (int i = 0; i < len; i++) {
                double v = out.get(i);
                for (DoubleBuffer b : in) v += b.get(i);
                if (divisor > 1) v /= d;
                out.put(i, v);
                ok &= Double.isFinite(v);
            }
        }
        return ok;
    }

    private static boolean isDenseFloating(INDArray a) {
        return (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE) && IndexKernels.isDense(a);
    }

    /**
     * Rank 0's buffers (BatchNorm running statistics) on every rank, as DDP broadcasts them before a forward pass: each
     * rank's replica 0 has updated them with its own micro-batches, but the job keeps rank 0's. Call before anything
     * reads them (validation, checkpoints); training-mode forward passes do not.
     */
    public void syncBuffers() {
        if (ranks() == 1) return;
        List<ParameterStore.Entry> bufs = new ArrayList<>();
        int n = 0;
        for (ParameterStore.Entry e : store.entries()) {
            if (e.kind() != ParameterStore.Kind.BUFFER) continue;
            bufs.add(e);
            n += (int) e.array().length();
        }
        byte[] mine = null;
        if (collective.isRoot()) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * n);
            for (ParameterStore.Entry e : bufs) for (double v : e.array().dup('c').castTo(DataType.DOUBLE).data().asDouble()) b.putDouble(v);
            mine = b.array();
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(collective.broadcast(mine));
        if (collective.isRoot()) return;
        for (ParameterStore.Entry e : bufs) {
            double[] v = new double[(int) e.array().length()];
            for (int i = 0; i < v.length; i++) v[i] = b.getDouble();
            if (v.length == 1) e.array().assign(v[0]);
            else e.array().assign(Nd4j.createFromArray(v).castTo(e.array().dataType()).reshape(e.array().shape()));
        }
    }

    /**
     * CPU time spent side by side by the replicas so far (see the field); a benchmark subtracts it from the process CPU
     * time of a step to get the step's critical path, the wall time it would take with one idle core per replica.
     */
    public long overlapNanos() { return overlapNanos.get(); }

    /** Each replica thread's CPU time inside side-by-side sections so far (with one replica: not measured, zeros). */
    public long[] replicaCpuNanos() { return replicaNanos.clone(); }

    /** Forgets every replica's gradients. */
    public void clear() {
        store.zeroGrad();
        for (int r = 1; r < replicas; r++) buffers[r].clear();
    }

    /**
     * The sum across processes of every parameter's gradient, through one flat buffer: the gradients in store order,
     * then per parameter a count of processes that have a gradient for it, then the count of processes that skip.
     * Returns whether any process skips.
     */
    private boolean allreduce(boolean skip) {
        int p = trainable.size();
        long n = 0;
        for (Tensor t : trainable) n += t.length();
        if (n + p + 1 > Integer.MAX_VALUE) throw new IllegalStateException("too many parameters for one all-reduce: " + n);
        boolean dbl = store.floatType() == DataType.DOUBLE;
        int len = (int) (n + p + 1);
        float[] f = dbl ? null : new float[len];
        double[] d = dbl ? new double[len] : null;
        int off = 0;
        for (int i = 0; i < p; i++) {
            Tensor t = trainable.get(i);
            INDArray g = skip ? null : t.grad();
            int m = (int) t.length();
            if (g != null) {
                INDArray c = g.isView() || g.ordering() != 'c' ? g.dup('c') : g;
                if (dbl) c.data().asNioDouble().get(d, off, m);
                else c.data().asNioFloat().get(f, off, m);
                if (dbl) d[(int) n + i] = 1; else f[(int) n + i] = 1;
            }
            off += m;
        }
        if (skip) {
            if (dbl) d[len - 1] = 1; else f[len - 1] = 1;
        }
        if (dbl) collective.allreduceSum(d); else collective.allreduceSum(f);
        boolean anySkip = (dbl ? d[len - 1] : f[len - 1]) > 0;
        if (anySkip) return true;
        off = 0;
        for (int i = 0; i < p; i++) {
            Tensor t = trainable.get(i);
            int m = (int) t.length();
            boolean has = (dbl ? d[(int) n + i] : f[(int) n + i]) > 0;
            if (has) {
                INDArray g = t.grad();
                if (g == null || g.isView() || g.ordering() != 'c') {
                    INDArray fresh = dbl ? Nd4j.create(java.util.Arrays.copyOfRange(d, off, off + m), t.shape(), 'c')
                            : Nd4j.create(java.util.Arrays.copyOfRange(f, off, off + m), t.shape(), 'c');
                    if (g != null) t.zeroGrad();
                    t.accumulateGrad(fresh.castTo(t.value().dataType()));
                } else if (dbl) {
                    DoubleBuffer b = g.data().asNioDouble();
                    b.put(d, off, m);
                } else {
                    FloatBuffer b = g.data().asNioFloat();
                    b.put(f, off, m);
                }
            }
            off += m;
        }
        return false;
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
