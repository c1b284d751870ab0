package org.concdvae.nn;

import org.concdvae.autodiff.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Initialisers for training from scratch (model.md §14), driven by a seeded {@link Random} so a run is reproducible.
 * Loaded weights override them. Values are drawn in double precision and stored in the tensor's type.
 */
public final class Init {
    private Init() {}

    private static void set(INDArray a, double[] v) {
        a.assign(Nd4j.create(v, a.shape(), org.nd4j.linalg.api.buffer.DataType.DOUBLE).castTo(a.dataType()));
    }

    /** U(lo, hi). */
    public static void uniform(Tensor t, double lo, double hi, Random r) {
        double[] v = new double[(int) t.length()];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        set(t.value(), v);
    }

    /** N(mean, std²). */
    public static void normal(Tensor t, double mean, double std, Random r) {
        double[] v = new double[(int) t.length()];
        for (int i = 0; i < v.length; i++) v[i] = mean + std * r.nextGaussian();
        set(t.value(), v);
    }

    public static void constant(Tensor t, double c) { t.value().assign(c); }

    /** PyTorch {@code nn.Linear} default: weight and bias U(−1/√fan_in, 1/√fan_in). */
    public static void pytorchLinear(Tensor weight, Tensor bias, Random r) {
        double b = 1.0 / Math.sqrt(weight.size(1));
        uniform(weight, -b, b, r);
        if (bias != null) uniform(bias, -b, b, r);
    }

    /**
     * PyTorch {@code orthogonal_}: rows = dim 0, cols = the rest; QR of a Gaussian matrix (of the transpose when
     * rows < cols) with the signs fixed so that R has a positive diagonal. Returns the row-major matrix.
     */
    static double[] orthogonal(int rows, int cols, Random r) {
        boolean tr = rows < cols;
        int m = tr ? cols : rows, n = tr ? rows : cols; // m ≥ n, columns of an m×n matrix orthonormalised
        double[][] q = new double[n][m];
        for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) q[j][i] = r.nextGaussian();
        // modified Gram–Schmidt: R has a positive diagonal, which is the sign convention of orthogonal_
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < m; i++) dot += q[k][i] * q[j][i];
                for (int i = 0; i < m; i++) q[j][i] -= dot * q[k][i];
            }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += q[j][i] * q[j][i];
            norm = Math.sqrt(norm);
            for (int i = 0; i < m; i++) q[j][i] /= norm;
        }
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < cols; c++) out[i * cols + c] = tr ? q[i][c] : q[c][i];
        }
        return out;
    }

    /** torch_geometric {@code glorot_orthogonal(W, scale)}: orthogonal, then {@code W·sqrt(scale/((rows+cols)·var(W)))}. */
    public static void glorotOrthogonal(Tensor w, double scale, Random r) {
        int rows = (int) w.size(0), cols = (int) (w.length() / rows);
        double[] v = orthogonal(rows, cols, r);
        double var = variance(v, 0, v.length, 1);
        double f = Math.sqrt(scale / ((w.size(-2) + w.size(-1)) * var));
        for (int i = 0; i < v.length; i++) v[i] *= f;
        set(w.value(), v);
    }

    /**
     * GemNet {@code he_orthogonal_init}: orthogonal, standardise to mean 0 / unbiased variance 1 over the input axes
     * (axis 1 for 2-D, axes 0,1 for 3-D; {@code (var + 1e-6)^½}), then scale by {@code fan_in^(−½)}.
     */
    public static void heOrthogonal(Tensor w, Random r) {
        int rows = (int) w.size(0), cols = (int) (w.length() / rows);
        double[] v = orthogonal(rows, cols, r);
        if (w.rank() == 2) {
            for (int i = 0; i < rows; i++) standardise(v, i * cols, cols, 1);
            scale(v, 1.0 / Math.sqrt(cols));
        } else if (w.rank() == 3) {
            int last = (int) w.size(2);
            int fanIn = (int) (w.size(0) * w.size(1));
            // standardise each output column k over axes 0 and 1 (stride = last)
            for (int k = 0; k < last; k++) standardise(v, k, fanIn, last);
            scale(v, 1.0 / Math.sqrt(fanIn));
        } else {
            throw new IllegalArgumentException("heOrthogonal needs a 2-D or 3-D weight");
        }
        set(w.value(), v);
    }

    private static void scale(double[] v, double f) {
        for (int i = 0; i < v.length; i++) v[i] *= f;
    }

    private static double variance(double[] v, int start, int count, int stride) {
        double mean = 0;
        for (int i = 0; i < count; i++) mean += v[start + i * stride];
        mean /= count;
        double s = 0;
        for (int i = 0; i < count; i++) {
            double d = v[start + i * stride] - mean;
            s += d * d;
        }
        return s / (count - 1);
    }

    private static void standardise(double[] v, int start, int count, int stride) {
        double mean = 0;
        for (int i = 0; i < count; i++) mean += v[start + i * stride];
        mean /= count;
        double sd = Math.sqrt(variance(v, start, count, stride) + 1e-6);
        for (int i = 0; i < count; i++) v[start + i * stride] = (v[start + i * stride] - mean) / sd;
    }
}
