package org.concdvae.autodiff;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * SiLU {@code x·σ(x)} in float32 as a SIMD-friendly Java loop. ND4J's native Sigmoid/Swish call the scalar
 * {@code expf} per element and were the largest single cost of a decoder call (GemNet applies ScaledSiLU to every
 * edge-level dense layer); here {@code exp} is evaluated with Cody–Waite range reduction and a degree-6 polynomial
 * (Cephes {@code expf} coefficients), max relative error of the result 1.6e-7 (about 2 ulp) against
 * {@code x/(1+exp(−x))} in double, in passes that HotSpot vectorises (every array indexed by the same variable).
 * Inputs are clamped to |x| ≤ 87/88 inside the exponential only: σ is then 0 or 1 to float precision; NaN propagates.
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
    static INDArray silu(INDArray x, float scale) {
        INDArray xs = IndexKernels.dense(x);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x.shape(), 'c');
        silu(xs.data().asNioFloat(), y.data().asNioFloat(), (int) xs.length(), scale);
        if (xs != x) xs.close();
        return y;
    }

    /** {@code out[i] = scale · x[i]·σ(x[i])} for {@code i < n}, chunk by chunk in parallel ({@code out} may be {@code in}). */
    private static void silu(FloatBuffer in, FloatBuffer out, int n, float scale) {
        Engine.parallelFor((n + CHUNK - 1) / CHUNK, 4, (from, to) -> {
            float[] v = new float[CHUNK], p = new float[CHUNK], nf = new float[CHUNK];
            for (int c = from; c < to; c++) {
                int off = c * CHUNK, m = Math.min(CHUNK, n - off);
                in.get(off, v, 0, m);
                siluChunk(v, p, nf, m, scale);
                out.put(off, p, 0, m);
            }
        });
    }

    /**
     * The gradient of {@code scale · x·σ(x)}: {@code g · scale · σ(x)(1 + x(1 − σ(x)))} as a new c-order array (x and g
     * float, same shape); σ from the same exponential as the forward pass.
     */
    static INDArray siluBackward(INDArray x, INDArray g, float scale) {
        INDArray xs = IndexKernels.dense(x);
        INDArray gs = IndexKernels.dense(g);
        int n = (int) xs.length();
        INDArray d = Nd4j.createUninitialized(DataType.FLOAT, x.shape(), 'c');
        FloatBuffer in = xs.data().asNioFloat(), gin = gs.data().asNioFloat(), out = d.data().asNioFloat();
        Engine.parallelFor((n + CHUNK - 1) / CHUNK, 4, (from, to) -> {
            float[] v = new float[CHUNK], gv = new float[CHUNK], sg = new float[CHUNK], nf = new float[CHUNK];
            for (int c = from; c < to; c++) {
                int off = c * CHUNK, m = Math.min(CHUNK, n - off);
                in.get(off, v, 0, m);
                gin.get(off, gv, 0, m);
                int done = Simd.enabled() ? SimdActivation.siluBackwardChunk(v, gv, m, scale) : 0;
                sigmoidChunk(v, sg, nf, done, m);
                for (int i = done; i < m; i++) gv[i] = gv[i] * scale * sg[i] * (1f + v[i] * (1f - sg[i]));
                out.put(off, gv, 0, m);
            }
        });
        if (xs != x) xs.close();
        if (gs != g) gs.close();
        return d;
    }

    /** {@code out[i] = σ(v[i])} for {@code from ≤ i < m}, with the exponential of {@link #siluChunk}. */
    static void sigmoidChunk(float[] v, float[] out, float[] nf, int from, int m) {
        expNegChunk(v, out, nf, from, m);
        for (int i = from; i < m; i++) out[i] = 1f / (1f + out[i]);
    }

    /** {@code out[i] = e^{−v[i]}} for {@code from ≤ i < m} (argument clamped to [−87, 88]); {@code nf}: scratch. */
    private static void expNegChunk(float[] v, float[] out, float[] nf, int from, int m) {
        // e^a with a = −x: a = n·ln2 + r, |r| ≤ ln2/2, e^r by polynomial, 2^n through the exponent bits
        // (SimdActivation.expNeg: the same steps on whole vectors)
        for (int i = from; i < m; i++) {
            float a = Math.min(Math.max(v[i] * -1f, -87f), 88f);
            float n = (a * 1.44269504f + 12582912f) - 12582912f;   // round to nearest integer (|a·log2 e| < 2^22)
            float r = a - n * 0.693359375f + n * 2.12194440e-4f;
            float q = 1.9875691500e-4f;
            q = q * r + 1.3981999507e-3f;
            q = q * r + 8.3334519073e-3f;
            q = q * r + 4.1665795894e-2f;
            q = q * r + 1.6666665459e-1f;
            q = q * r + 5.0000001201e-1f;
            out[i] = q * r * r + r + 1f;
            nf[i] = n;
        }
        // the float→int exponent step does not vectorise in JDK 17; one scalar pass fused with the scaling
        for (int i = from; i < m; i++) out[i] *= Float.intBitsToFloat(((int) nf[i] + 127) << 23);
    }

    /**
     * {@code x ← scale · x·σ(x)} in place, for a dense c-order float array that nothing else reads any more (the
     * product of a linear layer in inference). Returns false (and leaves x alone) for other arrays.
     */
    static boolean siluInPlace(INDArray x, float scale) {
        if (!handles(x) || !IndexKernels.isDense(x)) return false;
        FloatBuffer buf = x.data().asNioFloat();
        silu(buf, buf, (int) x.length(), scale);
        return true;
    }

    /** {@code out[i] = scale · v[i]·σ(v[i])} for {@code i < m}; {@code nf}: scratch. */
    static void siluChunk(float[] v, float[] out, float[] nf, int m, float scale) {
        int done = Simd.enabled() ? SimdActivation.siluChunk(v, out, m, scale) : 0;
        expNegChunk(v, out, nf, done, m);
        for (int i = done; i < m; i++) out[i] = scale * v[i] / (1f + out[i]);
    }
}
