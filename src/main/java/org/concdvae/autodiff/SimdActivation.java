package org.concdvae.autodiff;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The loops of {@link ActivationKernels} with the Vector API ({@link Simd}), on the arrays' native memory: the same
 * operations in the same order, so the results are bit for bit those of the plain loops, including the exponent step
 * (float bits as integers, add, shift) that HotSpot does not vectorise on its own. Loaded only when
 * {@link Simd#enabled()}.
 */
final class SimdActivation {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final int L = F.length();

    private SimdActivation() {}

    private static final IntVector B87 = IntVector.broadcast(I, ActivationKernels.BITS_87);
    private static final IntVector B88 = IntVector.broadcast(I, ActivationKernels.BITS_88);

    private static final FloatVector LN2_LO = FloatVector.broadcast(F, ActivationKernels.LN2_LO);
    private static final FloatVector NEG_LN2_HI = FloatVector.broadcast(F, -ActivationKernels.LN2_HI);
    private static final FloatVector P2 = FloatVector.broadcast(F, ActivationKernels.P2);
    private static final FloatVector P3 = FloatVector.broadcast(F, ActivationKernels.P3);
    private static final FloatVector P4 = FloatVector.broadcast(F, ActivationKernels.P4);
    private static final FloatVector P5 = FloatVector.broadcast(F, ActivationKernels.P5);

    /** {@code e^{−v}} of one vector: {@code ActivationKernels.expNegChunk} step by step. */
    private static FloatVector expNeg(FloatVector v) {
        FloatVector a = v.reinterpretAsInts().min(B87).reinterpretAsFloats().mul(-1f);
        a = a.reinterpretAsInts().min(B88).reinterpretAsFloats();
        FloatVector t = a.fma(ActivationKernels.LOG2E, ActivationKernels.ROUND);
        FloatVector n = t.sub(ActivationKernels.ROUND);
        FloatVector r = n.fma(LN2_LO, n.fma(NEG_LN2_HI, a));
        FloatVector q = r.fma(ActivationKernels.P0, ActivationKernels.P1);
        q = q.fma(r, P2);
        q = q.fma(r, P3);
        q = q.fma(r, P4);
        q = q.fma(r, P5);
        FloatVector p = q.mul(r).fma(r, r).add(1f);
        IntVector bits = t.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /**
     * {@code out[i] = scale · x[i]·σ(x[i])} for whole vectors in {@code [from, to)}, read and written in native memory
     * (no copies through Java arrays; {@code out} may be {@code in}). Returns the end of the part done.
     */
    static int silu(ByteBuffer in, ByteBuffer out, int from, int to, float scale) {
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector x = FloatVector.fromByteBuffer(F, in, i * 4, NATIVE);
            x.mul(scale).div(expNeg(x).add(1f)).intoByteBuffer(out, i * 4, NATIVE);
        }
        return i;
    }

    /** {@code d[i] = g[i] · scale · σ(x[i])(1 + x[i](1 − σ(x[i])))} in native memory, as {@link #silu(ByteBuffer, ByteBuffer, int, int, float)}. */
    static int siluBackward(ByteBuffer x, ByteBuffer g, ByteBuffer d, int from, int to, float scale) {
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector v = FloatVector.fromByteBuffer(F, x, i * 4, NATIVE);
            FloatVector s = FloatVector.broadcast(F, 1f).div(expNeg(v).add(1f));
            FloatVector dv = v.mul(FloatVector.broadcast(F, 1f).sub(s)).add(1f);
            FloatVector.fromByteBuffer(F, g, i * 4, NATIVE).mul(scale).mul(s).mul(dv).intoByteBuffer(d, i * 4, NATIVE);
        }
        return i;
    }
}
