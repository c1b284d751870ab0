package org.concdvae.autodiff;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * SiLU {@code x·σ(x)} in float32 as a SIMD-friendly Java loop. ND4J's native Sigmoid/Swish call the scalar
 * {@code expf} per element and were the largest single cost of a decoder call (GemNet applies ScaledSiLU to every
 * edge-level dense layer); here {@code exp} is evaluated with Cody–Waite range reduction and a degree-6 polynomial
 * (Cephes {@code expf} coefficients), max relative error of the result 1.6e-7 (about 2 ulp) against
 * {@code x/(1+exp(−x))} in double. With {@link Simd} on, whole vectors run in {@link SimdActivation} on the native
 * buffers; the rest (and everything without SIMD) runs in Java loops over chunks copied into arrays, with the same
 * operations in the same order. Inputs are clamped to |x| ≤ 87/88 inside the exponential only: σ is then 0 or 1 to
 * float precision; NaN propagates.
 */
final class ActivationKernels {
    private static final int CHUNK = 4096;

    private ActivationKernels() {}

    /** Whether {@link #silu} handles this array (float, host memory). */
    static boolean handles(INDArray x) {
        return IndexKernels.primitiveKernels() && x.dataType() == DataType.FLOAT && x.length() > 0
                && x.length() < Integer.MAX_VALUE;
    }

    /** {@code scale · x·σ(x)} as a new c-order array of x's shape. */
    static INDArray silu(INDArray x, float scale) { return silu(x, scale, Allocator.ND4J); }

    /** {@link #silu(INDArray, float)} with the output from {@code alloc}. */
    static INDArray silu(INDArray x, float scale, Allocator alloc) {
        INDArray xs = IndexKernels.dense(x);
        INDArray y = alloc.uninitialized(DataType.FLOAT, x.shape());
        silu(xs, y, scale);
        if (xs != x) xs.close();
        return y;
    }

    /**
     * {@code out[i] = scale · x[i]·σ(x[i])} over dense arrays, chunk by chunk in parallel ({@code out} may be
     * {@code in}): whole vectors straight in native memory when SIMD is on, the rest through Java arrays.
     */
    private static void silu(INDArray x, INDArray y, float scale) {
        int n = (int) x.length();
        FloatBuffer in = x.data().asNioFloat(), out = y.data().asNioFloat();
        ByteBuffer inB = direct(x), outB = direct(y);
        Engine.parallelFor((n + CHUNK - 1) / CHUNK, 4, (from, to) -> {
            // scratch only for what the SIMD path leaves (a tail shorter than a vector): its kernels run hundreds of
            // times a training step, and garbage collections stop every replica's thread
            float[] v = null, p = null, nf = null;
            for (int c = from; c < to; c++) {
                int off = c * CHUNK, end = Math.min(n, off + CHUNK);
                if (inB != null) off = SimdActivation.silu(inB, outB, off, end, scale);
                int m = end - off;
                if (m == 0) continue;
                if (v == null) {
                    v = new float[CHUNK];
                    p = new float[CHUNK];
                    nf = new float[CHUNK];
                }
                in.get(off, v, 0, m);
                siluChunk(v, p, nf, m, scale);
                out.put(off, p, 0, m);
            }
        });
    }

    /** The native bytes of a dense float array for the SIMD path, or null (SIMD off, or beyond int byte offsets). */
    private static ByteBuffer direct(INDArray a) {
        if (!Simd.enabled() || a.length() > Integer.MAX_VALUE / 4) return null;
        return a.data().asNio();
    }

    /**
     * The gradient of {@code scale · x·σ(x)}: {@code g · scale · σ(x)(1 + x(1 − σ(x)))} as a new c-order array (x and g
     * float, same shape); σ from the same exponential as the forward pass.
     */
    static INDArray siluBackward(INDArray x, INDArray g, float scale) { return siluBackward(x, g, scale, Allocator.ND4J); }

    /** {@link #siluBackward(INDArray, INDArray, float)} with the output from {@code alloc}. */
    static INDArray siluBackward(INDArray x, INDArray g, float scale, Allocator alloc) {
        INDArray xs = IndexKernels.dense(x);
        INDArray gs = IndexKernels.dense(g);
        int n = (int) xs.length();
        INDArray d = alloc.uninitialized(DataType.FLOAT, x.shape());
        FloatBuffer in = xs.data().asNioFloat(), gin = gs.data().asNioFloat(), out = d.data().asNioFloat();
        ByteBuffer inB = direct(xs), gB = direct(gs), outB = direct(d);
        Engine.parallelFor((n + CHUNK - 1) / CHUNK, 4, (from, to) -> {
            float[] v = null, gv = null, sg = null, nf = null;   // scratch as in silu
            for (int c = from; c < to; c++) {
                int off = c * CHUNK, end = Math.min(n, off + CHUNK);
                if (inB != null) off = SimdActivation.siluBackward(inB, gB, outB, off, end, scale);
                int m = end - off;
                if (m == 0) continue;
                if (v == null) {
                    v = new float[CHUNK];
                    gv = new float[CHUNK];
                    sg = new float[CHUNK];
                    nf = new float[CHUNK];
                }
                in.get(off, v, 0, m);
                gin.get(off, gv, 0, m);
                sigmoidChunk(v, sg, nf, m);
                for (int i = 0; i < m; i++) gv[i] = gv[i] * scale * sg[i] * (1f + v[i] * (1f - sg[i]));
                out.put(off, gv, 0, m);
            }
        });
        if (xs != x) xs.close();
        if (gs != g) gs.close();
        return d;
    }

    /** {@code out[i] = σ(v[i])} for {@code i < m}, with the exponential of {@link #siluChunk}. */
    static void sigmoidChunk(float[] v, float[] out, float[] nf, int m) {
        expNegChunk(v, out, nf, m);
        for (int i = 0; i < m; i++) out[i] = 1f / (1f + out[i]);
    }

    /** {@code out[i] = e^{−v[i]}} for {@code i < m} (argument clamped to [−87, 88]); {@code nf}: scratch. */
    private static void expNegChunk(float[] v, float[] out, float[] nf, int m) {
        // e^a with a = −x: a = n·ln2 + r, |r| ≤ ln2/2, e^r by polynomial, 2^n through the exponent bits
        // (SimdActivation.expNeg: the same steps on whole vectors)
        for (int i = 0; i < m; i++) {
            float a = clampedNegation(v[i]);
            float t = Math.fma(a, LOG2E, ROUND);           // n + 1.5·2^23: rounds a·log2 e to the nearest integer n
            float n = t - ROUND;
            float r = Math.fma(n, LN2_LO, Math.fma(n, -LN2_HI, a));
            float q = Math.fma(r, P0, P1);
            q = Math.fma(q, r, P2);
            q = Math.fma(q, r, P3);
            q = Math.fma(q, r, P4);
            q = Math.fma(q, r, P5);
            out[i] = Math.fma(q * r, r, r) + 1f;
            nf[i] = t;
        }
        // the exponent step does not vectorise in JDK 17; one scalar pass fused with the scaling
        for (int i = 0; i < m; i++) out[i] *= Float.intBitsToFloat(exponentBits(Float.floatToRawIntBits(nf[i])));
    }

    // Cody–Waite split of ln 2 and the Cephes expf polynomial
    static final float LOG2E = 1.44269504f, ROUND = 12582912f, LN2_HI = 0.693359375f, LN2_LO = 2.12194440e-4f;
    static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    static final int BITS_87 = Float.floatToRawIntBits(87f), BITS_88 = Float.floatToRawIntBits(88f);

    /**
     * {@code −x} clamped to [−87, 88] by integer minima on the float bits (positive floats order like their bits;
     * cheaper than float min/max in SIMD). A NaN maps to a finite value here; it still reaches the result through the
     * factor x of SiLU and its gradient.
     */
    static float clampedNegation(float x) {
        float a = Float.intBitsToFloat(Math.min(Float.floatToRawIntBits(x), BITS_87)) * -1f;
        return Float.intBitsToFloat(Math.min(Float.floatToRawIntBits(a), BITS_88));
    }

    /** The bits of 2^n from the bits of t = n + 1.5·2^23 (|n| ≤ 127): n sits in t's low bits, the rest shifts out. */
    static int exponentBits(int tBits) { return (tBits + 127) << 23; }

    /**
     * {@code x ← scale · x·σ(x)} in place, for a dense c-order float array that nothing else reads any more (the
     * product of a linear layer in inference). Returns false (and leaves x alone) for other arrays.
     */
    static boolean siluInPlace(INDArray x, float scale) {
        if (!handles(x) || !IndexKernels.isDense(x)) return false;
        silu(x, x, scale);
        return true;
    }

    /** {@code out[i] = scale · v[i]·σ(v[i])} for {@code i < m}; {@code nf}: scratch. */
    static void siluChunk(float[] v, float[] out, float[] nf, int m, float scale) {
        expNegChunk(v, out, nf, m);
        for (int i = 0; i < m; i++) out[i] = scale * v[i] / (1f + out[i]);
    }
}
