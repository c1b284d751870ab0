package org.concdvae.analysis.symmetry;

/**
 * Niggli reduction as spglib performs it for triclinic cells (Křivý &amp; Gruber, Acta Cryst. A32, 297 (1976), with
 * the epsilon of Grosse-Kunstleve, Sauter &amp; Adams, Acta Cryst. A60, 1 (2004)): the eight steps on the metric
 * parameters with eps = symprec², at most 100 passes. It is distinct from {@code crystal.NiggliReduction}
 * (pymatgen's variant, relative tolerance, LLL pre-reduction) because spglib's answer depends on its own variant:
 * with a large eps the steps can cycle, the reduction fails and spglib then rejects the triclinic group at that
 * tolerance.
 */
final class Niggli {
    private static final int MAX_PASSES = 100;

    private Niggli() {}

    /** Reduced basis (columns) of {@code lattice}, or null when the steps do not settle within 100 passes. */
    static double[][] reduce(double[][] lattice, double eps) {
        double[][] lat = Mat.copy(lattice);
        Params p = new Params(eps);
        p.set(lat);
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            int step;
            for (step = 0; step < 8; step++) {
                int[][] t = p.step(step);
                if (t != null) {
                    lat = Mat.mul(lat, t);
                    p.set(lat);
                    // after steps 2, 5, 6, 7 and 8 the procedure starts again from step 1
                    if (step == 1 || step >= 4) break;
                }
            }
            if (step == 8) return lat;
        }
        return null;
    }

    private static final class Params {
        final double eps;
        double a, b, c, xi, eta, zeta;
        int l, m, n;

        Params(double eps) { this.eps = eps; }

        void set(double[][] lat) {
            double[][] g = Mat.metric(lat);
            a = g[0][0];
            b = g[1][1];
            c = g[2][2];
            xi = 2 * g[1][2];
            eta = 2 * g[0][2];
            zeta = 2 * g[0][1];
            l = sign(xi);
            m = sign(eta);
            n = sign(zeta);
        }

        private int sign(double x) { return x < -eps ? -1 : x > eps ? 1 : 0; }

        private static int[][] diag(int i, int j, int k) { return new int[][]{{i, 0, 0}, {0, j, 0}, {0, 0, k}}; }

        /** The transformation of step s (0-based) when its condition holds, else null. */
        int[][] step(int s) {
            switch (s) {
                case 0 -> {
                    if (a > b + eps || (!(Math.abs(a - b) > eps) && Math.abs(xi) > Math.abs(eta) + eps)) {
                        return new int[][]{{0, -1, 0}, {-1, 0, 0}, {0, 0, -1}};
                    }
                }
                case 1 -> {
                    if (b > c + eps || (!(Math.abs(b - c) > eps) && Math.abs(eta) > Math.abs(zeta) + eps)) {
                        return new int[][]{{-1, 0, 0}, {0, 0, -1}, {0, -1, 0}};
                    }
                }
                case 2 -> {
                    if (l * m * n == 1) return diag(l == -1 ? -1 : 1, m == -1 ? -1 : 1, n == -1 ? -1 : 1);
                }
                case 3 -> {
                    if (l == -1 && m == -1 && n == -1) return null;
                    if (l * m * n == 0 || l * m * n == -1) {
                        int i = l == 1 ? -1 : 1, j = m == 1 ? -1 : 1, k = n == 1 ? -1 : 1;
                        int r = -1;
                        if (l == 0) r = 0;
                        if (m == 0) r = 1;
                        if (n == 0) r = 2;
                        if (i * j * k == -1) {
                            if (r == 0) i = -1;
                            if (r == 1) j = -1;
                            if (r == 2) k = -1;
                        }
                        return diag(i, j, k);
                    }
                }
                case 4 -> {
                    if (Math.abs(xi) > b + eps || (!(Math.abs(b - xi) > eps) && 2 * eta < zeta - eps)
                            || (!(Math.abs(b + xi) > eps) && zeta < -eps)) {
                        int[][] t = diag(1, 1, 1);
                        t[1][2] = xi > 0 ? -1 : xi < 0 ? 1 : 0;
                        return t;
                    }
                }
                case 5 -> {
                    if (Math.abs(eta) > a + eps || (!(Math.abs(a - eta) > eps) && 2 * xi < zeta - eps)
                            || (!(Math.abs(a + eta) > eps) && zeta < -eps)) {
                        int[][] t = diag(1, 1, 1);
                        t[0][2] = eta > 0 ? -1 : eta < 0 ? 1 : 0;
                        return t;
                    }
                }
                case 6 -> {
                    if (Math.abs(zeta) > a + eps || (!(Math.abs(a - zeta) > eps) && 2 * xi < eta - eps)
                            || (!(Math.abs(a + zeta) > eps) && eta < -eps)) {
                        int[][] t = diag(1, 1, 1);
                        t[0][1] = zeta > 0 ? -1 : zeta < 0 ? 1 : 0;
                        return t;
                    }
                }
                default -> {
                    double sum = xi + eta + zeta + a + b;
                    if (sum < -eps || (!(Math.abs(sum) > eps) && 2 * (a + eta) + zeta > eps)) {
                        return new int[][]{{1, 0, 1}, {0, 1, 1}, {0, 0, 1}};
                    }
                }
            }
            return null;
        }
    }
}
