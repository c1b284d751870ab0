package org.concdvae.crystal;

/**
 * Periodic shortest vectors as pymatgen computes them ({@code pbc_shortest_vectors}, used by
 * {@code Structure.distance_matrix} and StructureMatcher): coordinates are expressed in the LLL-reduced basis,
 * wrapped into [0, 1), and the shortest of the 27 neighbouring images of that basis is taken. For very skewed cells
 * this is the convention of the reference library rather than a guaranteed global minimum.
 */
public final class PbcShortestVectors {
    private final double[][] lllMatrix;
    private final double[][] lllInverse; // maps input fractional coordinates to LLL fractional coordinates
    private final double[][] images = new double[27][3];

    public PbcShortestVectors(Lattice lattice) {
        NiggliReduction.Lll lll = NiggliReduction.lllReduce(lattice);
        this.lllMatrix = lll.matrix();
        this.lllInverse = Lattice.fromMatrix(lll.mapping()).inverse();
        int c = 0;
        for (int i = -1; i <= 1; i++) {
            for (int j = -1; j <= 1; j++) {
                for (int k = -1; k <= 1; k++, c++) {
                    for (int t = 0; t < 3; t++) images[c][t] = i * lllMatrix[0][t] + j * lllMatrix[1][t] + k * lllMatrix[2][t];
                }
            }
        }
    }

    /** The LLL-reduced lattice vectors (rows). */
    public double[][] lllMatrix() {
        double[][] r = new double[3][];
        for (int i = 0; i < 3; i++) r[i] = lllMatrix[i].clone();
        return r;
    }

    /** Fractional coordinates in the LLL basis (not wrapped). */
    public double[] toLll(double[] f) {
        double[] r = new double[3];
        for (int k = 0; k < 3; k++) r[k] = f[0] * lllInverse[0][k] + f[1] * lllInverse[1][k] + f[2] * lllInverse[2][k];
        return r;
    }

    /** Cartesian position of LLL fractional coordinates wrapped into the LLL cell (Python's x % 1). */
    public double[] wrappedCartesian(double[] lllFrac) {
        double a = pyMod1(lllFrac[0]), b = pyMod1(lllFrac[1]), c = pyMod1(lllFrac[2]);
        double[] r = new double[3];
        for (int k = 0; k < 3; k++) r[k] = a * lllMatrix[0][k] + b * lllMatrix[1][k] + c * lllMatrix[2][k];
        return r;
    }

    /**
     * Shortest vector from wrapped Cartesian point {@code from} to {@code to} over the 27 images; writes it to
     * {@code out} (may be null) and returns its squared length.
     */
    public double shortest(double[] from, double[] to, double[] out) {
        double px = to[0] - from[0], py = to[1] - from[1], pz = to[2] - from[2];
        double best = 1e100;
        int bestK = 0;
        for (int k = 0; k < 27; k++) {
            double da = px + images[k][0], db = py + images[k][1], dc = pz + images[k][2];
            double d = da * da + db * db + dc * dc;
            if (d < best) { best = d; bestK = k; }
        }
        if (out != null) {
            out[0] = px + images[bestK][0];
            out[1] = py + images[bestK][1];
            out[2] = pz + images[bestK][2];
        }
        return best;
    }

    /** Python's float x % 1.0: in [0, 1), except that tiny negatives round to 1.0. */
    static double pyMod1(double x) {
        double r = x % 1.0;
        if (r < 0) r += 1.0;
        return r == 0 ? 0.0 : r;
    }
}
