package org.concdvae.nn;

import org.concdvae.autodiff.Engine;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DimeNet++ spherical basis per triplet (model.md §3.2): {@code sbf[t, l·R + n] = u(x_kj) · N_ln j_l(z_ln x_kj) ·
 * Y_l(θ_t)} with {@code x_kj = d_kj / c}, spherical Bessel {@code j_l} evaluated in float64, zeros {@code z_ln},
 * normalisation {@code N_ln = (½ j_{l+1}(z_ln)²)^(−½)} and m = 0 spherical harmonics. No parameters: a constant.
 */
public final class SphericalBasis {
    private final int numSpherical, numRadial, p;
    private final double cutoff;
    private final double[][] zeros, norm;

    public SphericalBasis(int numSpherical, int numRadial, double cutoff, int envelopeExponent) {
        this.numSpherical = numSpherical;
        this.numRadial = numRadial;
        this.cutoff = cutoff;
        this.p = envelopeExponent + 1;
        this.zeros = SphericalBessel.zeros(numSpherical, numRadial);
        this.norm = new double[numSpherical][numRadial];
        for (int l = 0; l < numSpherical; l++) {
            for (int n = 0; n < numRadial; n++) {
                double jl1 = SphericalBessel.j(l + 1, zeros[l][n]);
                norm[l][n] = 1 / Math.sqrt(0.5 * jl1 * jl1);
            }
        }
    }

    /** The zero {@code z_{l,n}} (n from 0). */
    public double zero(int l, int n) { return zeros[l][n]; }

    /** The normalisation {@code N_{l,n}} (n from 0). */
    public double normalisation(int l, int n) { return norm[l][n]; }

    /**
     * {@code [T, S·R]} in {@code type} from edge lengths {@code dist [E]}, triplet angles {@code angle [T]} (radians)
     * and the edge k→j of each triplet {@code idxKj [T]}.
     */
    public INDArray compute(double[] dist, double[] angle, int[] idxKj, DataType type) {
        int e = dist.length, t = angle.length, w = numSpherical * numRadial;
        double[] radial = new double[e * w];
        Engine.parallelFor(e, 256, (from, to) -> {
            double[] jl = new double[numSpherical + 1];
            for (int i = from; i < to; i++) {
                double x = dist[i] / cutoff;
                double env = BesselBasis.envelope(x, p);
                for (int l = 0; l < numSpherical; l++) {
                    for (int n = 0; n < numRadial; n++) {
                        SphericalBessel.values(l, zeros[l][n] * x, jl);
                        radial[i * w + l * numRadial + n] = env * norm[l][n] * jl[l];
                    }
                }
            }
        });
        double[] out = new double[t * w];
        Engine.parallelFor(t, 1024, (from, to) -> {
            double[] y = new double[numSpherical];
            for (int i = from; i < to; i++) {
                SphericalBessel.sphericalHarmonicsM0(numSpherical - 1, Math.cos(angle[i]), y);
                int src = idxKj[i] * w;
                for (int l = 0; l < numSpherical; l++) {
                    for (int n = 0; n < numRadial; n++) {
                        out[i * w + l * numRadial + n] = radial[src + l * numRadial + n] * y[l];
                    }
                }
            }
        });
        return org.concdvae.autodiff.Arrays2.castClose(Nd4j.create(out, new long[]{t, w}, DataType.DOUBLE), type);
    }
}
