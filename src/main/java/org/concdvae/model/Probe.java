package org.concdvae.model;

import org.concdvae.autodiff.Tensor;

/**
 * Receives named intermediate tensors of a forward pass (parity checks against the reference, diagnostics). The
 * names are those of the reference files ({@code emb_out}, {@code P_block0}, …). A probe must copy what it keeps
 * ({@code value().dup()}): intermediates are released when their tape closes.
 */
@FunctionalInterface
public interface Probe {
    /** The probe that ignores everything. */
    Probe NONE = (name, value) -> {};

    void accept(String name, Tensor value);

    /** True if this probe wants intermediates (models may then take a slower path that materialises them). */
    default boolean active() { return this != NONE; }
}
