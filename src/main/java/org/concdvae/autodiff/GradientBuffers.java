package org.concdvae.autodiff;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Parameter gradients kept apart from the parameters' own: a tape given these buffers ({@link Tape#gradientsInto})
 * accumulates every parameter gradient here instead of into the shared {@link Tensor}. Several replicas of one model
 * then run backward passes on several threads at once, each into its own buffers, without touching the shared
 * parameters; the trainer sums them afterwards in a fixed order. Gradients accumulate across tapes until
 * {@link #clear()}, like a parameter's own gradient until {@code zeroGrad}. Not thread-safe: one thread at a time.
 */
public final class GradientBuffers {
    private final Map<Tensor, INDArray> arrays = new IdentityHashMap<>();
    private final Map<Tensor, Boolean> valid = new IdentityHashMap<>();

    /** Adds {@code g} (already in the parameter's shape) to the buffer of parameter {@code p}. */
    void accumulate(Tensor p, INDArray g) {
        INDArray a = arrays.get(p);
        if (a == null) arrays.put(p, g.dup('c'));
        else if (!valid.getOrDefault(p, false)) a.assign(g);
        else a.addi(g);
        valid.put(p, true);
    }

    /** The gradient of {@code p} accumulated since the last {@link #clear()}, or null if none reached it. */
    public INDArray get(Tensor p) { return valid.getOrDefault(p, false) ? arrays.get(p) : null; }

    /** Forgets the gradients (the arrays are kept for the next step). */
    public void clear() { valid.clear(); }
}
