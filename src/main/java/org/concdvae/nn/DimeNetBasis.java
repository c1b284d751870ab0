package org.concdvae.nn;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;

/**
 * The DimeNet++ bases (model.md §3.1–3.2; torch_geometric {@code BesselBasisLayer}, {@code SphericalBasisLayer},
 * {@code Envelope}, {@code dimenet_utils}). The polynomial envelope and the spherical basis depend only on geometry,
 * so they are evaluated here in double precision outside any tape; the radial basis has a learnable frequency and is
 * built on the tape by {@link #radial}.
 *
 * <p>The reference evaluates sympy closed forms of {@code j_l} in float32, which cancel badly for l ≥ 4 and small
 * arguments; here {@code j_l} is evaluated stably in double (power series for small arguments, upward recurrence
 * otherwise), so our values are the more accurate ones (model.md §3.2 precision note).
 */
public final class DimeNetBasis {
    private final int numSpherical;
    private final int numRadial;
    private final double cutoff;
    private final int exponent;
    /** z[l][n]: n-th positive zero of j_l. */
    private final double[][] zeros;
    /** norm[l][n] = (½ j_{l+1}(z_{l,n})²)^(−½). */
    private final double[][] norms;

    /**
     * @param numSpherical S (orders l = 0..S−1)
     * @param numRadial    R (roots n = 1..R)
     * @param cutoff       c (Å); x = d/c
     * @param exponent     envelope exponent; the envelope uses p = exponent + 1
     */
    public DimeNetBasis(int numSpherical, int numRadial, double cutoff, int exponent) {
        if (numSpherical < 1 || numRadial < 1) throw new IllegalArgumentException("DimeNet basis sizes must be positive");
        if (!(cutoff > 0)) throw new IllegalArgumentException("cutoff must be positive, got " + cutoff);
        this.numSpherical = numSpherical;
        this.numRadial = numRadial;
        this.cutoff = cutoff;
        this.exponent = exponent;
        this.zeros = besselZeros(numSpherical, numRadial);
        this.norms = new double[numSpherical][numRadial];
        for (int l = 0; l < numSpherical; l++) {
            for (int n = 0; n < numRadial; n++) {
                double j = sphericalBessel(l + 1, zeros[l][n]);
                norms[l][n] = 1.0 / Math.sqrt(0.5 * j * j);
            }
        }
    }

    public int numSpherical() { return numSpherical; }

    public int numRadial() { return numRadial; }

    public double cutoff() { return cutoff; }

    /** The n-th (0-based) positive zero of j_l, as used by the basis. */
    public double zero(int l, int n) { return zeros[l][n]; }

    /** Normalisation of {@code b_{l,n}}. */
    public double norm(int l, int n) { return norms[l][n]; }

    /**
     * Polynomial envelope with p = exponent + 1 (DimeNet {@code Envelope}):
     * {@code u(x) = 1/x + a x^{p−1} + b x^p + c x^{p+1}} for x &lt; 1, else 0, with
     * {@code a = −(p+1)(p+2)/2, b = p(p+2), c = −p(p+1)/2}.
     */
    public double envelope(double x) {
        if (!(x < 1.0)) return 0.0;
        int p = exponent + 1;
        double a = -(p + 1) * (p + 2) / 2.0, b = p * (p + 2), c = -p * (p + 1) / 2.0;
        double xp0 = Math.pow(x, p - 1), xp1 = xp0 * x, xp2 = xp1 * x;
        return 1.0 / x + a * xp0 + b * xp1 + c * xp2;
    }

    /** {@code x = d/c} per edge. */
    public double[] scaledDistances(double[] distances) {
        double[] x = new double[distances.length];
        for (int e = 0; e < x.length; e++) x[e] = distances[e] / cutoff;
        return x;
    }

    /** Envelope per edge. */
    public double[] envelopes(double[] scaled) {
        double[] u = new double[scaled.length];
        for (int e = 0; e < u.length; e++) u[e] = envelope(scaled[e]);
        return u;
    }

    /**
     * Radial (Bessel) basis {@code rbf[e,n] = u(x_e) · sin(f_n x_e)} on the tape, so the learnable frequencies
     * {@code freq [R]} receive gradients. {@code x} and {@code env} are the constants {@code [E,1]} from
     * {@link #scaledDistances} and {@link #envelopes}.
     */
    public static Tensor radial(Tape t, Tensor freq, Tensor x, Tensor env) {
        Tensor f = t.reshape(freq, 1, freq.length());
        return t.mul(t.sin(t.matmul(x, f)), env);
    }

    /**
     * Spherical basis per triplet, row-major {@code [T, S·R]} with column {@code l·R + n}:
     * {@code sbf[t, l·R+n] = u(x_kj) · N_{l,n} j_l(z_{l,n} x_kj) · Y_l(θ_t)} where {@code x_kj} is the scaled distance
     * of the triplet's edge k→j and {@code Y_l(θ) = sqrt((2l+1)/4π) P_l(cos θ)} (m = 0).
     *
     * @param scaled scaled distances x per edge
     * @param angle  θ per triplet
     * @param idxKj  edge k→j of each triplet
     */
    public double[] spherical(double[] scaled, double[] angle, int[] idxKj) {
        int e = scaled.length, s = numSpherical, r = numRadial, sr = s * r;
        // per-edge radial part u(x)·N·j_l(z x), then per-triplet product with the angular part
        double[] radial = new double[e * sr];
        for (int q = 0; q < e; q++) {
            double x = scaled[q];
            double u = envelope(x);
            for (int l = 0; l < s; l++) {
                for (int n = 0; n < r; n++) {
                    radial[q * sr + l * r + n] = u == 0.0 ? 0.0 : u * norms[l][n] * sphericalBessel(l, zeros[l][n] * x);
                }
            }
        }
        double[] out = new double[angle.length * sr];
        double[] y = new double[s];
        for (int t = 0; t < angle.length; t++) {
            angular(Math.cos(angle[t]), y);
            int base = idxKj[t] * sr;
            for (int l = 0; l < s; l++) {
                for (int n = 0; n < r; n++) out[t * sr + l * r + n] = radial[base + l * r + n] * y[l];
            }
        }
        return out;
    }

    /** {@code Y_l(θ) = sqrt((2l+1)/(4π)) P_l(cos θ)} for l = 0..S−1 into {@code y}. */
    static void angular(double cos, double[] y) {
        double pPrev = 1.0, p = cos;
        for (int l = 0; l < y.length; l++) {
            double pl;
            if (l == 0) pl = 1.0;
            else if (l == 1) pl = cos;
            else {
                double next = ((2 * l - 1) * cos * p - (l - 1) * pPrev) / l;
                pPrev = p;
                p = next;
                pl = next;
            }
            y[l] = Math.sqrt((2 * l + 1) / (4 * Math.PI)) * pl;
        }
    }

    /**
     * Spherical Bessel function of the first kind {@code j_l(x)}, x ≥ 0: power series for {@code x < l + 1}
     * (no cancellation there), otherwise upward recurrence from {@code j_0, j_1} (stable for x ≥ l).
     */
    public static double sphericalBessel(int l, double x) {
        if (l < 0) throw new IllegalArgumentException("order must be >= 0");
        if (x == 0.0) return l == 0 ? 1.0 : 0.0;
        if (x < l + 1) {
            // j_l(x) = x^l/(2l+1)!! Σ_k (−x²/2)^k / (k! (2l+3)(2l+5)…(2l+2k+1))
            double pre = 1.0;
            for (int k = 1; k <= l; k++) pre *= x / (2 * k + 1);
            double term = 1.0, sum = 1.0, h = -0.5 * x * x;
            for (int k = 1; k < 200; k++) {
                term *= h / (k * (2.0 * l + 2 * k + 1));
                sum += term;
                if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
            }
            return pre * sum;
        }
        double j0 = Math.sin(x) / x;
        if (l == 0) return j0;
        double j1 = Math.sin(x) / (x * x) - Math.cos(x) / x;
        for (int k = 1; k < l; k++) {
            double j2 = (2 * k + 1) / x * j1 - j0;
            j0 = j1;
            j1 = j2;
        }
        return j1;
    }

    /**
     * First {@code k} positive zeros of {@code j_l} for l = 0..n−1, found as dimenet_utils {@code Jn_zeros} does:
     * zeros of j_0 are {@code mπ}; zeros of j_l are bracketed by consecutive zeros of j_{l−1} (interlacing) and
     * refined by bisection to full double precision.
     */
    static double[][] besselZeros(int n, int k) {
        double[][] z = new double[n][k];
        int count = k + n;
        double[] prev = new double[count];
        for (int m = 0; m < count; m++) prev[m] = (m + 1) * Math.PI;
        for (int m = 0; m < k; m++) z[0][m] = prev[m];
        for (int l = 1; l < n; l++) {
            double[] cur = new double[count - l];
            for (int m = 0; m < cur.length; m++) cur[m] = bisect(l, prev[m], prev[m + 1]);
            for (int m = 0; m < k; m++) z[l][m] = cur[m];
            prev = cur;
        }
        return z;
    }

    private static double bisect(int l, double a, double b) {
        double fa = sphericalBessel(l, a);
        for (int it = 0; it < 200; it++) {
            double m = 0.5 * (a + b);
            if (m == a || m == b) break;
            double fm = sphericalBessel(l, m);
            if ((fm < 0) == (fa < 0)) {
                a = m;
                fa = fm;
            } else {
                b = m;
            }
        }
        return 0.5 * (a + b);
    }
}
