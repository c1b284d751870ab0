package org.concdvae.crystal;

/**
 * Exact shortest interatomic distances in a periodic crystal by explicit image enumeration. The cell is first
 * LLL-reduced (Cartesian positions do not change), and the image range per axis is bounded by the perpendicular
 * widths: an image n can only lie within D of a site if |Δf_k + n_k|·w_k ≤ D. For an LLL basis D/w_k stays below
 * about 6, so the work is O(n²) with a small constant for any cell shape. A zero-volume cell (volume ≤ 1e-8 Å³, where
 * images pack arbitrarily close) gives 0.
 */
final class MinimumDistance {
    private MinimumDistance() {}

    /** Shortest distance between two atoms of the infinite crystal, an atom and its own images included. */
    static double pbc(Structure s) {
        return compute(s, true);
    }

    /** Shortest distance between two distinct sites (any images), as the smallest off-diagonal entry of pymatgen's
     * {@code distance_matrix}; NaN for a one-site cell. */
    static double betweenSites(Structure s) {
        if (s.size() < 2) return Double.NaN;
        return compute(s, false);
    }

    /** Image ranges beyond this per axis cannot occur for an LLL basis; guard against numerical breakdown. */
    private static final int MAX_RANGE = 1000;

    private static double compute(Structure s, boolean selfImages) {
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
        // upper bound: the shortest reduced basis vector (a self-image distance, hence a distance between two
        // atoms only when selfImages) or, without self images, the first pair distance in the home cell
        double bound = Double.POSITIVE_INFINITY;
        if (selfImages) {
            for (double[] v : basis) bound = Math.min(bound, Lattice.norm(v));
        } else {
            bound = Lattice.norm(sub(cart[1], cart[0]));
        }
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
                if (j == i && !selfImages) continue;
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
