package org.concdvae.autodiff;

import jdk.incubator.vector.FloatVector;

/** Touches the Vector API only when {@link Simd} has found the module in the boot layer. */
final class SimdProbe {
    private SimdProbe() {}

    static int preferredBits() { return FloatVector.SPECIES_PREFERRED.vectorBitSize(); }
}
