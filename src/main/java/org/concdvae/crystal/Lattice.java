package org.concdvae.crystal;

import java.util.Arrays;

/**
 * A periodic lattice. Rows of {@link #matrix()} are the lattice vectors a, b, c (Å), so a Cartesian position
 * is {@code cart = frac · M} (row vector times matrix), the convention of pymatgen and of the official code.
 * Immutable.
 */
public final class Lattice {
    private final double[][] m;      // rows = lattice vectors
    private final double[][] inv;    // inverse of m (cart -> frac: frac = cart · inv)
    private final double volume;     // signed determinant

    private Lattice(double[][] matrix) {
        this.m = copy(matrix);
        this.volume = det(m);
        if (!Double.isFinite(volume)) {
            throw new InvalidStructureException("lattice has non-finite entries");
        }
        this.inv = Math.abs(volume) < 1e-12 ? null : inverse(m, volume);
    }

    /** Lattice from a 3x3 matrix whose rows are the lattice vectors. */
    public static Lattice fromMatrix(double[][] matrix) {
        if (matrix.length != 3 || matrix[0].length != 3 || matrix[1].length != 3 || matrix[2].length != 3) {
            throw new IllegalArgumentException("lattice matrix must be 3x3");
        }
        return new Lattice(matrix);
    }

    /**
     * Lattice from lengths (Å) and angles (degrees) with the convention of model.md §1 (same as pymatgen's
     * {@code Lattice.from_parameters}): c along z, a in the xz plane. Bit for bit pymatgen's matrix as the reference
     * oracles computed it: same formula and operation order, with NumPy's AVX-512 sin/cos/arccos ({@link NumpyTrig}).
     */
    public static Lattice fromParameters(double a, double b, double c, double alpha, double beta, double gamma) {
        double ar = Math.toRadians(alpha), br = Math.toRadians(beta), gr = Math.toRadians(gamma);
        double ca = NumpyTrig.cos(ar), cb = NumpyTrig.cos(br), cg = NumpyTrig.cos(gr);
        double sa = NumpyTrig.sin(ar), sb = NumpyTrig.sin(br);
        double val = (ca * cb - cg) / (sa * sb);
        val = Math.max(-1.0, Math.min(1.0, val));
        double gammaStar = NumpyTrig.acos(val);
        double[][] mat = {
                {a * sb, 0.0, a * cb},
                {-b * sa * NumpyTrig.cos(gammaStar), b * sa * NumpyTrig.sin(gammaStar), b * ca},
                {0.0, 0.0, c}};
        return new Lattice(mat);
    }

    public double[][] matrix() { return copy(m); }

    /** Entry (i, j) of the matrix: component j of lattice vector i. */
    public double get(int i, int j) { return m[i][j]; }

    /** |det M|, Å³. */
    public double volume() { return Math.abs(volume); }

    /** det M with sign (negative for a left-handed cell). */
    public double signedVolume() { return volume; }

    /** True when the cell has (numerically) zero volume and cannot convert Cartesian to fractional. */
    public boolean isDegenerate() { return inv == null; }

    public double[] lengths() {
        return new double[]{norm(m[0]), norm(m[1]), norm(m[2])};
    }

    /** alpha (b,c), beta (a,c), gamma (a,b) in degrees, as pymatgen computes them. */
    public double[] angles() {
        return new double[]{angle(m[1], m[2]), angle(m[0], m[2]), angle(m[0], m[1])};
    }

    /** a, b, c, alpha, beta, gamma. */
    public double[] parameters() {
        double[] l = lengths(), an = angles();
        return new double[]{l[0], l[1], l[2], an[0], an[1], an[2]};
    }

    /** Metric tensor G = M Mᵀ. */
    public double[][] metric() {
        double[][] g = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) g[i][j] = dot(m[i], m[j]);
        return g;
    }

    public double[] toCartesian(double[] frac) {
        double[] r = new double[3];
        for (int j = 0; j < 3; j++) r[j] = frac[0] * m[0][j] + frac[1] * m[1][j] + frac[2] * m[2][j];
        return r;
    }

    public double[] toFractional(double[] cart) {
        if (inv == null) throw new InvalidStructureException("lattice has zero volume");
        double[] r = new double[3];
        for (int j = 0; j < 3; j++) r[j] = cart[0] * inv[0][j] + cart[1] * inv[1][j] + cart[2] * inv[2][j];
        return r;
    }

    /** Inverse matrix (rows-times-matrix convention: frac = cart · inverse). */
    public double[][] inverse() {
        if (inv == null) throw new InvalidStructureException("lattice has zero volume");
        return copy(inv);
    }

    /** Reciprocal lattice without the 2π factor: rows b_i with a_i · b_j = δ_ij. */
    public Lattice reciprocalNoTwoPi() {
        double[][] t = new double[3][3];
        double[][] iv = inverse();
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) t[i][j] = iv[j][i];
        return new Lattice(t);
    }

    /** Perpendicular distances between opposite faces of the cell (Å): volume / |b × c| etc. */
    public double[] perpendicularWidths() {
        double v = volume();
        return new double[]{v / norm(cross(m[1], m[2])), v / norm(cross(m[0], m[2])), v / norm(cross(m[0], m[1]))};
    }

    /** This lattice scaled isotropically to the given volume. */
    public Lattice scaledToVolume(double newVolume) {
        double f = Math.cbrt(newVolume / volume());
        double[][] s = copy(m);
        for (double[] row : s) for (int j = 0; j < 3; j++) row[j] *= f;
        return new Lattice(s);
    }

    // ---- small vector helpers shared by the crystal package ----
    static double dot(double[] a, double[] b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

    static double norm(double[] a) { return Math.sqrt(dot(a, a)); }

    static double[] cross(double[] a, double[] b) {
        return new double[]{a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static double angle(double[] u, double[] v) {
        double c = dot(u, v) / (norm(u) * norm(v));
        c = Math.max(-1.0, Math.min(1.0, c));
        return Math.toDegrees(Math.acos(c));
    }

    static double det(double[][] a) {
        return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    }

    private static double[][] inverse(double[][] a, double d) {
        double[][] r = new double[3][3];
        r[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / d;
        r[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / d;
        r[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / d;
        r[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / d;
        r[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / d;
        r[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / d;
        r[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / d;
        r[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / d;
        r[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / d;
        return r;
    }

    private static double[][] copy(double[][] a) {
        double[][] r = new double[a.length][];
        for (int i = 0; i < a.length; i++) r[i] = Arrays.copyOf(a[i], a[i].length);
        return r;
    }

    @Override
    public String toString() {
        double[] p = parameters();
        return String.format("Lattice(a=%.5f b=%.5f c=%.5f alpha=%.4f beta=%.4f gamma=%.4f)", p[0], p[1], p[2], p[3], p[4], p[5]);
    }
}
