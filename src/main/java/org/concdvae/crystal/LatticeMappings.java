package org.concdvae.crystal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Lattice-point enumeration and lattice-to-lattice mappings as pymatgen 2022.11.7 does them
 * ({@code Lattice.get_points_in_sphere} through the cell-list neighbour search, and
 * {@code Lattice.find_all_mappings}). The ORDER of the points matters: pymatgen's Niggli reduction takes the first
 * mapping found, and that choice fixes the orientation of the reduced cell and hence the fractional coordinates.
 */
public final class LatticeMappings {
    private LatticeMappings() {}

    /** Upper bound on enumerated lattice points; a sphere needing more means an absurd cell (bounded search). */
    static final long MAX_POINTS = 5_000_000L;

    /** A lattice point: integer image (fractional coordinates) and its Cartesian vector and length. */
    public record Point(int i, int j, int k, double[] cart, double dist) {}

    /**
     * Lattice points within distance {@code r} of the origin (including the origin), in the order pymatgen's
     * cell-list search returns them: by 27 cubes of edge r around the origin (lexicographic in Cartesian x, y, z),
     * and within a cube in reverse order of the image loop.
     */
    public static List<Point> pointsInSphere(Lattice lattice, double r) {
        if (lattice.isDegenerate()) throw new InvalidStructureException("lattice has zero volume");
        if (!(r > 0) || !Double.isFinite(r)) throw new InvalidStructureException("bad search radius " + r);
        if (r < 1.0) { // the neighbour search computes with at least min_r = 1 and filters afterwards
            List<Point> all = pointsInSphere(lattice, 1.0 + 1e-8);
            List<Point> kept = new ArrayList<>();
            for (Point p : all) if (p.dist <= r) kept.add(p);
            return kept;
        }
        double tol = 1e-8;
        double[][] m = lattice.matrix();
        // repetitions needed along each axis: ceil((r + 0.15) / face spacing)
        int[] maxr = new int[3];
        double v = Lattice.det(m);
        for (int a = 0; a < 3; a++) {
            double[] cr = Lattice.cross(m[(a + 1) % 3], m[(a + 2) % 3]);
            double recp = 2 * Math.PI * Lattice.norm(cr) / Math.abs(v);
            double reps = Math.ceil((r + 0.15) * recp / (2 * Math.PI));
            if (reps > 1e5) throw new InvalidStructureException("lattice too thin for a neighbour search of radius " + r);
            maxr[a] = (int) reps;
        }
        long count = 1;
        for (int a = 0; a < 3; a++) count *= (2L * maxr[a] + 2);
        if (count > MAX_POINTS) throw new InvalidStructureException("lattice search exceeds " + MAX_POINTS + " points");
        double vmin = -r - tol, vmax = r + tol;
        // buckets of the 3x3x3 cube grid; each bucket keeps insertion order, traversed in reverse
        List<List<Point>> cubes = new ArrayList<>(27);
        for (int c = 0; c < 27; c++) cubes.add(new ArrayList<>());
        for (int i = -maxr[0] - 1; i <= maxr[0]; i++) {
            for (int j = -maxr[1] - 1; j <= maxr[1]; j++) {
                for (int k = -maxr[2] - 1; k <= maxr[2]; k++) {
                    double x = i * m[0][0] + j * m[1][0] + k * m[2][0];
                    double y = i * m[0][1] + j * m[1][1] + k * m[2][1];
                    double z = i * m[0][2] + j * m[1][2] + k * m[2][2];
                    if (x > vmin && x < vmax && y > vmin && y < vmax && z > vmin && z < vmax) {
                        int cx = (int) Math.floor((x - vmin + 1e-8) / r);
                        int cy = (int) Math.floor((y - vmin + 1e-8) / r);
                        int cz = (int) Math.floor((z - vmin + 1e-8) / r);
                        cx = Math.min(Math.max(cx, 0), 2);
                        cy = Math.min(Math.max(cy, 0), 2);
                        cz = Math.min(Math.max(cz, 0), 2);
                        double d2 = x * x + y * y + z * z;
                        cubes.get(cx * 9 + cy * 3 + cz).add(new Point(i, j, k, new double[]{x, y, z}, d2));
                    }
                }
            }
        }
        List<Point> out = new ArrayList<>();
        double r2 = r * r;
        for (List<Point> cube : cubes) {
            for (int n = cube.size() - 1; n >= 0; n--) {
                Point p = cube.get(n);
                if (p.dist < r2 + tol) out.add(new Point(p.i, p.j, p.k, p.cart, Math.sqrt(p.dist)));
            }
        }
        return out;
    }

    /** One mapping: {@code aligned} rows are lattice vectors of {@code self}; {@code scale} its integer coefficients. */
    public record Mapping(Lattice aligned, int[][] scale) {}

    /**
     * All mappings of {@code other} onto lattice vectors of {@code self} (pymatgen {@code find_all_mappings}):
     * triples of lattice vectors of self whose lengths match other's within relative {@code ltol} and whose angles
     * match within {@code atol} degrees, with non-singular integer matrix. Each mapping is passed to
     * {@code consumer} in pymatgen's order; enumeration stops when it returns true. Returns the accepted mapping,
     * or null.
     */
    public static Mapping findAll(Lattice self, Lattice other, double ltol, double atol, Predicate<Mapping> consumer) {
        double[] lengths = other.lengths();
        double[] angles = pymatgenAngles(other);
        double maxLen = Math.max(lengths[0], Math.max(lengths[1], lengths[2]));
        List<Point> pts = pointsInSphere(self, maxLen * (1 + ltol));
        double[][] mm = self.matrix();
        List<List<double[]>> cand = new ArrayList<>(3);
        List<List<int[]>> frac = new ArrayList<>(3);
        for (int a = 0; a < 3; a++) {
            List<double[]> c = new ArrayList<>();
            List<int[]> f = new ArrayList<>();
            for (Point p : pts) {
                double q = p.dist / lengths[a];
                if (q < 1 + ltol && q > 1 / (1 + ltol)) {
                    // pymatgen recomputes Cartesian vectors as frac · matrix; the fused multiply-adds reproduce the
                    // BLAS kernel's rounding (bit-identical reduced cells on the oracle)
                    double[] cart = new double[3];
                    for (int t = 0; t < 3; t++) cart[t] = Math.fma(p.k, mm[2][t], Math.fma(p.j, mm[1][t], p.i * mm[0][t]));
                    c.add(cart);
                    f.add(new int[]{p.i, p.j, p.k});
                }
            }
            cand.add(c);
            frac.add(f);
        }
        List<double[]> ca = cand.get(0), cb = cand.get(1), cc = cand.get(2);
        boolean[][] alphaOk = angleMask(cb, cc, angles[0], atol);
        boolean[][] betaOk = angleMask(ca, cc, angles[1], atol);
        boolean[][] gammaOk = angleMask(ca, cb, angles[2], atol);
        for (int i = 0; i < ca.size(); i++) {
            for (int j = 0; j < cb.size(); j++) {
                if (!gammaOk[i][j]) continue;
                for (int k = 0; k < cc.size(); k++) {
                    if (!alphaOk[j][k] || !betaOk[i][k]) continue;
                    int[][] s = {frac.get(0).get(i), frac.get(1).get(j), frac.get(2).get(k)};
                    long det = (long) s[0][0] * ((long) s[1][1] * s[2][2] - (long) s[1][2] * s[2][1])
                            - (long) s[0][1] * ((long) s[1][0] * s[2][2] - (long) s[1][2] * s[2][0])
                            + (long) s[0][2] * ((long) s[1][0] * s[2][1] - (long) s[1][1] * s[2][0]);
                    if (det == 0) continue;
                    Mapping mp = new Mapping(Lattice.fromMatrix(new double[][]{ca.get(i), cb.get(j), cc.get(k)}), s);
                    if (consumer.test(mp)) return mp;
                }
            }
        }
        return null;
    }

    /** First mapping in pymatgen's order ({@code find_mapping}), or null. */
    public static Mapping findFirst(Lattice self, Lattice other, double ltol, double atol) {
        return findAll(self, other, ltol, atol, m -> true);
    }

    private static boolean[][] angleMask(List<double[]> v1, List<double[]> v2, double target, double atol) {
        boolean[][] ok = new boolean[v1.size()][v2.size()];
        double[] l2 = new double[v2.size()];
        for (int j = 0; j < v2.size(); j++) l2[j] = Math.sqrt(Lattice.dot(v2.get(j), v2.get(j)));
        for (int i = 0; i < v1.size(); i++) {
            double[] a = v1.get(i);
            double l1 = Math.sqrt(Lattice.dot(a, a));
            for (int j = 0; j < v2.size(); j++) {
                double x = Lattice.dot(a, v2.get(j)) / l1 / l2[j];
                if (x > 1) x = 1;
                if (x < -1) x = -1;
                double ang = Math.acos(x) * 180.0 / Math.PI;
                ok[i][j] = Math.abs(ang - target) < atol;
            }
        }
        return ok;
    }

    /** a, b, c, alpha, beta, gamma with pymatgen's arithmetic (angles as arccos(capped cosine) * 180 / pi). */
    public static double[] pymatgenParameters(Lattice l) {
        double[] len = l.lengths(), ang = pymatgenAngles(l);
        return new double[]{len[0], len[1], len[2], ang[0], ang[1], ang[2]};
    }

    /** Angles alpha, beta, gamma as pymatgen computes them: arccos(capped cosine) * 180 / pi. */
    static double[] pymatgenAngles(Lattice l) {
        double[][] m = l.matrix();
        double[] len = l.lengths();
        double[] ang = new double[3];
        for (int i = 0; i < 3; i++) {
            int j = (i + 1) % 3, k = (i + 2) % 3;
            double c = Lattice.dot(m[j], m[k]) / (len[j] * len[k]);
            c = Math.max(-1.0, Math.min(1.0, c));
            ang[i] = Math.acos(c) * 180.0 / Math.PI;
        }
        return ang;
    }
}
