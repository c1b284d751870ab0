package org.concdvae.analysis.symmetry;

/**
 * Delaunay (Selling) reduction of a 3D lattice as spglib does it (International Tables Vol. A, Sect. 9.1): the
 * extended basis b1..b4 (b4 = -b1-b2-b3) is transformed until all pairwise dot products are ≤ symprec, then the
 * three shortest independent vectors among {b1, b2, b1+b2, b3, b4, b2+b3, b3+b1} are taken.
 */
final class Delaunay {
    private static final int NUM_ATTEMPT = 100;
    private static final double ZERO_PREC = 1e-10;

    private Delaunay() {}

    /** Reduced lattice (columns = vectors, right-handed), or null if reduction fails. */
    static double[][] reduce(double[][] lattice, double symprec) {
        double[][] basis = new double[4][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) basis[i][j] = lattice[j][i];
        for (int i = 0; i < 3; i++) basis[3][i] = -lattice[i][0] - lattice[i][1] - lattice[i][2];
        boolean ok = false;
        for (int attempt = 0; attempt < NUM_ATTEMPT; attempt++) {
            if (reduceBasis(basis, symprec)) { ok = true; break; }
        }
        if (!ok) return null;
        shortestVectors(basis, symprec);
        double[][] red = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) red[i][j] = basis[j][i];
        double vol = Mat.det(red);
        if (Math.abs(vol) < symprec) return null;
        if (vol < 0) for (double[] row : red) for (int j = 0; j < 3; j++) row[j] = -row[j];
        double[][] inv = Mat.inverse(red, symprec);
        if (inv == null) return null;
        int[][] t = Mat.toI(Mat.mul(inv, lattice));
        if (Math.abs(Mat.det(t)) != 1) return null;
        return red;
    }

    private static boolean reduceBasis(double[][] b, double symprec) {
        for (int i = 0; i < 3; i++) {
            for (int j = i + 1; j < 4; j++) {
                double dot = b[i][0] * b[j][0] + b[i][1] * b[j][1] + b[i][2] * b[j][2];
                if (dot > symprec) {
                    for (int k = 0; k < 4; k++) {
                        if (k != i && k != j) for (int l = 0; l < 3; l++) b[k][l] += b[i][l];
                    }
                    for (int l = 0; l < 3; l++) b[i][l] = -b[i][l];
                    return false;
                }
            }
        }
        return true;
    }

    private static void shortestVectors(double[][] basis, double symprec) {
        double[][] b = new double[7][3];
        b[0] = basis[0].clone();
        b[1] = basis[1].clone();
        for (int i = 0; i < 3; i++) b[2][i] = basis[0][i] + basis[1][i];
        b[3] = basis[2].clone();
        b[4] = basis[3].clone();
        for (int i = 0; i < 3; i++) b[5][i] = basis[1][i] + basis[2][i];
        for (int i = 0; i < 3; i++) b[6][i] = basis[2][i] + basis[0][i];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 6; j++) {
                if (Mat.norm2(b[j]) > Mat.norm2(b[j + 1]) + ZERO_PREC) {
                    double[] tmp = b[j];
                    b[j] = b[j + 1];
                    b[j + 1] = tmp;
                }
            }
        }
        for (int i = 2; i < 7; i++) {
            double[][] m = new double[3][3];
            for (int j = 0; j < 3; j++) {
                m[j][0] = b[0][j];
                m[j][1] = b[1][j];
                m[j][2] = b[i][j];
            }
            if (Math.abs(Mat.det(m)) > symprec) {
                basis[0] = b[0].clone();
                basis[1] = b[1].clone();
                basis[2] = b[i].clone();
                break;
            }
        }
    }

    /**
     * spglib's 2D Delaunay reduction of the two axes perpendicular to {@code uniqueAxis} (monoclinic cells); the
     * unique axis is kept (its sign flipped if needed for a right-handed cell). Null on failure.
     */
    static double[][] reduce2D(double[][] lattice, int uniqueAxis, double symprec) {
        int j = -1, k = -1;
        for (int i = 0; i < 3; i++) {
            if (i != uniqueAxis) {
                if (j == -1) j = i;
                else k = i;
            }
        }
        double[] unique = Mat.column(lattice, uniqueAxis);
        double[][] basis = new double[3][];
        basis[0] = Mat.column(lattice, j);
        basis[1] = Mat.column(lattice, k);
        basis[2] = new double[]{-basis[0][0] - basis[1][0], -basis[0][1] - basis[1][1], -basis[0][2] - basis[1][2]};
        boolean ok = false;
        for (int attempt = 0; attempt < NUM_ATTEMPT; attempt++) {
            if (reduceBasis2D(basis, symprec)) { ok = true; break; }
        }
        if (!ok) return null;
        double[][] b = new double[4][];
        b[0] = basis[0].clone();
        b[1] = basis[1].clone();
        b[2] = basis[2].clone();
        b[3] = new double[]{basis[0][0] + basis[1][0], basis[0][1] + basis[1][1], basis[0][2] + basis[1][2]};
        for (int i = 0; i < 3; i++) {
            for (int q = 0; q < 3; q++) {
                if (Mat.norm2(b[q]) > Mat.norm2(b[q + 1]) + ZERO_PREC) {
                    double[] t = b[q];
                    b[q] = b[q + 1];
                    b[q + 1] = t;
                }
            }
        }
        for (int i = 1; i < 4; i++) {
            double[][] m = new double[3][3];
            for (int q = 0; q < 3; q++) {
                m[q][0] = b[0][q];
                m[q][1] = unique[q];
                m[q][2] = b[i][q];
            }
            if (Math.abs(Mat.det(m)) > symprec) {
                basis[0] = b[0].clone();
                basis[1] = b[i].clone();
                break;
            }
        }
        double[][] red = new double[3][3];
        for (int q = 0; q < 3; q++) {
            red[q][uniqueAxis] = lattice[q][uniqueAxis];
            red[q][j] = basis[0][q];
            red[q][k] = basis[1][q];
        }
        double vol = Mat.det(red);
        if (Math.abs(vol) < symprec) return null;
        if (vol < 0) for (int q = 0; q < 3; q++) red[q][uniqueAxis] = -red[q][uniqueAxis];
        return red;
    }

    private static boolean reduceBasis2D(double[][] b, double symprec) {
        for (int i = 0; i < 2; i++) {
            for (int j = i + 1; j < 3; j++) {
                double dot = b[i][0] * b[j][0] + b[i][1] * b[j][1] + b[i][2] * b[j][2];
                if (dot > symprec) {
                    for (int k = 0; k < 3; k++) {
                        if (k != i && k != j) {
                            for (int l = 0; l < 3; l++) b[k][l] += 2 * b[i][l];
                            break;
                        }
                    }
                    for (int l = 0; l < 3; l++) b[i][l] = -b[i][l];
                    return false;
                }
            }
        }
        return true;
    }
}
