package org.concdvae.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sinusoidal noise-level embedding (model.md §7): {@code [sin(t ω_0..h−1) ; cos(t ω_0..h−1)]}, {@code h = dim/2},
 * {@code ω_k = exp(−k · ln(10000)/(h−1))}. The frequencies and the products {@code t·ω} are rounded to float32 as in
 * the reference (float32 tensors), so large {@code t} reproduce its float32 phase; sin/cos then in double.
 */
public final class SinusoidalEmbedding {
    private final int dim;
    private final float[] omega;

    public SinusoidalEmbedding(int dim) {
        if (dim % 2 != 0 || dim < 4) throw new IllegalArgumentException("time embedding dim must be even and >= 4, got " + dim);
        this.dim = dim;
        int h = dim / 2;
        float step = (float) -(Math.log(10000) / (h - 1));
        omega = new float[h];
        for (int k = 0; k < h; k++) omega[k] = (float) Math.exp((float) (k * step));
    }

    public int dim() { return dim; }

    /** {@code [B, dim]} in {@code type}. */
    public INDArray compute(double[] t, DataType type) {
        int h = dim / 2;
        double[] out = new double[t.length * dim];
        for (int b = 0; b < t.length; b++) {
            for (int k = 0; k < h; k++) {
                float arg = (float) t[b] * omega[k];
                out[b * dim + k] = Math.sin(arg);
                out[b * dim + h + k] = Math.cos(arg);
            }
        }
        INDArray r = Nd4j.create(out, new long[]{t.length, dim}, DataType.DOUBLE);
        return org.concdvae.autodiff.Arrays2.castClose(r, type);
    }
}
