package org.concdvae.nn;

/**
 * Spherical Bessel functions of the first kind {@code j_l} and their zeros, in double precision (model.md §3.2).
 * The reference evaluates sympy closed forms in float32, which cancel badly for l ≥ 4 at small arguments; here
 * {@code j_l} comes from Miller's downward recurrence (stable for every x), or the power series near 0.
 */
public final class SphericalBessel {
    private SphericalBessel() {}

    /** {@code j_0(x) … j_lmax(x)} into {@code out} (length ≥ lmax+1). */
    public static void values(int lmax, double x, double[] out) {
        double ax = Math.abs(x);
        if (ax < 1e-3) {
            // j_l(x) = x^l/(2l+1)!! · (1 − x²/(2(2l+3)) + x⁴/(8(2l+3)(2l+5)) − …)
            double xl = 1, df = 1;
            for (int l = 0; l <= lmax; l++) {
                if (l > 0) {
                    xl *= x;
                    df *= 2 * l + 1;
                }
                double x2 = x * x;
                double s = 1 - x2 / (2 * (2 * l + 3)) + x2 * x2 / (8.0 * (2 * l + 3) * (2 * l + 5));
                out[l] = xl / df * s;
            }
            return;
        }
        int start = lmax + 20 + (int) ax;
        double jp1 = 0, j = 1e-300;
        double[] tmp = new double[start + 2];
        tmp[start + 1] = jp1;
        tmp[start] = j;
        for (int l = start; l >= 1; l--) {
            double jm1 = (2 * l + 1) / x * tmp[l] - tmp[l + 1];
            tmp[l - 1] = jm1;
            if (Math.abs(jm1) > 1e250) { // rescale to avoid overflow
                for (int k = l - 1; k <= start + 1; k++) tmp[k] *= 1e-250;
            }
        }
        double j0 = Math.sin(x) / x;
        double j1 = Math.sin(x) / (x * x) - Math.cos(x) / x;
        double scale = Math.abs(j0) > Math.abs(j1) ? j0 / tmp[0] : j1 / tmp[1];
        for (int l = 0; l <= lmax; l++) out[l] = tmp[l] * scale;
    }

    /** {@code j_l(x)}. */
    public static double j(int l, double x) {
        double[] v = new double[l + 1];
        values(l, x, v);
        return v[l];
    }

    /**
     * The first {@code k} positive zeros of {@code j_0 … j_{n−1}}: {@code zeros[l][i]}. Zeros of j_l interlace with
     * those of j_{l−1}, so each is bracketed by two consecutive zeros of the previous order (as torch_geometric's
     * {@code Jn_zeros}); refined by bisection to full double precision.
     */
    public static double[][] zeros(int n, int k) {
        double[][] z = new double[n][k];
        double[] points = new double[k + n - 1];
        for (int i = 0; i < points.length; i++) points[i] = (i + 1) * Math.PI;
        for (int i = 0; i < k; i++) z[0][i] = points[i];
        for (int l = 1; l < n; l++) {
            double[] roots = new double[k + n - 1 - l];
            for (int i = 0; i < roots.length; i++) roots[i] = bisect(l, points[i], points[i + 1]);
            points = roots;
            System.arraycopy(roots, 0, z[l], 0, k);
        }
        return z;
    }

    private static double bisect(int l, double a, double b) {
        double fa = j(l, a);
        for (int it = 0; it < 200 && b - a > 1e-15 * b; it++) {
            double m = 0.5 * (a + b), fm = j(l, m);
            if ((fm < 0) == (fa < 0)) {
                a = m;
                fa = fm;
            } else {
                b = m;
            }
        }
        return 0.5 * (a + b);
    }

    /** Legendre polynomials {@code P_0(z) … P_lmax(z)} into {@code out}. */
    public static void legendre(int lmax, double z, double[] out) {
        out[0] = 1;
        if (lmax >= 1) out[1] = z;
        for (int l = 2; l <= lmax; l++) out[l] = ((2 * l - 1) * z * out[l - 1] - (l - 1) * out[l - 2]) / l;
    }

    /** m = 0 real spherical harmonics {@code Y_l(θ) = sqrt((2l+1)/(4π)) P_l(cos θ)} from {@code cos θ}. */
    public static void sphericalHarmonicsM0(int lmax, double cosTheta, double[] out) {
        legendre(lmax, cosTheta, out);
        for (int l = 0; l <= lmax; l++) out[l] *= Math.sqrt((2 * l + 1) / (4 * Math.PI));
    }
}
