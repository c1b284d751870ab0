package org.concdvae.nn;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DimeNet++ radial basis (model.md §3.1): {@code rbf[e,n] = u(x_e) · sin(f_n x_e)}, {@code x = d/c}, envelope
 * {@code u(x) = (1/x − 28x⁵ + 48x⁶ − 21x⁷)·[x<1]} for exponent 5. The frequencies {@code f} are the learnable
 * parameter {@code <name>.freq [R]} (initial nπ), so the basis is computed on the tape.
 */
public final class BesselBasis {
    public final Tensor freq;
    private final double cutoff;
    private final int p;

    public BesselBasis(ParameterStore store, String name, int numRadial, double cutoff, int envelopeExponent) {
        this.freq = store.scope(name).parameter("freq", numRadial);
        this.cutoff = cutoff;
        this.p = envelopeExponent + 1;
        resetFrequencies();
    }

    /** {@code f_n = nπ}. */
    public void resetFrequencies() {
        double[] f = new double[(int) freq.length()];
        for (int n = 0; n < f.length; n++) f[n] = (n + 1) * Math.PI;
        freq.value().assign(Nd4j.create(f, freq.shape(), DataType.DOUBLE).castTo(freq.value().dataType()));
    }

    /** DimeNet envelope with exponent p = envelopeExponent+1, zero for x ≥ 1. */
    public static double envelope(double x, int p) {
        if (x >= 1) return 0;
        double a = -(p + 1) * (p + 2) / 2.0, b = p * (p + 2), c = -p * (p + 1) / 2.0;
        double xp0 = Math.pow(x, p - 1);
        return 1 / x + a * xp0 + b * xp0 * x + c * xp0 * x * x;
    }

    public double cutoff() { return cutoff; }

    public int exponentP() { return p; }

    /** {@code [E, R]} from edge lengths {@code dist [E]} (Å). */
    public Tensor forward(Tape t, INDArray dist) {
        int e = (int) dist.length();
        double[] x = new double[e], env = new double[e];
        for (int i = 0; i < e; i++) {
            x[i] = dist.getDouble(i) / cutoff;
            env[i] = envelope(x[i], p);
        }
        DataType dt = freq.value().dataType();
        Tensor xc = t.ownedConstant(org.concdvae.autodiff.Arrays2.castClose(Nd4j.create(x, new long[]{e, 1}, DataType.DOUBLE), dt));
        Tensor envc = t.ownedConstant(org.concdvae.autodiff.Arrays2.castClose(Nd4j.create(env, new long[]{e, 1}, DataType.DOUBLE), dt));
        Tensor arg = t.matmul(xc, t.reshape(freq, 1, freq.length()));
        return t.mul(t.sin(arg), envc);
    }
}
