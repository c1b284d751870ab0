package org.concdvae.verify;

import java.util.List;

/**
 * The checks of one reference file ({@code ../shared/reference/<file>}): run our forward passes on the session's
 * inputs and compare every tensor the file holds. Register new checks in {@link ReferenceChecks}.
 */
public interface ReferenceCheck {
    /** The reference file name, e.g. {@code batch8_encoder.safetensors}. */
    String file();

    /**
     * One comparison per tensor of the file. Tensors the check does not know must still appear (as failures), so a
     * new reference tensor cannot be silently skipped: use {@link ReferenceSession#unchecked}.
     */
    List<Comparison> run(ReferenceSession session);
}
