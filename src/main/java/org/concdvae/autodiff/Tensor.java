package org.concdvae.autodiff;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * A node of the autodiff graph: an ND4J value and, after {@link Tape#backward}, its gradient.
 *
 * <p>Three kinds exist. <b>Parameters</b> ({@link #parameter}) live across steps; their value and gradient arrays are
 * owned by the {@code nn.ParameterStore}, never by a tape, and gradients accumulate until {@link #zeroGrad()}.
 * <b>Constants</b> ({@link #constant}) never receive a gradient. <b>Intermediates</b> are created by the ops of a
 * {@link Tape}; the tape owns their arrays and releases them on {@link Tape#close()}, so an intermediate must not be
 * used after its tape is closed (copy what you keep with {@code value().dup()}).
 */
public final class Tensor {
    private final INDArray value;
    private final boolean requiresGrad;
    private final boolean parameter;
    INDArray grad;
    /** True while {@link #grad} is an array that another tensor may also hold (so it must not be modified in place). */
    boolean gradShared;
    /** The tape whose op produced this tensor (null for parameters and constants). */
    Tape producer;

    Tensor(INDArray value, boolean requiresGrad, boolean parameter) {
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.parameter = parameter;
    }

    /** A trainable leaf whose gradient persists across tapes (accumulates until {@link #zeroGrad()}). */
    public static Tensor parameter(INDArray value) { return new Tensor(value, true, true); }

    /** A leaf that never receives a gradient (inputs, frozen weights, bases). The caller keeps ownership. */
    public static Tensor constant(INDArray value) { return new Tensor(value, false, false); }

    public INDArray value() { return value; }

    /** True while a parameter's persistent gradient array holds a gradient of the current step. */
    boolean gradValid;

    /** The accumulated gradient, or {@code null} if no gradient reached this tensor (since the last zeroGrad). */
    public INDArray grad() { return parameter && !gradValid ? null : grad; }

    /**
     * Adds {@code g} (this parameter's shape) to its persistent gradient, as a backward pass does; data-parallel
     * training uses it to combine the replicas' gradients.
     */
    public void accumulateGrad(INDArray g) {
        if (!parameter) throw new IllegalStateException("accumulateGrad is for parameters");
        if (grad == null) grad = g.dup('c');
        else if (!gradValid) grad.assign(g);
        else grad.addi(g);
        gradValid = true;
    }

    public boolean requiresGrad() { return requiresGrad; }

    public boolean isParameter() { return parameter; }

    public long[] shape() { return value.shape(); }

    public int rank() { return value.rank(); }

    /** Size of dimension {@code d} (negative counts from the end). */
    public long size(int d) { return value.size(d < 0 ? value.rank() + d : d); }

    public long length() { return value.length(); }

    /**
     * Forgets the gradient. A parameter keeps its array (no allocation per step); until a gradient reaches it again
     * {@link #grad()} is null, so an optimiser skips it as PyTorch skips parameters whose grad is None.
     */
    public void zeroGrad() {
        if (parameter) gradValid = false;
        else grad = null;
    }

    /** Scalar value of a one-element tensor (e.g. a loss). */
    public double item() {
        if (value.length() != 1) throw new IllegalStateException("item() needs one element, shape " + Arrays.toString(shape()));
        return value.getDouble(0);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape()) + (parameter ? " param" : requiresGrad ? " grad" : "");
    }
}
