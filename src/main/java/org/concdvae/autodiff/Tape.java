package org.concdvae.autodiff;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Reverse-mode automatic differentiation over ND4J arrays (engine.md). Every op is a method of the tape: it computes
 * its output eagerly and, when the tape records gradients and an input needs one, appends a backward rule.
 * {@link #backward(Tensor)} runs the rules in reverse order and accumulates gradients into the inputs.
 *
 * <p>Memory rule: every array an op allocates (outputs, saved intermediates, gradients of intermediates) belongs to
 * the tape and is released by {@link #close()}; parameter values and gradients belong to their store, constants to
 * the caller. Use one tape per step: {@code try (Tape t = Tape.training()) { ...; t.backward(loss); optimiser.step(); }}.
 *
 * <p>Modes: {@link #training()} records gradients and puts blocks in training mode (batch statistics, dropout);
 * {@link #inference()} records nothing (no closures, no saved arrays) and puts blocks in evaluation mode;
 * {@link #evaluation()} records gradients with blocks in evaluation mode. Not thread-safe: one tape per thread.
 *
 * <p>Shapes follow PyTorch. Binary element-wise ops broadcast a row vector ({@code [F]} or {@code [1,F]}, along the
 * last axis), a column vector ({@code [N,1]}, 2-D only) or a one-element tensor against the other operand.
 */
public final class Tape implements AutoCloseable {
    /** Backward rule of one recorded op: receives the gradient of the op's output. */
    @FunctionalInterface
    private interface Rule { void apply(INDArray g); }

    private record Node(Tensor out, Rule rule) {}

    private final boolean recording;
    private final boolean training;
    private final List<Node> nodes = new ArrayList<>();
    private final List<INDArray> owned = new ArrayList<>();
    /** Host memory of the arrays from {@link #newArray}, freed when the array is released. */
    private final Map<INDArray, Pointer> blocks = new IdentityHashMap<>();
    private Random random = new Random(0);
    private boolean closed;
    /** Where parameter gradients go: null = the parameters' own (the usual case); else a replica's buffers. */
    private GradientBuffers gradients;
    private boolean runningStatistics = true;

    private Tape(boolean recording, boolean training) {
        this.recording = recording;
        this.training = training;
    }

    /** Records gradients; blocks use training behaviour (batch statistics, dropout). */
    public static Tape training() { return new Tape(true, true); }

    /** Records nothing; blocks use evaluation behaviour. Minimal overhead: use for sampling and validation. */
    public static Tape inference() { return new Tape(false, false); }

    /** Records gradients with blocks in evaluation behaviour (e.g. gradients of a frozen, BN-eval model). */
    public static Tape evaluation() { return new Tape(true, false); }

    /** A tape with explicit flags. */
    public static Tape of(boolean recordGradients, boolean trainingMode) { return new Tape(recordGradients, trainingMode); }

    public boolean isRecording() { return recording; }

    /** Whether blocks should use training behaviour (BatchNorm batch statistics, dropout). */
    public boolean isTraining() { return training; }

    /** The random source for dropout on this tape (seed it for reproducible training). */
    public Tape random(Random r) {
        this.random = r;
        return this;
    }

    public Random random() { return random; }

    /**
     * Sends the gradients of parameters to {@code buffers} instead of the parameters' own: data-parallel replicas
     * share one parameter set and back-propagate side by side, each into its own buffers.
     */
    public Tape gradientsInto(GradientBuffers buffers) {
        this.gradients = buffers;
        return this;
    }

    /**
     * Whether BatchNorm in training mode updates its running statistics (default true). Replicas other than the first
     * normalise with their batch statistics but leave the shared running statistics to replica 0 (DDP keeps rank 0's).
     */
    public Tape runningStatistics(boolean update) {
        this.runningStatistics = update;
        return this;
    }

    /** True when blocks in training mode should update running statistics (see {@link #runningStatistics(boolean)}). */
    public boolean updatesRunningStatistics() { return training && runningStatistics; }

    // ------------------------------------------------------------------------------------------------ bookkeeping

    /** Transfers ownership of {@code a} to the tape (released on close). Returns {@code a}. */
    public INDArray own(INDArray a) {
        owned.add(a);
        return a;
    }

    /**
     * A new c-order array owned by the tape whose contents the caller overwrites completely: uninitialised host memory
     * on the CPU backend (float/double; {@link HostArrays}), ND4J's allocation otherwise. Released on close.
     */
    public INDArray newArray(DataType type, long... shape) {
        INDArray a = HostArrays.allocate(type, shape, blocks);
        if (a == null) a = Nd4j.createUninitialized(type, shape, 'c');
        owned.add(a);
        return a;
    }

    /** {@link #newArray} of {@code a}'s type and shape. */
    private INDArray like(INDArray a) { return newArray(a.dataType(), a.shape()); }

    /** Wraps a caller-owned array as a constant (no gradient). */
    public Tensor constant(INDArray value) { return Tensor.constant(value); }

    /** Wraps an array the tape should own and release as a constant. */
    public Tensor ownedConstant(INDArray value) { return Tensor.constant(own(value)); }

    /** Leaf that receives a gradient during this tape only (e.g. an input whose gradient is wanted). */
    public Tensor variable(INDArray value) {
        return new Tensor(value, recording, false);
    }

    private static boolean needs(Tensor t) { return t != null && t.requiresGrad(); }

    private Tensor result(INDArray value, boolean grad) {
        owned.add(value);
        Tensor out = new Tensor(value, recording && grad, false);
        out.producer = this;
        return out;
    }

    private Tensor record(INDArray value, Rule rule, Tensor... inputs) {
        boolean any = false;
        if (recording) for (Tensor t : inputs) any |= needs(t);
        Tensor out = result(value, any);
        if (any) nodes.add(new Node(out, rule));
        return out;
    }

    /** Adds {@code g} to the gradient of {@code t}; {@code shared} says {@code g} may be held elsewhere too. */
    private void accumulate(Tensor t, INDArray g, boolean shared) {
        if (!needs(t)) return;
        if (!Arrays.equals(g.shape(), t.shape())) {
            if (g.length() != t.length()) {
                throw new IllegalStateException("gradient shape " + Arrays.toString(g.shape()) + " for tensor " + Arrays.toString(t.shape()));
            }
            g = g.reshape(t.shape());
        }
        if (t.isParameter()) {
            if (gradients != null) {
                gradients.accumulate(t, g);
                return;
            }
            t.accumulateGrad(g);
            return;
        }
        if (t.grad == null) {
            t.grad = g;
            t.gradShared = shared;
        } else if (t.gradShared) {
            INDArray sum = newArray(t.grad.dataType(), t.grad.shape());
            t.grad.add(g, sum);
            t.grad = sum;
            t.gradShared = false;
        } else {
            t.grad.addi(g);
        }
    }

    private void acc(Tensor t, INDArray g) { accumulate(t, g, false); }

    /** Back-propagates from a one-element {@code loss} (seed 1). */
    public void backward(Tensor loss) {
        if (loss.length() != 1) throw new IllegalArgumentException("backward(loss) needs a one-element tensor, got " + Arrays.toString(loss.shape()));
        backward(loss, own(Nd4j.onesLike(loss.value())));
    }

    /** Back-propagates from {@code out} with the given output gradient (same shape as {@code out}). */
    public void backward(Tensor out, INDArray seed) {
        if (closed) throw new IllegalStateException("tape is closed");
        if (!recording) throw new IllegalStateException("backward on a tape that does not record gradients");
        if (!out.requiresGrad()) throw new IllegalArgumentException("output does not depend on any tensor that needs a gradient");
        accumulate(out, seed, true);
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            INDArray g = n.out.grad;
            if (g != null) n.rule.apply(g);
        }
    }

    /** Releases every array the tape allocated and forgets the recorded ops. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Node n : nodes) {
            n.out.grad = null;
        }
        nodes.clear();
        for (INDArray a : owned) {
            if (a != null) HostArrays.release(a, blocks);
        }
        owned.clear();
    }

    /** Number of arrays currently owned (diagnostics, memory tests). */
    public int ownedArrays() { return owned.size(); }

    // ------------------------------------------------------------------------------------------------ broadcasting

    private enum Kind { SAME, ROW, COL, SCALAR }

    /** How {@code small} broadcasts into {@code big}, or null if it does not. */
    private static Kind kind(long[] big, long[] small) {
        if (Arrays.equals(big, small)) return Kind.SAME;
        long ls = 1;
        for (long s : small) ls *= s;
        if (ls == 1) return Kind.SCALAR;
        if (big.length == 0) return null;
        long lastBig = big[big.length - 1];
        if (small.length >= 1 && small[small.length - 1] == lastBig && ls == lastBig && small.length <= big.length) return Kind.ROW;
        if (big.length == 2 && small.length == 2 && small[0] == big[0] && small[1] == 1) return Kind.COL;
        return null;
    }

    private static INDArray as2d(INDArray big) {
        if (big.rank() == 2) return big;
        long last = big.rank() == 0 ? 1 : big.size(big.rank() - 1);
        return big.reshape('c', big.length() / Math.max(1, last), last);
    }

    /** {@code x op y} with broadcasting ({@code op} one of + - * /), a new array of the larger shape. */
    private INDArray bcast(char op, INDArray x, INDArray y) {
        Kind k = kind(x.shape(), y.shape());
        if (k != null) return applyRight(op, x, y, k, this::newArray);
        k = kind(y.shape(), x.shape());
        if (k != null) return applyLeft(op, x, y, k, this::newArray);
        throw new IllegalArgumentException("shapes do not broadcast: " + Arrays.toString(x.shape()) + " " + op + " " + Arrays.toString(y.shape()));
    }

    /** big op small. */
    private static INDArray applyRight(char op, INDArray big, INDArray small, Kind k, Allocator alloc) {
        switch (k) {
            case SAME: {
                INDArray out = alloc.uninitialized(big.dataType(), big.shape());
                return switch (op) {
                    case '+' -> big.add(small, out);
                    case '-' -> big.sub(small, out);
                    case '*' -> big.mul(small, out);
                    default -> big.div(small, out);
                };
            }
            case SCALAR: {
                double s = small.getDouble(0);
                INDArray out = alloc.uninitialized(big.dataType(), big.shape());
                return switch (op) {
                    case '+' -> big.add(s, out);
                    case '-' -> big.sub(s, out);
                    case '*' -> big.mul(s, out);
                    default -> big.div(s, out);
                };
            }
            case ROW: {
                INDArray b2 = as2d(big);
                INDArray r = small.reshape(1, b2.size(1));
                INDArray out = switch (op) {
                    case '+' -> b2.addRowVector(r);
                    case '-' -> b2.subRowVector(r);
                    case '*' -> b2.mulRowVector(r);
                    default -> b2.divRowVector(r);
                };
                return out.reshape('c', big.shape());
            }
            default: {
                INDArray c = small.reshape(big.size(0), 1);
                return switch (op) {
                    case '+' -> big.addColumnVector(c);
                    case '-' -> big.subColumnVector(c);
                    case '*' -> big.mulColumnVector(c);
                    default -> big.divColumnVector(c);
                };
            }
        }
    }

    /** small op big. */
    private static INDArray applyLeft(char op, INDArray small, INDArray big, Kind k, Allocator alloc) {
        if (op == '+' || op == '*') return applyRight(op, big, small, k, alloc);
        switch (k) {
            case SCALAR: {
                double s = small.getDouble(0);
                INDArray out = alloc.uninitialized(big.dataType(), big.shape());
                return op == '-' ? big.rsub(s, out) : big.rdiv(s, out);
            }
            case ROW: {
                INDArray b2 = as2d(big);
                INDArray r = small.reshape(1, b2.size(1));
                INDArray out = op == '-' ? b2.rsubRowVector(r) : b2.rdivRowVector(r);
                return out.reshape('c', big.shape());
            }
            default: {
                INDArray c = small.reshape(big.size(0), 1);
                return op == '-' ? big.rsubColumnVector(c) : big.rdivColumnVector(c);
            }
        }
    }

    /** Sums a full-shape gradient down to {@code shape} (undoing a broadcast). Returns g itself if shapes match. */
    private INDArray reduceTo(INDArray g, long[] shape) {
        if (Arrays.equals(g.shape(), shape)) return g;
        Kind k = kind(g.shape(), shape);
        INDArray r = switch (k) {
            case SCALAR -> g.sum();
            case ROW -> as2d(g).sum(0);
            case COL -> g.sum(1);
            default -> throw new IllegalStateException();
        };
        own(r);
        return r.reshape(shape); // shares r's buffer, released with r
    }

    // ------------------------------------------------------------------------------------------------ arithmetic

    public Tensor add(Tensor a, Tensor b) {
        INDArray y = bcast('+', a.value(), b.value());
        return record(y, g -> {
            if (needs(a)) accumulate(a, reduceTo(g, a.shape()), true);
            if (needs(b)) accumulate(b, reduceTo(g, b.shape()), true);
        }, a, b);
    }

    public Tensor sub(Tensor a, Tensor b) {
        INDArray y = bcast('-', a.value(), b.value());
        return record(y, g -> {
            if (needs(a)) accumulate(a, reduceTo(g, a.shape()), true);
            if (needs(b)) acc(b, own(reduceTo(g, b.shape()).neg()));
        }, a, b);
    }

    public Tensor mul(Tensor a, Tensor b) {
        INDArray y = bcast('*', a.value(), b.value());
        return record(y, g -> {
            if (needs(a)) acc(a, reduceOwned(own(bcast('*', g, b.value())), a.shape()));
            if (needs(b)) acc(b, reduceOwned(own(bcast('*', g, a.value())), b.shape()));
        }, a, b);
    }

    public Tensor div(Tensor a, Tensor b) {
        INDArray y = bcast('/', a.value(), b.value());
        return record(y, g -> {
            if (needs(a)) acc(a, reduceOwned(own(bcast('/', g, b.value())), a.shape()));
            if (needs(b)) {
                INDArray t = own(g.mul(y));
                INDArray q = own(bcast('/', t, b.value()));
                acc(b, own(reduceOwned(q, b.shape()).neg()));
            }
        }, a, b);
    }

    private INDArray reduceOwned(INDArray g, long[] shape) { return reduceTo(g, shape); }

    /** {@code a + s}. */
    public Tensor add(Tensor a, double s) {
        return record(a.value().add(s, like(a.value())), g -> accumulate(a, g, true), a);
    }

    /** {@code a · s}. */
    public Tensor mul(Tensor a, double s) {
        return record(a.value().mul(s, like(a.value())), g -> acc(a, g.mul(s, like(g))), a);
    }

    /** {@code s − a}. */
    public Tensor rsub(double s, Tensor a) {
        return record(a.value().rsub(s, like(a.value())), g -> acc(a, g.mul(-1.0, like(g))), a);
    }

    public Tensor neg(Tensor a) { return mul(a, -1.0); }

    /** {@code a^p} element-wise. */
    public Tensor pow(Tensor a, double p) {
        INDArray y = Transforms.pow(a.value(), p, true);
        return record(y, g -> {
            INDArray d = own(Transforms.pow(a.value(), p - 1, true));
            d.muli(g).muli(p);
            acc(a, d);
        }, a);
    }

    /** Matrix product of 2-D tensors {@code [n,k]·[k,m]}. */
    public Tensor matmul(Tensor a, Tensor b) {
        INDArray y = newArray(a.value().dataType(), a.size(0), b.size(1));
        CpuBlas.gemm(a.value(), false, b.value(), false, y);
        return record(y, g -> {
            if (needs(a)) acc(a, CpuBlas.gemm(g, false, b.value(), true, newArray(g.dataType(), a.shape())));
            if (needs(b)) acc(b, CpuBlas.gemm(a.value(), true, g, false, newArray(g.dataType(), b.shape())));
        }, a, b);
    }

    /**
     * {@code y = x Wᵀ + b} with PyTorch layout {@code W: [out, in]}; {@code b} may be null. {@code x} is 2-D
     * {@code [n, in]}.
     */
    public Tensor linear(Tensor x, Tensor w, Tensor b) {
        if (x.rank() != 2 || w.rank() != 2 || x.size(1) != w.size(1)) {
            throw new IllegalArgumentException("linear: x " + Arrays.toString(x.shape()) + " does not match W " + Arrays.toString(w.shape()));
        }
        INDArray y = newArray(x.value().dataType(), x.size(0), w.size(0));
        CpuBlas.gemm(x.value(), false, w.value(), true, y);
        if (b != null) y.addiRowVector(b.value().reshape(1, w.size(0)));
        Tensor[] ins = b == null ? new Tensor[]{x, w} : new Tensor[]{x, w, b};
        return record(y, g -> {
            if (needs(x)) acc(x, CpuBlas.gemm(g, false, w.value(), false, newArray(g.dataType(), x.shape())));
            if (needs(w)) acc(w, CpuBlas.gemm(g, true, x.value(), false, newArray(g.dataType(), w.shape())));
            if (needs(b)) acc(b, own(g.sum(0)));
        }, ins);
    }

    // ------------------------------------------------------------------------------------------------ activations

    public Tensor relu(Tensor x) {
        INDArray y = Transforms.relu(x.value(), true);
        return record(y, g -> {
            INDArray m = own(Transforms.sign(y, true));
            acc(x, m.muli(g));
        }, x);
    }

    public Tensor sigmoid(Tensor x) {
        INDArray y = Transforms.sigmoid(x.value(), true);
        return record(y, g -> {
            INDArray d = own(y.rsub(1.0));
            acc(x, d.muli(y).muli(g));
        }, x);
    }

    public Tensor tanh(Tensor x) {
        INDArray y = Transforms.tanh(x.value(), true);
        return record(y, g -> {
            INDArray d = own(y.mul(y));
            d.rsubi(1.0).muli(g);
            acc(x, d);
        }, x);
    }

    public Tensor exp(Tensor x) {
        INDArray y = Transforms.exp(x.value(), true);
        return record(y, g -> acc(x, own(g.mul(y))), x);
    }

    public Tensor log(Tensor x) {
        INDArray y = Transforms.log(x.value(), true);
        return record(y, g -> acc(x, own(g.div(x.value()))), x);
    }

    public Tensor sin(Tensor x) {
        INDArray y = Transforms.sin(x.value(), true);
        return record(y, g -> acc(x, own(Transforms.cos(x.value(), true).muli(g))), x);
    }

    public Tensor cos(Tensor x) {
        INDArray y = Transforms.cos(x.value(), true);
        return record(y, g -> acc(x, own(Transforms.sin(x.value(), true).muli(g).negi())), x);
    }

    /** {@code softplus(x) = log(1 + eˣ)} (β = 1) evaluated stably as {@code max(x,0) + log(1 + e^{−|x|})}. */
    public Tensor softplus(Tensor x) {
        INDArray a = Transforms.abs(x.value(), true);
        a.negi();
        Transforms.exp(a, false);
        a.addi(1.0);
        Transforms.log(a, false);
        INDArray y = Transforms.relu(x.value(), true).addi(a);
        a.close();
        return record(y, g -> {
            INDArray s = own(Transforms.sigmoid(x.value(), true));
            acc(x, s.muli(g));
        }, x);
    }

    /** SiLU / swish {@code x·σ(x)} (DimeNet++ activation). */
    public Tensor silu(Tensor x) { return siluScaled(x, 1.0); }

    /** GemNet's ScaledSiLU {@code silu(x) · (1/0.6)}. */
    public Tensor scaledSilu(Tensor x) { return siluScaled(x, 1.0 / 0.6); }

    /**
     * {@code (fresh + other)·s}. Without recording, when both have the same shape and type, the result is written into
     * {@code fresh}'s array: the caller passes as {@code fresh} an output of this tape's ops that nothing reads
     * afterwards (e.g. the last layer's product in a residual connection). With recording: {@code mul(add(…), s)}.
     */
    public Tensor addScaledReusing(Tensor fresh, Tensor other, double s) {
        if (reusable(fresh, other)) {
            fresh.value().addi(other.value());
            if (s != 1.0) fresh.value().muli(s);
            return fresh;
        }
        Tensor sum = add(fresh, other);
        return s == 1.0 ? sum : mul(sum, s);
    }

    /** {@code fresh ⊙ other}, in place under the same conditions as {@link #addScaledReusing}. */
    public Tensor mulReusing(Tensor fresh, Tensor other) {
        if (reusable(fresh, other)) {
            fresh.value().muli(other.value());
            return fresh;
        }
        return mul(fresh, other);
    }

    private boolean reusable(Tensor fresh, Tensor other) {
        INDArray f = fresh.value(), o = other.value();
        return !recording && !fresh.isParameter() && fresh != other && f != o && !f.isView()
                && f.dataType() == o.dataType() && Arrays.equals(f.shape(), o.shape()) && fresh.producer == this;
    }

    /**
     * GemNet's {@code Dense} with activation, {@code scaledSilu(x Wᵀ)}, as one op: without recording the activation
     * overwrites the product in place (no second edge-sized array); with recording it is {@code linear} then
     * {@link #scaledSilu}.
     */
    public Tensor linearScaledSilu(Tensor x, Tensor w) {
        return scaledSiluReusing(linear(x, w, null));
    }

    /** {@link #scaledSilu}, in place under the conditions of {@link #addScaledReusing} ({@code fresh} read by nothing else). */
    public Tensor scaledSiluReusing(Tensor fresh) {
        if (!recording && fresh.producer == this && ActivationKernels.siluInPlace(fresh.value(), (float) (1.0 / 0.6))) return fresh;
        return scaledSilu(fresh);
    }

    private Tensor siluScaled(Tensor x, double scale) {
        // float: our vectorised kernel (ActivationKernels); otherwise one native pass, then the scale in place
        INDArray y;
        if (ActivationKernels.handles(x.value())) {
            y = ActivationKernels.silu(x.value(), (float) scale, this::newArray);
        } else {
            y = x.value().ulike();
            Nd4j.exec(new Swish(x.value(), y));
            if (scale != 1.0) y.muli(scale);
        }
        if (!(recording && needs(x))) return result(y, false);
        return record(y, g -> {
            // d/dx x·σ(x) = σ(x) (1 + x (1 − σ(x))); σ recomputed here rather than kept alive through the step
            if (ActivationKernels.handles(x.value()) && g.dataType() == DataType.FLOAT) {
                acc(x, ActivationKernels.siluBackward(x.value(), g, (float) scale, this::newArray));
                return;
            }
            INDArray s = own(Transforms.sigmoid(x.value(), true));
            INDArray d = own(s.rsub(1.0));
            d.muli(x.value()).addi(1.0).muli(s).muli(g);
            if (scale != 1.0) d.muli(scale);
            acc(x, d);
        }, x);
    }

    /** Inverted dropout: zero with probability {@code p}, scale survivors by {@code 1/(1−p)}. Identity if p = 0. */
    public Tensor dropout(Tensor x, double p) {
        if (p <= 0) return x;
        if (p >= 1) throw new IllegalArgumentException("dropout probability must be < 1, got " + p);
        long n = x.length();
        double keep = 1.0 / (1.0 - p);
        INDArray mask;
        if (x.value().dataType() == DataType.DOUBLE) {
            double[] m = new double[(int) n];
            for (int i = 0; i < n; i++) m[i] = random.nextDouble() < p ? 0.0 : keep;
            mask = Nd4j.create(m, x.shape(), DataType.DOUBLE);
        } else {
            float[] m = new float[(int) n];
            for (int i = 0; i < n; i++) m[i] = random.nextDouble() < p ? 0f : (float) keep;
            mask = Nd4j.create(m, x.shape(), x.value().dataType());
        }
        own(mask);
        INDArray y = x.value().mul(mask);
        return record(y, g -> acc(x, own(g.mul(mask))), x);
    }

    // ------------------------------------------------------------------------------------------------ shape ops

    /** Concatenation along the last (feature) axis. */
    public Tensor concat(Tensor... xs) {
        if (xs.length == 1) return xs[0];
        int axis = xs[0].rank() - 1;
        INDArray[] vs = new INDArray[xs.length];
        for (int i = 0; i < xs.length; i++) vs[i] = xs[i].value();
        INDArray y = Nd4j.concat(axis, vs);
        return record(y, g -> {
            long off = 0;
            for (Tensor t : xs) {
                long w = t.size(axis);
                if (needs(t)) acc(t, own(g.get(rangeOnAxis(g.rank(), axis, off, off + w)).dup('c')));
                off += w;
            }
        }, xs);
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex[] rangeOnAxis(int rank, int axis, long from, long to) {
        org.nd4j.linalg.indexing.INDArrayIndex[] ix = new org.nd4j.linalg.indexing.INDArrayIndex[rank];
        for (int i = 0; i < rank; i++) ix[i] = i == axis ? NDArrayIndex.interval(from, to) : NDArrayIndex.all();
        return ix;
    }

    /** Columns {@code [from, to)} of the last axis. */
    public Tensor slice(Tensor x, long from, long to) {
        return sliceAxis(x, x.rank() - 1, from, to);
    }

    /** Rows {@code [from, to)} of the first axis. */
    public Tensor sliceRows(Tensor x, long from, long to) {
        return sliceAxis(x, 0, from, to);
    }

    private Tensor sliceAxis(Tensor x, int axis, long from, long to) {
        if (from < 0 || to > x.size(axis) || from > to) {
            throw new IllegalArgumentException("slice [" + from + "," + to + ") outside axis " + axis + " of " + Arrays.toString(x.shape()));
        }
        INDArray y = x.value().get(rangeOnAxis(x.rank(), axis, from, to)).dup('c');
        return record(y, g -> {
            INDArray gx = own(Nd4j.zeros(x.value().dataType(), x.shape()));
            gx.get(rangeOnAxis(x.rank(), axis, from, to)).assign(g);
            acc(x, gx);
        }, x);
    }

    public Tensor reshape(Tensor x, long... shape) {
        INDArray y = x.value().dup('c').reshape('c', shape);
        return record(y, g -> acc(x, own(g.dup('c').reshape('c', x.shape()))), x);
    }

    /** Transpose of a 2-D tensor. */
    public Tensor transpose(Tensor x) {
        if (x.rank() != 2) throw new IllegalArgumentException("transpose needs 2-D, got " + Arrays.toString(x.shape()));
        INDArray y = x.value().transpose().dup('c');
        return record(y, g -> acc(x, own(g.transpose().dup('c'))), x);
    }

    /** The same value with no gradient flowing back (PyTorch {@code detach()}). */
    public Tensor stopGradient(Tensor x) { return Tensor.constant(x.value()); }

    // ------------------------------------------------------------------------------------------------ index ops

    /** {@code y[i] = x[idx[i]]} over rows. */
    public Tensor gather(Tensor x, Index idx) {
        INDArray y = IndexKernels.gather(x.value(), idx, this::newArray);
        return record(y, g -> acc(x, own(IndexKernels.scatterSum(g, idx, this::newArray))), x);
    }

    /** {@code y[d] = Σ_{i: idx[i]=d} x[i]}, {@code idx.size()} output rows (torch_scatter {@code scatter(..., reduce="sum")}). */
    public Tensor scatterSum(Tensor x, Index idx) {
        INDArray y = IndexKernels.scatterSum(x.value(), idx, this::newArray);
        return record(y, g -> acc(x, own(IndexKernels.gather(g, idx, this::newArray))), x);
    }

    /** Alias of {@link #scatterSum}: segment sum by segment id. */
    public Tensor segmentSum(Tensor x, Index segment) { return scatterSum(x, segment); }

    /** Mean over the entries of each destination; empty destinations give 0 (divide by max(count, 1), as torch_scatter). */
    public Tensor segmentMean(Tensor x, Index segment) {
        INDArray sum = IndexKernels.scatterSum(x.value(), segment);
        INDArray inv = inverseCounts(segment, x.value().dataType());
        own(inv);
        sum.reshape('c', sum.size(0), sum.length() / Math.max(1, sum.size(0))).muliColumnVector(inv);
        INDArray y = sum;
        return record(y, g -> {
            INDArray g2 = own(g.dup('c'));
            g2.reshape('c', g2.size(0), g2.length() / Math.max(1, g2.size(0))).muliColumnVector(inv);
            acc(x, own(IndexKernels.gather(g2, segment)));
        }, x);
    }

    private static INDArray inverseCounts(Index seg, DataType dt) {
        double[] c = new double[seg.size()];
        for (int d = 0; d < c.length; d++) c[d] = 1.0 / Math.max(1, seg.count(d));
        return Arrays2.castClose(Nd4j.create(c, new long[]{c.length, 1}, DataType.DOUBLE), dt);
    }

    /**
     * Fused triplet aggregation {@code y[e, s·K + k] = Σ_{t: out(t)=e} coef[t, s] · x[in(t), k]} without materialising
     * the {@code [T, S, K]} products (GemNet's {@code Σ_t cbf[t,s] · x[e_ba(t)]}). {@code x [Ein, K]} gets a gradient;
     * {@code coef [T, S]} is a constant (a basis). The result is {@code [E, S·K]}, i.e. {@code [E, S, K]} in C order.
     */
    public Tensor tripletSum(Tensor x, Index in, INDArray coef, Index out) {
        if (x.rank() != 2 || coef.rank() != 2 || in.length() != coef.size(0) || out.length() != coef.size(0) || in.size() != x.size(0)) {
            throw new IllegalArgumentException("tripletSum: x " + Arrays.toString(x.shape()) + ", coef " + Arrays.toString(coef.shape())
                    + ", in " + in.length() + "→" + in.size() + ", out " + out.length() + "→" + out.size());
        }
        int k = (int) x.size(1);
        INDArray y = TripletKernels.forward(x.value(), in, coef, out);
        return record(y, g -> acc(x, own(TripletKernels.backwardX(g, in, coef, out, k))), x);
    }

    /** Batched matrix product {@code [B,n,k]·[B,k,m] → [B,n,m]}. */
    public Tensor bmm(Tensor a, Tensor b) {
        if (a.rank() != 3 || b.rank() != 3) throw new IllegalArgumentException("bmm needs rank-3 operands");
        INDArray y = TripletKernels.bmm(a.value(), b.value(), false, false);
        return record(y, g -> {
            if (needs(a)) acc(a, own(TripletKernels.bmm(g, b.value(), false, true)));
            if (needs(b)) acc(b, own(TripletKernels.bmm(a.value(), g, true, false)));
        }, a, b);
    }

    /** Axis permutation (PyTorch {@code permute}), materialised in C order. */
    public Tensor permute(Tensor x, int... dims) {
        INDArray y = x.value().permute(dims).dup('c');
        int[] inv = new int[dims.length];
        for (int i = 0; i < dims.length; i++) inv[dims[i]] = i;
        return record(y, g -> acc(x, own(g.permute(inv).dup('c'))), x);
    }

    // ------------------------------------------------------------------------------------------------ reductions

    /** Sum of all elements, a scalar {@code []}. */
    public Tensor sum(Tensor x) {
        INDArray y = x.value().sum();
        return record(y, g -> acc(x, own(Nd4j.valueArrayOf(x.shape(), g.getDouble(0), x.value().dataType()))), x);
    }

    /** Mean of all elements, a scalar {@code []}. */
    public Tensor mean(Tensor x) {
        INDArray y = x.value().mean();
        long n = x.length();
        return record(y, g -> acc(x, own(Nd4j.valueArrayOf(x.shape(), g.getDouble(0) / n, x.value().dataType()))), x);
    }

    /** Sum over axis 0 ({@code [N,F] → [1,F]}) or 1 ({@code [N,F] → [N,1]}) of a 2-D tensor, keeping the axis. */
    public Tensor sum(Tensor x, int axis) {
        if (x.rank() != 2) throw new IllegalArgumentException("sum(axis) needs 2-D, got " + Arrays.toString(x.shape()));
        INDArray y = x.value().sum(true, axis);
        return record(y, g -> {
            INDArray gx = own(Nd4j.zeros(x.value().dataType(), x.shape()));
            if (axis == 0) gx.addiRowVector(g);
            else gx.addiColumnVector(g);
            acc(x, gx);
        }, x);
    }

    /** Mean over an axis of a 2-D tensor, keeping the axis. */
    public Tensor mean(Tensor x, int axis) {
        return mul(sum(x, axis), 1.0 / x.size(axis));
    }

    // ------------------------------------------------------------------------------------------------ softmax, losses

    /** Softmax over the last axis of a 2-D tensor. */
    public Tensor softmax(Tensor x) {
        INDArray y = softmaxOf(x.value());
        return record(y, g -> {
            // dx = y ⊙ (g − Σ_j g_j y_j)
            INDArray gy = own(g.mul(y));
            INDArray s = own(gy.sum(true, 1));
            INDArray d = own(g.subColumnVector(s));
            acc(x, d.muli(y));
        }, x);
    }

    /** Log-softmax over the last axis of a 2-D tensor. */
    public Tensor logSoftmax(Tensor x) {
        INDArray y = logSoftmaxOf(x.value());
        return record(y, g -> {
            // dx = g − softmax · Σ_j g_j
            INDArray p = own(Transforms.exp(y, true));
            INDArray s = own(g.sum(true, 1));
            p.muliColumnVector(s).rsubi(g);
            acc(x, p);
        }, x);
    }

    private static INDArray logSoftmaxOf(INDArray x) {
        INDArray m = x.max(true, 1);
        INDArray z = x.subColumnVector(m);
        INDArray e = Transforms.exp(z, true);
        INDArray lse = Transforms.log(e.sum(true, 1), false);
        z.subiColumnVector(lse);
        m.close();
        e.close();
        lse.close();
        return z;
    }

    private static INDArray softmaxOf(INDArray x) {
        INDArray ls = logSoftmaxOf(x);
        return Transforms.exp(ls, false);
    }

    /**
     * Mean cross entropy of {@code logits [N,C]} against class indices {@code targets} (PyTorch
     * {@code F.cross_entropy}, reduction mean), a scalar.
     */
    public Tensor crossEntropy(Tensor logits, int[] targets) {
        if (logits.rank() != 2 || logits.size(0) != targets.length) {
            throw new IllegalArgumentException("crossEntropy: logits " + Arrays.toString(logits.shape()) + " vs " + targets.length + " targets");
        }
        int n = targets.length, c = (int) logits.size(1);
        INDArray onehot = own(oneHot(targets, c, logits.value().dataType()));
        INDArray ls = own(logSoftmaxOf(logits.value()));
        INDArray picked = own(ls.mul(onehot));
        INDArray y = picked.sum().divi(-n);
        return record(y, g -> {
            INDArray d = own(Transforms.exp(ls, true));
            d.subi(onehot).muli(g.getDouble(0) / n);
            acc(logits, d);
        }, logits);
    }

    /**
     * Per-row cross entropy {@code −log softmax(logits)[i, targets[i]]} as a column {@code [N,1]} (PyTorch
     * {@code F.cross_entropy(..., reduction='none')}, viewed as a column so it can be scaled and segment-averaged).
     */
    public Tensor crossEntropyRows(Tensor logits, int[] targets) {
        if (logits.rank() != 2 || logits.size(0) != targets.length) {
            throw new IllegalArgumentException("crossEntropyRows: logits " + Arrays.toString(logits.shape()) + " vs " + targets.length + " targets");
        }
        int n = targets.length, c = (int) logits.size(1);
        INDArray onehot = own(oneHot(targets, c, logits.value().dataType()));
        INDArray ls = own(logSoftmaxOf(logits.value()));
        INDArray y = own(ls.mul(onehot)).sum(true, 1).negi();
        return record(y, g -> {
            INDArray d = own(Transforms.exp(ls, true));
            d.subi(onehot).muliColumnVector(g);
            acc(logits, d);
        }, logits);
    }

    private static INDArray oneHot(int[] targets, int c, DataType dt) {
        int n = targets.length;
        double[] oh = new double[n * c];
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0 || targets[i] >= c) throw new IllegalArgumentException("cross entropy: target " + targets[i] + " at row " + i + " outside [0," + c + ")");
            oh[i * c + targets[i]] = 1.0;
        }
        INDArray d = Nd4j.create(oh, new long[]{n, c}, DataType.DOUBLE);
        if (dt == DataType.DOUBLE) return d;
        INDArray r = d.castTo(dt);
        d.close();
        return r;
    }

    /** Mean squared error {@code mean((a − b)²)} over all elements, a scalar (PyTorch {@code F.mse_loss}). */
    public Tensor mse(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("mse: shapes differ " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
        }
        INDArray diff = own(a.value().sub(b.value()));
        long n = diff.length();
        INDArray sq = diff.mul(diff);
        INDArray y = sq.sum().divi(n);
        sq.close();
        return record(y, g -> {
            INDArray d = own(diff.mul(2.0 * g.getDouble(0) / n));
            if (needs(a)) accumulate(a, d, true);
            if (needs(b)) acc(b, own(d.neg()));
        }, a, b);
    }

    // ------------------------------------------------------------------------------------------------ batch norm

    /**
     * BatchNorm1d over the rows of {@code x [N,F]} exactly as PyTorch. Training: normalise with the batch mean and
     * biased variance, and update the running statistics in place with the unbiased variance,
     * {@code r ← (1−momentum)·r + momentum·stat}. Evaluation: normalise with the running statistics.
     * {@code gamma}/{@code beta} may be null (no affine). The caller increments {@code num_batches_tracked}.
     */
    /** A new array with the values of {@code a} in type {@code t} (never an alias of {@code a}). */
    private static INDArray copyAs(INDArray a, DataType t) {
        return a.dataType() == t ? a.dup('c') : a.castTo(t);
    }

    public Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, INDArray runningMean, INDArray runningVar,
                            boolean train, double momentum, double eps) {
        if (x.rank() != 2) throw new IllegalArgumentException("batchNorm needs [N,F], got " + Arrays.toString(x.shape()));
        long n = x.size(0), f = x.size(1);
        INDArray mean, invStd;
        if (train) {
            if (n < 2) throw new IllegalArgumentException("BatchNorm1d in training mode needs more than 1 row per batch, got " + n);
            mean = own(x.value().mean(true, 0));
            INDArray xc = own(x.value().subRowVector(mean));
            INDArray sq = own(xc.mul(xc));
            INDArray var = own(sq.mean(true, 0));
            if (runningMean != null && runningStatistics) {
                INDArray m = own(mean.mul(momentum));
                runningMean.muli(1 - momentum).addi(m.reshape(runningMean.shape()));
                INDArray unbiased = own(var.mul(momentum * n / (double) (n - 1)));
                runningVar.muli(1 - momentum).addi(unbiased.reshape(runningVar.shape()));
            }
            invStd = own(Transforms.pow(var.add(eps), -0.5, false));
        } else {
            // copies (never aliases) of the running statistics: the tape closes what it owns
            mean = own(copyAs(runningMean.reshape(1, f), x.value().dataType()));
            invStd = own(Transforms.pow(copyAs(runningVar.reshape(1, f), x.value().dataType()).addi(eps), -0.5, false));
        }
        INDArray xhat = own(x.value().subRowVector(mean).muliRowVector(invStd));
        INDArray y = xhat.dup('c');
        if (gamma != null) y.muliRowVector(gamma.value().reshape(1, f));
        if (beta != null) y.addiRowVector(beta.value().reshape(1, f));
        Tensor[] ins = gamma == null ? new Tensor[]{x} : new Tensor[]{x, gamma, beta};
        return record(y, g -> {
            if (needs(gamma)) acc(gamma, own(own(g.mul(xhat)).sum(0)));
            if (needs(beta)) acc(beta, own(g.sum(0)));
            if (!needs(x)) return;
            INDArray gh = own(gamma == null ? g.dup() : g.mulRowVector(gamma.value().reshape(1, f)));
            if (!train) {
                acc(x, gh.muliRowVector(invStd));
                return;
            }
            // dx = invStd/N · (N·gh − Σgh − xhat·Σ(gh·xhat))
            INDArray s1 = own(gh.sum(true, 0));
            INDArray s2 = own(own(gh.mul(xhat)).sum(true, 0));
            INDArray dx = own(xhat.mulRowVector(s2));
            dx.rsubi(own(gh.mul(n))).subiRowVector(s1).muliRowVector(invStd).divi(n);
            acc(x, dx);
        }, ins);
    }

    // ------------------------------------------------------------------------------------------------ custom ops

    /**
     * Backward rule of a {@link #custom} op: given the gradient of the op's output, returns the gradient of each
     * input in order (null for an input that needs none). Arrays it returns are handed to the tape.
     */
    @FunctionalInterface
    public interface CustomBackward { INDArray[] apply(INDArray gradOut); }

    /**
     * An op defined outside this class (a fused kernel of a model block): {@code value} is its already computed
     * output (handed to the tape), {@code backward} its rule. The caller proves the rule with {@link GradientCheck}.
     * {@code backward} is only called for inputs that need a gradient; use {@link #needsGrad} to skip work.
     */
    public Tensor custom(INDArray value, CustomBackward backward, Tensor... inputs) {
        return record(value, g -> {
            INDArray[] gs = backward.apply(g);
            for (int i = 0; i < inputs.length; i++) {
                if (gs[i] == null || !needs(inputs[i])) continue;
                acc(inputs[i], own(gs[i]));
            }
        }, inputs);
    }

    /** A position in the tape's allocations, for {@link #releaseSince}. */
    public int mark() { return owned.size(); }

    /**
     * Inference memory control: on a tape that records nothing, closes every array allocated since {@code mark}
     * except those holding the values of {@code keep} (so a block's temporaries die with the block instead of with
     * the tape). A no-op on a recording tape, whose backward pass needs the arrays.
     */
    public void releaseSince(int mark, Tensor... keep) {
        if (recording || closed) return;
        java.util.Set<Object> held = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Tensor k : keep) {
            held.add(k.value());
            held.add(k.value().data());
        }
        for (int i = owned.size() - 1; i >= mark; i--) {
            INDArray a = owned.get(i);
            if (a == null || held.contains(a) || held.contains(a.data())) continue;
            HostArrays.release(a, blocks);
            owned.remove(i);
        }
    }

    /** Whether {@code t} receives a gradient on this tape. */
    public boolean needsGrad(Tensor t) { return recording && needs(t); }
}
