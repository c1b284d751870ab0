package org.concdvae.autodiff;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The chunk loops of {@link ActivationKernels} with the Vector API ({@link Simd}): the same operations in the same
 * order, so the results are bit for bit those of the plain loops, including the exponent step (float→int, shift,
 * reinterpret) that HotSpot does not vectorise on its own. Loaded only when {@link Simd#enabled()}.
 */
final class SimdActivation {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private SimdActivation() {}

    /** {@code e^{−v}} of one vector, as {@code ActivationKernels.expNegChunk}. */
    private static FloatVector expNeg(FloatVector v) {
        FloatVector a = v.mul(-1f).max(-87f).min(88f);
        FloatVector t = a.mul(1.44269504f).add(12582912f);
        FloatVector n = t.sub(12582912f);
        FloatVector r = a.sub(n.mul(0.693359375f)).add(n.mul(2.12194440e-4f));
        FloatVector q = r.mul(1.9875691500e-4f).add(1.3981999507e-3f);
        q = q.mul(r).add(8.3334519073e-3f);
        q = q.mul(r).add(4.1665795894e-2f);
        q = q.mul(r).add(1.6666665459e-1f);
        q = q.mul(r).add(5.0000001201e-1f);
        FloatVector p = q.mul(r).mul(r).add(r).add(1f);
        // 2^n: the low bits of t = n + 1.5·2^23 hold n (|n| ≤ 127), and shifting by 23 drops the rest of t's bits,
        // so (bits(t) + 127) << 23 equals ((int) n + 127) << 23 without a float→int conversion
        IntVector bits = t.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    /** Lanes done with whole vectors; the caller finishes {@code [returned, m)} with the plain loop. */
    static int siluChunk(float[] v, float[] out, int m, float scale) {
        int i = 0;
        for (int upper = F.loopBound(m); i < upper; i += L) {
            FloatVector x = FloatVector.fromArray(F, v, i);
            x.mul(scale).div(expNeg(x).add(1f)).intoArray(out, i);
        }
        return i;
    }

    /** {@code g ← g · scale · σ(v)(1 + v(1 − σ(v)))}; lanes done, as {@link #siluChunk}. */
    static int siluBackwardChunk(float[] v, float[] g, int m, float scale) {
        int i = 0;
        for (int upper = F.loopBound(m); i < upper; i += L) {
            FloatVector x = FloatVector.fromArray(F, v, i);
            FloatVector s = FloatVector.broadcast(F, 1f).div(expNeg(x).add(1f));
            FloatVector d = x.mul(FloatVector.broadcast(F, 1f).sub(s)).add(1f);
            FloatVector.fromArray(F, g, i).mul(scale).mul(s).mul(d).intoArray(g, i);
        }
        return i;
    }
}
