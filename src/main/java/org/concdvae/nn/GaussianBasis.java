package org.concdvae.nn;

import org.concdvae.autodiff.Engine;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GemNet radial basis (model.md §11.1): {@code rbf[e,k] = u(x_e) · exp(coef (x_e − μ_k)²)}, {@code x = d/c},
 * polynomial envelope {@code u(x) = (1 − 21x⁵ + 35x⁶ − 15x⁷)·[x<1]} (exponent 5), centres = buffer
 * {@code <name>.rbf.offset} (linspace(0,1,K)), {@code coef = −0.5/(μ_1 − μ_0)²}. A constant (no gradient).
 */
public final class GaussianBasis {
    public final INDArray offset;
    private final double cutoff;
    private final int p;

    public GaussianBasis(ParameterStore store, String name, int numRadial, double cutoff, int envelopeExponent) {
        this.offset = store.scope(name).scope("rbf").buffer("offset", numRadial);
        double[] o = new double[numRadial];
        for (int k = 0; k < numRadial; k++) o[k] = numRadial == 1 ? 0 : (double) k / (numRadial - 1);
        offset.assign(Nd4j.create(o, new long[]{numRadial}, DataType.DOUBLE).castTo(offset.dataType()));
        this.cutoff = cutoff;
        this.p = envelopeExponent;
    }

    /** True if {@code other} computes exactly the same values (same centres, cutoff and envelope). */
    public boolean sameFunction(GaussianBasis other) {
        return other == this || (cutoff == other.cutoff && p == other.p && java.util.Arrays.equals(offset.toDoubleVector(), other.offset.toDoubleVector()));
    }

    /** GemNet polynomial envelope {@code 1 + a xᵖ + b xᵖ⁺¹ + c xᵖ⁺²}, zero for x ≥ 1. */
    public static double envelope(double x, int p) {
        if (x >= 1) return 0;
        double a = -(p + 1) * (p + 2) / 2.0, b = p * (p + 2), c = -p * (p + 1) / 2.0;
        double xp = Math.pow(x, p);
        return 1 + a * xp + b * xp * x + c * xp * x * x;
    }

    /** {@code [E, K]} in {@code type} from edge lengths {@code dist [E]} (Å). */
    public INDArray compute(double[] dist, DataType type) {
        int e = dist.length, k = (int) offset.length();
        double[] mu = offset.toDoubleVector();
        double step = mu.length > 1 ? mu[1] - mu[0] : 1;
        double coef = -0.5 / (step * step);
        double[] out = new double[e * k];
        Engine.parallelFor(e, 256, (from, to) -> {
            for (int i = from; i < to; i++) {
                double x = dist[i] / cutoff;
                double env = envelope(x, p);
                for (int j = 0; j < k; j++) {
                    double d = x - mu[j];
                    out[i * k + j] = env * Math.exp(coef * d * d);
                }
            }
        });
        if (type == DataType.FLOAT) {
            // straight to float32 (no double ND4J array left for the garbage collector in per-step use). The Gaussian
            // tails one or two centres out land below Float.MIN_NORMAL (about 2 % of the entries at 128 centres);
            // such subnormal operands cost the CPU a microcode assist per multiply and made the products with this
            // basis 3-7x slower, so they become 0 (a change below 1.2e-38).
            float[] f = new float[out.length];
            for (int i = 0; i < f.length; i++) {
                float v = (float) out[i];
                f[i] = Math.abs(v) < Float.MIN_NORMAL ? 0f : v;
            }
            return Nd4j.create(f, new long[]{e, k}, 'c');
        }
        INDArray r = Nd4j.create(out, new long[]{e, k}, DataType.DOUBLE);
        return org.concdvae.autodiff.Arrays2.castClose(r, type);
    }
}
