package org.concdvae.crystal;

/**
 * Niggli reduction as pymatgen 2022.11.7 performs it ({@code Lattice.get_niggli_reduced_lattice(tol=1e-5)} and
 * {@code Structure.get_reduced_structure()}): LLL pre-reduction, the numerically stable algorithm of
 * Grosse-Kunstleve, Sauter &amp; Adams, Acta Cryst. A60 (2004) 1-6 on the metric tensor with epsilon
 * {@code tol * V^(1/3)}, then the first matching lattice-vector triple of the input lattice (pymatgen's
 * {@code find_mapping}) so that the reduced cell lives in the input's Cartesian frame. Following pymatgen step by
 * step matters: near the Niggli boundary conditions several settings are equally reduced and the order of the steps
 * decides which one comes out (see ../shared/oracles/graphs/README.md).
 */
public final class NiggliReduction {
    /** pymatgen's default relative tolerance. */
    public static final double DEFAULT_TOL = 1e-5;
    /** pymatgen's bound on the reduction loop. */
    static final int MAX_ITERATIONS = 100;
    private static final int MAX_LLL_STEPS = 10_000;

    private NiggliReduction() {}

    /** Niggli-reduced lattice with pymatgen's default tolerance. */
    public static Lattice reduce(Lattice lattice) { return reduce(lattice, DEFAULT_TOL); }

    /** Niggli-reduced lattice (pymatgen {@code get_niggli_reduced_lattice(tol)}), right-handed, same frame. */
    public static Lattice reduce(Lattice lattice, double tol) {
        checkLattice(lattice);
        double[][] lll = lll(lattice.matrix())[0];
        double e = tol * Math.pow(lattice.volume(), 1.0 / 3.0);
        double[][] g = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) g[i][j] = Lattice.dot(lll[i], lll[j]);

        boolean converged = false;
        for (int iter = 0; iter < MAX_ITERATIONS && !converged; iter++) {
            double a = g[0][0], b = g[1][1], c = g[2][2], xi = 2 * g[1][2], eta = 2 * g[0][2], zeta = 2 * g[0][1];
            if (a > b + e || (Math.abs(a - b) < e && Math.abs(xi) > Math.abs(eta) + e)) { // A1
                g = transform(g, new double[][]{{0, -1, 0}, {-1, 0, 0}, {0, 0, -1}});
            }
            // pymatgen tests A2 and the signs below on the values read BEFORE A1 (kept for identical results)
            if (b > c + e || (Math.abs(b - c) < e && Math.abs(eta) > Math.abs(zeta) + e)) { // A2
                g = transform(g, new double[][]{{-1, 0, 0}, {0, 0, -1}, {0, -1, 0}});
                continue;
            }
            int l = Math.abs(xi) < e ? 0 : (int) Math.signum(xi);
            int m = Math.abs(eta) < e ? 0 : (int) Math.signum(eta);
            int n = Math.abs(zeta) < e ? 0 : (int) Math.signum(zeta);
            if (l * m * n == 1) { // A3
                int i = l == -1 ? -1 : 1, j = m == -1 ? -1 : 1, k = n == -1 ? -1 : 1;
                g = transform(g, new double[][]{{i, 0, 0}, {0, j, 0}, {0, 0, k}});
            } else { // A4 (l*m*n is 0 or -1)
                int i = l == 1 ? -1 : 1, j = m == 1 ? -1 : 1, k = n == 1 ? -1 : 1;
                if (i * j * k == -1) {
                    if (n == 0) k = -1;
                    else if (m == 0) j = -1;
                    else if (l == 0) i = -1;
                }
                g = transform(g, new double[][]{{i, 0, 0}, {0, j, 0}, {0, 0, k}});
            }
            a = g[0][0]; b = g[1][1]; c = g[2][2]; xi = 2 * g[1][2]; eta = 2 * g[0][2]; zeta = 2 * g[0][1];
            if (Math.abs(xi) > b + e || (Math.abs(xi - b) < e && 2 * eta < zeta - e)
                    || (Math.abs(xi + b) < e && zeta < -e)) { // A5
                g = transform(g, new double[][]{{1, 0, 0}, {0, 1, -xi / Math.abs(xi)}, {0, 0, 1}});
                continue;
            }
            if (Math.abs(eta) > a + e || (Math.abs(a - eta) < e && 2 * xi < zeta - e)
                    || (Math.abs(a + eta) < e && zeta < -e)) { // A6
                g = transform(g, new double[][]{{1, 0, -eta / Math.abs(eta)}, {0, 1, 0}, {0, 0, 1}});
                continue;
            }
            if (Math.abs(zeta) > a + e || (Math.abs(a - zeta) < e && 2 * xi < eta - e)
                    || (Math.abs(a + zeta) < e && eta < -e)) { // A7
                g = transform(g, new double[][]{{1, -zeta / Math.abs(zeta), 0}, {0, 1, 0}, {0, 0, 1}});
                continue;
            }
            double s = xi + eta + zeta + a + b;
            if (s < -e || (Math.abs(s) < e && e < zeta + (a + eta) * 2)) { // A8
                g = transform(g, new double[][]{{1, 0, 1}, {0, 1, 1}, {0, 0, 1}});
                continue;
            }
            converged = true;
        }
        // like pymatgen, a loop that hits its bound still proceeds with the current metric

        double ra = Math.sqrt(g[0][0]), rb = Math.sqrt(g[1][1]), rc = Math.sqrt(g[2][2]);
        double alpha = Math.acos(2 * g[1][2] / 2 / rb / rc) / Math.PI * 180;
        double beta = Math.acos(2 * g[0][2] / 2 / ra / rc) / Math.PI * 180;
        double gamma = Math.acos(2 * g[0][1] / 2 / ra / rb) / Math.PI * 180;
        if (!Double.isFinite(alpha + beta + gamma)) throw new InvalidStructureException("Niggli reduction failed: degenerate metric");
        Lattice target = Lattice.fromParameters(ra, rb, rc, alpha, beta, gamma);
        LatticeMappings.Mapping mp = LatticeMappings.findFirst(lattice, target, e, 1.0);
        if (mp == null) throw new InvalidStructureException("Niggli reduction failed: no lattice mapping found");
        Lattice red = mp.aligned();
        if (red.signedVolume() > 0) return red;
        double[][] neg = red.matrix();
        for (double[] row : neg) for (int j = 0; j < 3; j++) row[j] = -row[j];
        return Lattice.fromMatrix(neg);
    }

    /**
     * The structure in its Niggli cell, as pymatgen's {@code Structure.get_reduced_structure()}: same sites in the
     * same order; if the reduced lattice is not {@code np.allclose} to the input, fractional coordinates are
     * recomputed from the Cartesian ones and wrapped with {@code x mod 1} (which can yield exactly 1.0 for tiny
     * negative values, as in pymatgen); otherwise the structure is returned unchanged (not re-wrapped).
     */
    public static Structure reducedStructure(Structure s) {
        if (s.size() == 0) throw new InvalidStructureException("structure has no sites");
        Lattice red = reduce(s.lattice());
        if (allClose(red.matrix(), s.lattice().matrix())) return s;
        double[][] cart = s.cartCoords();
        double[][] inv = pymatgenInverse(red.matrix());
        double[][] f = new double[cart.length][3];
        for (int i = 0; i < cart.length; i++) {
            for (int j = 0; j < 3; j++) {
                double x = cart[i][0] * inv[0][j] + cart[i][1] * inv[1][j] + cart[i][2] * inv[2][j];
                f[i][j] = pyMod1(x);
            }
        }
        return new Structure(red, s.atomicNumbers(), f);
    }

    /** numpy's {@code np.mod(x, 1)}: result in [0, 1], and 1.0 for tiny negative x (kept on purpose). */
    static double pyMod1(double x) {
        double r = x % 1.0; // fmod, sign of x
        if (r != 0 && r < 0) r += 1.0;
        if (r == 0) r = 0.0; // no negative zero
        return r;
    }

    /** np.allclose(a, b): |a - b| <= 1e-8 + 1e-5 |b| elementwise. */
    static boolean allClose(double[][] a, double[][] b) {
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (!(Math.abs(a[i][j] - b[i][j]) <= 1e-8 + 1e-5 * Math.abs(b[i][j]))) return false;
            }
        }
        return true;
    }

    /**
     * Inverse by LU with partial pivoting in the arithmetic order of numpy's {@code inv} on OpenBLAS (left-looking
     * factorisation with dot-then-subtract updates, pivot reciprocals, triangular solves multiplying by the inverted
     * diagonal). On the Niggli oracle this reproduces pymatgen's wrapped coordinates bit for bit in 983 of 1025
     * re-wrapped cells and every exact 1.0 coordinate, which decides periodic images downstream.
     */
    static double[][] pymatgenInverse(double[][] a0) {
        double[][] a = new double[3][];
        for (int i = 0; i < 3; i++) a[i] = a0[i].clone();
        int[] perm = {0, 1, 2};
        for (int j = 0; j < 3; j++) {
            for (int i = 1; i < j; i++) {
                double s = 0;
                for (int k = 0; k < i; k++) s += a[i][k] * a[k][j];
                a[i][j] -= s;
            }
            for (int i = j; i < 3; i++) {
                double s = 0;
                for (int k = 0; k < j; k++) s += a[i][k] * a[k][j];
                a[i][j] -= s;
            }
            int p = j;
            for (int i = j + 1; i < 3; i++) if (Math.abs(a[i][j]) > Math.abs(a[p][j])) p = i;
            if (a[p][j] == 0) throw new InvalidStructureException("lattice has zero volume");
            if (p != j) {
                double[] t = a[p]; a[p] = a[j]; a[j] = t;
                int ti = perm[p]; perm[p] = perm[j]; perm[j] = ti;
            }
            double r = 1.0 / a[j][j];
            for (int i = j + 1; i < 3; i++) a[i][j] *= r;
        }
        double[][] inv = new double[3][3];
        for (int col = 0; col < 3; col++) {
            double[] y = new double[3];
            for (int i = 0; i < 3; i++) y[i] = perm[i] == col ? 1.0 : 0.0;
            for (int k = 0; k < 3; k++) for (int i = k + 1; i < 3; i++) y[i] -= y[k] * a[i][k];
            for (int i = 2; i >= 0; i--) {
                inv[i][col] = y[i] * (1.0 / a[i][i]);
                for (int j = 0; j < i; j++) y[j] -= inv[i][col] * a[j][i];
            }
        }
        return inv;
    }

    private static double[][] transform(double[][] g, double[][] m) {
        // Mᵀ (G M), summed in index order like a plain 3x3 product
        double[][] gm = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) gm[i][j] = g[i][0] * m[0][j] + g[i][1] * m[1][j] + g[i][2] * m[2][j];
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) r[i][j] = m[0][i] * gm[0][j] + m[1][i] * gm[1][j] + m[2][i] * gm[2][j];
        return r;
    }

    /** LLL-reduced basis (rows) and the integer mapping with reduced = mapping · input, as pymatgen computes them. */
    public record Lll(double[][] matrix, double[][] mapping) {}

    /** pymatgen's {@code Lattice.lll_matrix} / {@code lll_mapping} (delta 0.75). */
    public static Lll lllReduce(Lattice lattice) {
        checkLattice(lattice);
        double[][][] r = lll(lattice.matrix());
        return new Lll(r[0], r[1]);
    }

    /**
     * LLL reduction with delta 0.75 exactly as pymatgen's {@code Lattice._calculate_lll} (rows in and out).
     * Returns {reduced rows, integer mapping rows} with reduced = mapping · input.
     */
    static double[][][] lll(double[][] rows) {
        final double delta = 0.75;
        double[][] a = new double[3][3]; // a[v] = basis vector v (pymatgen's columns)
        for (int i = 0; i < 3; i++) a[i] = rows[i].clone();
        double[][] b = new double[3][3];
        double[][] u = new double[3][3];
        double[] m = new double[3];
        b[0] = a[0].clone();
        m[0] = Lattice.dot(b[0], b[0]);
        for (int i = 1; i < 3; i++) {
            gramSchmidt(a, b, u, m, i);
        }
        double[][] map = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        int k = 2;
        int steps = 0;
        while (k <= 3) {
            if (++steps > MAX_LLL_STEPS) throw new InvalidStructureException("LLL reduction did not converge (degenerate lattice?)");
            for (int i = k - 1; i > 0; i--) {
                double q = Math.rint(u[k - 1][i - 1]); // Python round(): half to even
                if (q != 0) {
                    for (int t = 0; t < 3; t++) {
                        a[k - 1][t] = a[k - 1][t] - q * a[i - 1][t];
                        map[k - 1][t] = map[k - 1][t] - q * map[i - 1][t];
                    }
                    for (int t = 0; t < i - 1; t++) u[k - 1][t] = u[k - 1][t] - q * u[i - 1][t];
                    u[k - 1][i - 1] = u[k - 1][i - 1] - q;
                }
            }
            double lhs = Lattice.dot(b[k - 1], b[k - 1]);
            double uk = Math.abs(u[k - 1][k - 2]);
            if (lhs >= (delta - uk * uk) * Lattice.dot(b[k - 2], b[k - 2])) {
                k++;
            } else {
                double[] t = a[k - 1]; a[k - 1] = a[k - 2]; a[k - 2] = t;
                double[] tm = map[k - 1]; map[k - 1] = map[k - 2]; map[k - 2] = tm;
                for (int s = k - 1; s <= k; s++) gramSchmidt(a, b, u, m, s - 1);
                if (k > 2) {
                    k--;
                } else {
                    // u[2, 0:2] = (a_2 · b_0 / m_0, a_2 · b_1 / m_1)
                    u[2][0] = Lattice.dot(a[2], b[0]) / m[0];
                    u[2][1] = Lattice.dot(a[2], b[1]) / m[1];
                }
            }
        }
        return new double[][][]{a, map};
    }

    /** Gram-Schmidt coefficients and orthogonal vector for basis vector i (i = 0 just copies). */
    private static void gramSchmidt(double[][] a, double[][] b, double[][] u, double[] m, int i) {
        double[] bi = a[i].clone();
        if (i > 0) {
            for (int j = 0; j < i; j++) u[i][j] = Lattice.dot(a[i], b[j]) / m[j];
            // b_i = a_i - sum_j u_ij b_j, the sum formed first (numpy's dot(b, u))
            double[] sum = new double[3];
            for (int t = 0; t < 3; t++) {
                double acc = 0;
                for (int j = 0; j < i; j++) acc += b[j][t] * u[i][j];
                sum[t] = acc;
            }
            for (int t = 0; t < 3; t++) bi[t] = a[i][t] - sum[t];
        }
        b[i] = bi;
        m[i] = Lattice.dot(bi, bi);
    }

    private static void checkLattice(Lattice lattice) {
        if (lattice.isDegenerate() || !(lattice.volume() > 1e-8)) {
            throw new InvalidStructureException("degenerate lattice (volume " + lattice.volume() + " Å³)");
        }
        for (double len : lattice.lengths()) {
            if (!(len > 1e-6)) throw new InvalidStructureException("degenerate lattice (a lattice vector has zero length)");
        }
    }
}
