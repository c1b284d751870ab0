package org.concdvae.graph;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;

import java.util.Arrays;

/**
 * All periodic images of all sites inside a sphere, as pymatgen's {@code get_sites_in_sphere} / {@code get_neighbors}
 * see them. Images are lattice translations relative to the coordinates exactly as stored in the {@link Structure}
 * (a stored coordinate of 1.0 is not wrapped to 0.0; pymatgen's {@code _get_image} has the same effect).
 * Immutable and thread-safe; build one per structure and query it for every site.
 */
public final class PeriodicSphere {
    /** Two sites closer than this (Å) are "overlapping"; no bond method can give them a meaningful graph. */
    public static final double MIN_SEPARATION = 1e-3;
    /** Upper bound on image candidates examined for one query, so skewed or tiny cells fail fast instead of hanging. */
    static final long MAX_CANDIDATES = 5_000_000L;
    /** Upper bound on points returned by one query. */
    static final int MAX_POINTS = 200_000;

    private final int n;
    private final double[][] m;      // lattice rows
    private final double[][] frac;   // stored fractional coordinates
    private final double[][] cart;   // Cartesian coordinates of the stored fractional coordinates
    private final double[] recipNorm; // |b_k| of the reciprocal lattice (no 2π): images needed per Å of radius

    public PeriodicSphere(Structure s) {
        Lattice lat = s.lattice();
        if (lat.isDegenerate()) throw new InvalidStructureException("lattice has zero volume");
        this.n = s.size();
        if (n == 0) throw new InvalidStructureException("structure has no sites");
        this.m = lat.matrix();
        this.frac = s.fracCoords();
        this.cart = s.cartCoords();
        double[][] inv = lat.inverse();
        this.recipNorm = new double[3];
        for (int k = 0; k < 3; k++) {
            // column k of the inverse is the reciprocal vector b_k (frac_k = cart · b_k)
            recipNorm[k] = Math.sqrt(inv[0][k] * inv[0][k] + inv[1][k] * inv[1][k] + inv[2][k] * inv[2][k]);
        }
    }

    public int size() { return n; }

    public double[] cart(int site) { return cart[site].clone(); }

    double[][] latticeRows() { return m; }

    /**
     * Points of all sites' images within {@code r} (Å, inclusive) of site {@code center}, sorted by distance, the
     * site itself (image 0) excluded. Throws when two sites overlap (closer than {@link #MIN_SEPARATION}) or when the
     * cell is so small or skewed that the search would be unbounded.
     */
    public Points around(int center, double r) {
        double[] fc = frac[center];
        double[] cc = cart[center];
        int[] lo = new int[3], hi = new int[3];
        long perSite = 1;
        for (int k = 0; k < 3; k++) {
            double reach = r * recipNorm[k];
            if (!(reach < 1e7)) throw tooSkewed(r);
            // lo/hi are widened by one per axis below, per site; the count is an upper bound
            perSite *= (long) (2 * Math.ceil(reach) + 3);
        }
        if (perSite * n > MAX_CANDIDATES) throw tooSkewed(r);
        Points out = new Points(64);
        double r2 = r * r;
        for (int j = 0; j < n; j++) {
            double[] fj = frac[j];
            for (int k = 0; k < 3; k++) {
                double reach = r * recipNorm[k];
                lo[k] = (int) Math.floor(fc[k] - fj[k] - reach);
                hi[k] = (int) Math.ceil(fc[k] - fj[k] + reach);
            }
            double bx = cart[j][0] - cc[0], by = cart[j][1] - cc[1], bz = cart[j][2] - cc[2];
            for (int a = lo[0]; a <= hi[0]; a++) {
                double ax = bx + a * m[0][0], ay = by + a * m[0][1], az = bz + a * m[0][2];
                for (int b = lo[1]; b <= hi[1]; b++) {
                    double abx = ax + b * m[1][0], aby = ay + b * m[1][1], abz = az + b * m[1][2];
                    for (int c = lo[2]; c <= hi[2]; c++) {
                        double x = abx + c * m[2][0], y = aby + c * m[2][1], z = abz + c * m[2][2];
                        double d2 = x * x + y * y + z * z;
                        if (d2 > r2) continue;
                        if (j == center && a == 0 && b == 0 && c == 0) continue;
                        if (d2 < MIN_SEPARATION * MIN_SEPARATION) {
                            throw new InvalidStructureException(String.format(
                                    "sites %d and %d overlap (%.2e Å apart); bond graphs need distinct atoms",
                                    Math.min(center, j), Math.max(center, j), Math.sqrt(d2)));
                        }
                        if (out.size >= MAX_POINTS) throw tooSkewed(r);
                        out.add(j, a, b, c, x, y, z, Math.sqrt(d2));
                    }
                }
            }
        }
        out.sortByDistance();
        return out;
    }

    private static InvalidStructureException tooSkewed(double r) {
        return new InvalidStructureException(String.format(
                "cell too small or too skewed for a %.1f Å neighbour search (too many periodic images)", r));
    }

    /** Neighbour points relative to a centre: site index, image, Cartesian offset from the centre, distance. */
    public static final class Points {
        int size;
        int[] site;
        int[] image;    // 3 per point
        double[] vec;   // 3 per point: position - centre (Å)
        double[] dist;

        Points(int cap) {
            site = new int[cap];
            image = new int[3 * cap];
            vec = new double[3 * cap];
            dist = new double[cap];
        }

        void add(int j, int a, int b, int c, double x, double y, double z, double d) {
            if (size == site.length) {
                int cap = 2 * size;
                site = Arrays.copyOf(site, cap);
                image = Arrays.copyOf(image, 3 * cap);
                vec = Arrays.copyOf(vec, 3 * cap);
                dist = Arrays.copyOf(dist, cap);
            }
            site[size] = j;
            image[3 * size] = a;
            image[3 * size + 1] = b;
            image[3 * size + 2] = c;
            vec[3 * size] = x;
            vec[3 * size + 1] = y;
            vec[3 * size + 2] = z;
            dist[size] = d;
            size++;
        }

        void sortByDistance() {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) order[i] = i;
            // stable: equal distances keep site-then-image order
            Arrays.sort(order, (p, q) -> Double.compare(dist[p], dist[q]));
            int[] s2 = new int[size], i2 = new int[3 * size];
            double[] v2 = new double[3 * size], d2 = new double[size];
            for (int k = 0; k < size; k++) {
                int o = order[k];
                s2[k] = site[o];
                d2[k] = dist[o];
                for (int t = 0; t < 3; t++) {
                    i2[3 * k + t] = image[3 * o + t];
                    v2[3 * k + t] = vec[3 * o + t];
                }
            }
            site = s2;
            image = i2;
            vec = v2;
            dist = d2;
        }

        public int size() { return size; }

        public int site(int k) { return site[k]; }

        public int[] image(int k) { return new int[]{image[3 * k], image[3 * k + 1], image[3 * k + 2]}; }

        public double distance(int k) { return dist[k]; }

        /** Offset of point k from the centre (Å). */
        public double[] vector(int k) { return new double[]{vec[3 * k], vec[3 * k + 1], vec[3 * k + 2]}; }
    }
}
