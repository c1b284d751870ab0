package org.concdvae.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gaussian expansion of a scalar condition (model.md §6): {@code n = ceil((max−min)/spacing) + 1} centres
 * {@code μ_k = linspace(min, min + spacing·(n−1), n)} (float32 buffer {@code <name>.offsets}), widths
 * {@code w_k = |μ_1 − μ_0|} (buffer {@code <name>.widths}); {@code g_k(y) = exp(−0.5 (y − μ_k)² / w_k²)}.
 * Uses the loaded buffer values. A constant (conditions need no gradient).
 */
public final class GaussianExpansion {
    public final INDArray widths, offsets;

    public GaussianExpansion(ParameterStore store, String name, double min, double max, double spacing) {
        int n = (int) Math.ceil((max - min) / spacing) + 1;
        ParameterStore s = store.scope(name);
        widths = s.buffer("widths", n);
        offsets = s.buffer("offsets", n);
        float[] mu = new float[n];
        double stop = min + spacing * (n - 1);
        for (int k = 0; k < n; k++) mu[k] = (float) (n == 1 ? min : min + (stop - min) * k / (n - 1));
        float w = n > 1 ? Math.abs(mu[1] - mu[0]) : (float) spacing;
        for (int k = 0; k < n; k++) {
            offsets.putScalar(k, mu[k]);
            widths.putScalar(k, w);
        }
    }

    public int size() { return (int) offsets.length(); }

    /** {@code [B, n]} in the buffers' type for condition values {@code y [B]}. */
    public INDArray compute(double[] y) {
        int n = size();
        double[] mu = offsets.toDoubleVector(), w = widths.toDoubleVector();
        double[] out = new double[y.length * n];
        for (int b = 0; b < y.length; b++) {
            for (int k = 0; k < n; k++) {
                double d = y[b] - mu[k];
                out[b * n + k] = Math.exp(-0.5 / (w[k] * w[k]) * d * d);
            }
        }
        INDArray r = Nd4j.create(out, new long[]{y.length, n}, DataType.DOUBLE);
        return org.concdvae.autodiff.Arrays2.castClose(r, offsets.dataType());
    }
}
