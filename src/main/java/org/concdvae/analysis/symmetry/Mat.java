package org.concdvae.analysis.symmetry;

/**
 * Small 3x3 integer/double matrix helpers for the symmetry finder. Lattices here follow spglib's convention:
 * columns are the basis vectors, so {@code cart = L · frac}.
 */
final class Mat {
    private Mat() {}

    /** spglib's rounding: half away from zero. */
    static int nint(double a) {
        return a < 0.0 ? (int) (a - 0.5) : (int) (a + 0.5);
    }

    /** a - nint(a), mapped into [0, 1) except values within 1e-10 below zero. */
    static double dmod1(double a) {
        double b = a - nint(a);
        return b < -1e-10 ? b + 1.0 : b;
    }

    static double det(double[][] a) {
        return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                + a[0][1] * (a[1][2] * a[2][0] - a[1][0] * a[2][2])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    }

    static int det(int[][] a) {
        return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                + a[0][1] * (a[1][2] * a[2][0] - a[1][0] * a[2][2])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    }

    static int trace(int[][] a) { return a[0][0] + a[1][1] + a[2][2]; }

    /** Inverse, or null when |det| < precision. */
    static double[][] inverse(double[][] a, double precision) {
        double d = det(a);
        if (Math.abs(d) < precision || d == 0.0) return null;
        double[][] c = new double[3][3];
        c[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / d;
        c[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / d;
        c[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / d;
        c[0][1] = (a[2][1] * a[0][2] - a[2][2] * a[0][1]) / d;
        c[1][1] = (a[2][2] * a[0][0] - a[2][0] * a[0][2]) / d;
        c[2][1] = (a[2][0] * a[0][1] - a[2][1] * a[0][0]) / d;
        c[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / d;
        c[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / d;
        c[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / d;
        return c;
    }

    static double[][] mul(double[][] a, double[][] b) {
        double[][] c = new double[3][3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
        return c;
    }

    static int[][] mul(int[][] a, int[][] b) {
        int[][] c = new int[3][3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
        return c;
    }

    static double[][] mul(double[][] a, int[][] b) { return mul(a, toD(b)); }

    static double[][] mul(int[][] a, double[][] b) { return mul(toD(a), b); }

    static double[] mulv(double[][] a, double[] v) {
        return new double[]{a[0][0] * v[0] + a[0][1] * v[1] + a[0][2] * v[2],
                a[1][0] * v[0] + a[1][1] * v[1] + a[1][2] * v[2],
                a[2][0] * v[0] + a[2][1] * v[1] + a[2][2] * v[2]};
    }

    static double[] mulv(int[][] a, double[] v) {
        return new double[]{a[0][0] * v[0] + a[0][1] * v[1] + a[0][2] * v[2],
                a[1][0] * v[0] + a[1][1] * v[1] + a[1][2] * v[2],
                a[2][0] * v[0] + a[2][1] * v[1] + a[2][2] * v[2]};
    }

    static int[] mulv(int[][] a, int[] v) {
        return new int[]{a[0][0] * v[0] + a[0][1] * v[1] + a[0][2] * v[2],
                a[1][0] * v[0] + a[1][1] * v[1] + a[1][2] * v[2],
                a[2][0] * v[0] + a[2][1] * v[1] + a[2][2] * v[2]};
    }

    static double[][] toD(int[][] a) {
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) r[i][j] = a[i][j];
        return r;
    }

    static int[][] toI(double[][] a) {
        int[][] r = new int[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) r[i][j] = nint(a[i][j]);
        return r;
    }

    static boolean isInt(double[][] a, double prec) {
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) if (Math.abs(nint(a[i][j]) - a[i][j]) > prec) return false;
        return true;
    }

    static boolean eq(int[][] a, int[][] b) {
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) if (a[i][j] != b[i][j]) return false;
        return true;
    }

    static boolean eq(double[][] a, double[][] b, double prec) {
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) if (Math.abs(a[i][j] - b[i][j]) > prec) return false;
        return true;
    }

    static double[][] copy(double[][] a) {
        double[][] r = new double[a.length][];
        for (int i = 0; i < a.length; i++) r[i] = a[i].clone();
        return r;
    }

    static int[][] copy(int[][] a) {
        int[][] r = new int[a.length][];
        for (int i = 0; i < a.length; i++) r[i] = a[i].clone();
        return r;
    }

    static double[][] transpose(double[][] a) {
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) r[i][j] = a[j][i];
        return r;
    }

    /** Metric Lᵀ L of a lattice with basis vectors as columns. */
    static double[][] metric(double[][] l) {
        double[][] g = new double[3][3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) g[i][j] = l[0][i] * l[0][j] + l[1][i] * l[1][j] + l[2][i] * l[2][j];
        return g;
    }

    static double norm2(double[] v) { return v[0] * v[0] + v[1] * v[1] + v[2] * v[2]; }

    static int norm2(int[] v) { return v[0] * v[0] + v[1] * v[1] + v[2] * v[2]; }

    static final int[][] IDENTITY = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};

    static double[][] identityD() { return new double[][]{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}; }

    static double[] column(double[][] l, int j) { return new double[]{l[0][j], l[1][j], l[2][j]}; }
}
