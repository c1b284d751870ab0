package org.concdvae.crystal;

/**
 * Shortest interatomic distances. {@link #pbc} is exact: explicit image enumeration in a periodic crystal by explicit image enumeration. The cell is first
 * LLL-reduced (Cartesian positions do not change), and the image range per axis is bounded by the perpendicular
 * widths: an image n can only lie within D of a site if |Δf_k + n_k|·w_k ≤ D. For an LLL basis D/w_k stays below
 * about 6, so the work is O(n²) with a small constant for any cell shape. A zero-volume cell (volume ≤ 1e-8 Å³, where
 * images pack arbitrarily close) gives 0. {@link #distanceMatrix} reproduces pymatgen's {@code distance_matrix}
 * (pbc_shortest_vectors: coordinates in the LLL basis wrapped into [0, 1), the 27 neighbouring images), which is what
 * CDVAE's validity check sees; it equals the exact value except in pathological cells.
 */
final class MinimumDistance {
    private MinimumDistance() {}

    /** Shortest distance between two atoms of the infinite crystal, an atom and its own images included. */
    static double pbc(Structure s) {
        return exact(s);
    }

    /** Smallest off-diagonal entry of {@link #distanceMatrix}; NaN for a one-site cell. */
    static double betweenSites(Structure s) {
        if (s.size() < 2) return Double.NaN;
        double[][] d = distanceMatrix(s);
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < d.length; i++) for (int j = i + 1; j < d.length; j++) best = Math.min(best, d[i][j]);
        return best;
    }

    /** pymatgen {@code Structure.distance_matrix}: per pair the shortest of the 27 LLL-neighbour images. */
    static double[][] distanceMatrix(Structure s) {
        int n = s.size();
        double[][] d = new double[n][n];
        Lattice lat = s.lattice();
        if (lat.isDegenerate() || !(lat.volume() > 1e-8)) return d; // zero-volume cell: all 0
        NiggliReduction.Lll lll = NiggliReduction.lllReduce(lat);
        double[][] m = lll.matrix();
        double[][] inv = Lattice.fromMatrix(lll.mapping()).inverse(); // lll_inverse = inv(lll_mapping)
        double[][] cart = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] f = s.fracCoord(i);
            double[] g = new double[3];
            for (int k = 0; k < 3; k++) {
                g[k] = f[0] * inv[0][k] + f[1] * inv[1][k] + f[2] * inv[2][k];
                g[k] -= Math.floor(g[k]);
            }
            cart[i] = new double[3];
            for (int k = 0; k < 3; k++) cart[i][k] = g[0] * m[0][k] + g[1] * m[1][k] + g[2] * m[2][k];
        }
        double[][] images = new double[27][3];
        int t = 0;
        for (int a = -1; a <= 1; a++) {
            for (int b = -1; b <= 1; b++) {
                for (int c = -1; c <= 1; c++, t++) {
                    for (int k = 0; k < 3; k++) images[t][k] = a * m[0][k] + b * m[1][k] + c * m[2][k];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double best = Double.POSITIVE_INFINITY;
                double px = cart[j][0] - cart[i][0], py = cart[j][1] - cart[i][1], pz = cart[j][2] - cart[i][2];
                for (double[] im : images) {
                    double x = px + im[0], y = py + im[1], z = pz + im[2];
                    best = Math.min(best, x * x + y * y + z * z);
                }
                d[i][j] = d[j][i] = Math.sqrt(best);
            }
        }
        return d;
    }

    /** Image ranges beyond this per axis cannot occur for an LLL basis; guard against numerical breakdown. */
    private static final int MAX_RANGE = 1000;

    private static double exact(Structure s) {
        Lattice lat = s.lattice();
        if (lat.isDegenerate() || !(lat.volume() > 1e-8)) return 0.0;
        double[][] basis = NiggliReduction.lllReduce(lat).matrix();
        Lattice red = Lattice.fromMatrix(basis);
        int n = s.size();
        double[][] cart = s.cartCoords();
        double[][] frac = new double[n][];
        for (int i = 0; i < n; i++) {
            frac[i] = red.toFractional(cart[i]);
            for (int k = 0; k < 3; k++) frac[i][k] -= Math.floor(frac[i][k]);
            cart[i] = red.toCartesian(frac[i]);
        }
        // upper bound: the shortest reduced basis vector, an atom-to-own-image distance
        double bound = Double.POSITIVE_INFINITY;
        for (double[] v : basis) bound = Math.min(bound, Lattice.norm(v));
        double[] w = red.perpendicularWidths();
        int[] range = new int[3];
        for (int k = 0; k < 3; k++) {
            double r = Math.ceil(bound / w[k]) + 1;
            if (!(r <= MAX_RANGE)) {
                throw new InvalidStructureException("cell too distorted for a minimum-distance search (width "
                        + w[k] + " Å)");
            }
            range[k] = (int) r;
        }
        double best2 = bound * bound;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double[] d0 = sub(cart[j], cart[i]);
                for (int a = -range[0]; a <= range[0]; a++) {
                    for (int b = -range[1]; b <= range[1]; b++) {
                        for (int c = -range[2]; c <= range[2]; c++) {
                            if (i == j && a == 0 && b == 0 && c == 0) continue;
                            double x = d0[0] + a * basis[0][0] + b * basis[1][0] + c * basis[2][0];
                            double y = d0[1] + a * basis[0][1] + b * basis[1][1] + c * basis[2][1];
                            double z = d0[2] + a * basis[0][2] + b * basis[1][2] + c * basis[2][2];
                            double d2 = x * x + y * y + z * z;
                            if (d2 < best2) best2 = d2;
                        }
                    }
                }
            }
        }
        return Math.sqrt(best2);
    }

    private static double[] sub(double[] a, double[] b) {
        return new double[]{a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }
}
