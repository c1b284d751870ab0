package org.concdvae.graph;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Structure;

import java.util.Arrays;

/**
 * Periodic neighbours listed in the order, and with the float64 distances, of pymatgen 2022.11's
 * {@code Structure.get_all_neighbors(r)} (its Cython cell list {@code find_points_in_spheres}).
 *
 * <p>Why a second search next to {@link PeriodicNeighborSearch}: the neighbour <em>set</em> is the same, but code that
 * stable-sorts pymatgen's list by distance and keeps a prefix (CGCNN keeps the first 12) keeps a different neighbour
 * when the cut falls inside a tie, and ties are common in symmetric crystals (equal distances, or distances 1 ulp apart
 * because two symmetric images are computed with different round-off). Reproducing the kept set needs both the
 * candidate order and the distances bit for bit, so this class redoes pymatgen's arithmetic step by step:
 * <ol>
 *   <li>Cartesian site coordinates {@code f·M} (sums in index order, no fused multiply-add);</li>
 *   <li>fractional coordinates recomputed as {@code cart·inv(M)} with the adjugate inverse, wrapped with Python's
 *       {@code % 1} (so −1e−17 becomes 1.0), and turned back into in-cell Cartesian coordinates;</li>
 *   <li>every image {@code a·M₀ + b·M₁ + c·M₂ + x} (image loops a, b, c outer, sites inner) whose coordinates lie
 *       strictly inside the centres' bounding box widened by r, binned into cubes of edge r;</li>
 *   <li>per centre, the 27 (or fewer, at the box edge) cubes around its own in lexicographic order of the cube offset,
 *       inside a cube the images in <em>reverse</em> order of creation (pymatgen's linked list pushes at the head);
 *       kept when {@code d² < r² + 1e-8}, distance {@code sqrt(Σ (xᵢ − cᵢ)²)}.</li>
 * </ol>
 * Pairs of a site with itself at distance ≤ 1e-8 are dropped, as are coincident duplicates of the centre (same element,
 * same Cartesian position within 1e-5), as {@code get_all_neighbors} does. All three axes are periodic.
 *
 * <p>The returned {@link NeighborList} keeps pymatgen's order within each centre (not the (index, image) order of
 * {@link PeriodicNeighborSearch}). Images are the integer lattice translations relative to the structure's own
 * fractional coordinates; vectors run from the centre to the neighbour's image. Checked against pymatgen's order
 * through MinimumDistanceNN's edge lists and against its neighbour counts (PymatgenNeighborOrderTest). Cost: about
 * 0.2 ms per MP-20 crystal at 8 Å (1.6x {@link PeriodicNeighborSearch}), several times faster on cells of hundreds of
 * atoms.
 */
public final class PymatgenNeighborOrder {
    /** pymatgen's {@code numerical_tol}: the d² acceptance slack and the self-distance threshold. */
    static final double TOL = 1e-8;
    /** pymatgen's {@code min_r}: smaller cutoffs search at this radius and filter. */
    static final double MIN_R = 1.0;
    /** {@code Site.position_atol}: coincident-duplicate test of {@code get_all_neighbors}. */
    static final double POSITION_ATOL = 1e-5;
    /** Most (site, image) candidates generated; beyond this the cell is too small or too skewed for the cutoff. */
    static final long MAX_IMAGES = 5_000_000L;

    private PymatgenNeighborOrder() {}

    /** All neighbours of every site within {@code r} Å, each centre's entries in pymatgen's order. */
    public static NeighborList find(Structure s, double r) {
        if (!(r > 0) || !Double.isFinite(r)) throw new IllegalArgumentException("cutoff must be positive, got " + r);
        if (s.lattice().isDegenerate()) throw new InvalidStructureException("lattice has zero volume");
        // find_points_in_spheres takes r as a C float
        double rf = (float) r;
        int[] all = new int[s.size()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        if (rf < MIN_R) return filter(search(s, MIN_R, all), rf);
        return search(s, rf, all);
    }

    /**
     * The neighbours of the listed sites only ({@code get_all_neighbors(r, sites=...)}; {@code get_neighbors(site, r)}
     * is one site): row k of the result belongs to site {@code centers[k]}. The order depends on the centres given,
     * because pymatgen's box and cubes are laid out around them.
     */
    static NeighborList find(Structure s, double r, int[] centers) {
        double rf = (float) r;
        if (rf < MIN_R) return filter(search(s, MIN_R, centers), rf);
        return search(s, rf, centers);
    }

    private static NeighborList search(Structure s, double r, int[] centers) {
        int n = s.size();
        int nc = centers.length;
        double[][] m = s.lattice().matrix();
        double[][] frac = s.fracCoords();
        // site.coords: frac · M
        double[][] cart = new double[n][];
        for (int i = 0; i < n; i++) cart[i] = rowTimes(frac[i], m);
        double[][] inv = adjugateInverse(m);
        // all points: fractional again, wrapped with Python's % 1, back to Cartesian
        double[][] inCell = new double[n][3];
        double[][] correction = new double[n][3];   // unwrapped − wrapped fractional coordinates
        for (int i = 0; i < n; i++) {
            double[] f = rowTimes(cart[i], inv);
            double[] w = new double[3];
            for (int k = 0; k < 3; k++) {
                w[k] = pyMod1(f[k]);
                correction[i][k] = f[k] - w[k];
            }
            inCell[i] = rowTimes(w, m);
        }
        // image range from the centres' fractional extent and the reciprocal lengths
        double[] maxr = maxRepetitions(m, r);
        double[] fmin = new double[3], fmax = new double[3], vmin = new double[3], vmax = new double[3];
        double[][] centerCart = new double[nc][], centerFrac = new double[nc][];
        for (int q = 0; q < nc; q++) {
            centerCart[q] = cart[centers[q]];
            centerFrac[q] = rowTimes(centerCart[q], inv);
        }
        minMax(centerFrac, fmin, fmax);
        minMax(centerCart, vmin, vmax);
        long[] lo = new long[3], hi = new long[3];
        double images = 1;
        for (int k = 0; k < 3; k++) {
            lo[k] = (long) Math.floor(fmin[k] - maxr[k] - 1e-8);
            hi[k] = (long) Math.ceil(fmax[k] + maxr[k] + 1e-8);
            images *= (double) hi[k] - lo[k];
            vmax[k] = vmax[k] + r + TOL;
            vmin[k] = vmin[k] - r - TOL;
        }
        if (images * n > MAX_IMAGES) {
            throw new InvalidStructureException(String.format(
                    "cell too small or too skewed for a %.1f Å neighbour search (%.3g site images)", r, images * n));
        }
        // images inside the widened box, in creation order
        int cap = Math.max(16, n);
        double[] pts = new double[3 * cap];
        int[] ptSite = new int[cap];
        int[] ptImage = new int[3 * cap];
        int count = 0;
        double[] t = new double[3];
        for (long a = lo[0]; a < hi[0]; a++) {
            for (long b = lo[1]; b < hi[1]; b++) {
                for (long c = lo[2]; c < hi[2]; c++) {
                    for (int l = 0; l < n; l++) {
                        for (int k = 0; k < 3; k++) t[k] = (double) a * m[0][k] + (double) b * m[1][k] + (double) c * m[2][k] + inCell[l][k];
                        if (t[0] > vmin[0] && t[0] < vmax[0] && t[1] > vmin[1] && t[1] < vmax[1] && t[2] > vmin[2] && t[2] < vmax[2]) {
                            if (count == cap) {
                                cap *= 2;
                                pts = Arrays.copyOf(pts, 3 * cap);
                                ptSite = Arrays.copyOf(ptSite, cap);
                                ptImage = Arrays.copyOf(ptImage, 3 * cap);
                            }
                            System.arraycopy(t, 0, pts, 3 * count, 3);
                            ptSite[count] = l;
                            ptImage[3 * count] = (int) a;
                            ptImage[3 * count + 1] = (int) b;
                            ptImage[3 * count + 2] = (int) c;
                            count++;
                        }
                    }
                }
            }
        }
        // cubes of edge r over the box; each cube's points in reverse creation order
        long[] ncube = new long[3];
        for (int k = 0; k < 3; k++) ncube[k] = (long) Math.ceil((vmax[k] - vmin[k]) / r);
        int cubes = Math.toIntExact(ncube[0] * ncube[1] * ncube[2]);
        int[] cubeOf = new int[count];
        int[] cubeStart = new int[cubes + 1];
        for (int p = 0; p < count; p++) {
            int q = cubeIndex(pts, 3 * p, vmin, r, ncube);
            cubeOf[p] = q;
            if (q >= 0) cubeStart[q + 1]++;
        }
        for (int q = 0; q < cubes; q++) cubeStart[q + 1] += cubeStart[q];
        int[] fill = Arrays.copyOf(cubeStart, cubes);
        int[] cubePts = new int[cubeStart[cubes]];
        for (int p = count - 1; p >= 0; p--) if (cubeOf[p] >= 0) cubePts[fill[cubeOf[p]]++] = p;

        double r2 = r * r;
        int[] offsets = new int[nc + 1];
        NeighborBuffer out = new NeighborBuffer(Math.max(16, nc * 64));
        for (int ci = 0; ci < nc; ci++) {
            int i = centers[ci];
            int[] cc = cube3(cart[i], 0, vmin, r);
            for (int dx = -1; dx <= 1; dx++) {
                long x = cc[0] + dx;
                if (x < 0 || x >= ncube[0]) continue;
                for (int dy = -1; dy <= 1; dy++) {
                    long y = cc[1] + dy;
                    if (y < 0 || y >= ncube[1]) continue;
                    for (int dz = -1; dz <= 1; dz++) {
                        long z = cc[2] + dz;
                        if (z < 0 || z >= ncube[2]) continue;
                        int q = (int) ((x * ncube[1] + y) * ncube[2] + z);
                        for (int u = cubeStart[q]; u < cubeStart[q + 1]; u++) {
                            int p = cubePts[u];
                            double d2 = 0;
                            for (int k = 0; k < 3; k++) {
                                double diff = pts[3 * p + k] - cart[i][k];
                                d2 += diff * diff;
                            }
                            if (!(d2 < r2 + TOL)) continue;
                            double d = Math.sqrt(d2);
                            int j = ptSite[p];
                            if (d <= TOL && (j == i || coincident(s, cart, i, j))) continue;
                            // pymatgen's image: the translation minus the wrap of j's recomputed fractional coordinates
                            out.add(j, (int) Math.round(ptImage[3 * p] - correction[j][0]),
                                    (int) Math.round(ptImage[3 * p + 1] - correction[j][1]),
                                    (int) Math.round(ptImage[3 * p + 2] - correction[j][2]), d,
                                    pts[3 * p] - cart[i][0], pts[3 * p + 1] - cart[i][1], pts[3 * p + 2] - cart[i][2]);
                        }
                    }
                }
            }
            offsets[ci + 1] = out.size;
        }
        return out.toList(offsets);
    }

    /** The entries of {@code nl} with distance ≤ {@code r}, order kept. */
    private static NeighborList filter(NeighborList nl, double r) {
        int n = nl.numSites();
        int[] offsets = new int[n + 1];
        NeighborBuffer out = new NeighborBuffer(nl.size());
        for (int i = 0; i < n; i++) {
            for (int e = nl.start(i); e < nl.end(i); e++) {
                if (nl.distance(e) <= r) {
                    out.add(nl.neighbor(e), nl.image(e, 0), nl.image(e, 1), nl.image(e, 2), nl.distance(e),
                            nl.vector(e, 0), nl.vector(e, 1), nl.vector(e, 2));
                }
            }
            offsets[i + 1] = out.size;
        }
        return out.toList(offsets);
    }

    private static boolean coincident(Structure s, double[][] cart, int i, int j) {
        if (s.atomicNumber(i) != s.atomicNumber(j)) return false;
        for (int k = 0; k < 3; k++) {
            if (!(Math.abs(cart[j][k] - cart[i][k]) <= POSITION_ATOL + 1e-5 * Math.abs(cart[i][k]))) return false;
        }
        return true;
    }

    /** Row vector times matrix, each component summed from 0 in index order (numpy / Cython loop order). */
    static double[] rowTimes(double[] v, double[][] a) {
        double[] r = new double[3];
        for (int j = 0; j < 3; j++) {
            double acc = 0;
            for (int k = 0; k < 3; k++) acc += v[k] * a[k][j];
            r[j] = acc;
        }
        return r;
    }

    /** Inverse as the transposed cofactors over the determinant, expanded along the first row. */
    static double[][] adjugateInverse(double[][] a) {
        double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                + a[0][1] * (a[1][2] * a[2][0] - a[1][0] * a[2][2])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
        double[][] inv = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                inv[i][j] = (a[(j + 1) % 3][(i + 1) % 3] * a[(j + 2) % 3][(i + 2) % 3]
                        - a[(j + 2) % 3][(i + 1) % 3] * a[(j + 1) % 3][(i + 2) % 3]) / det;
            }
        }
        return inv;
    }

    /** Python's {@code x % 1.0} on floats: C fmod, then + 1 when the remainder is negative (−1e−17 gives 1.0). */
    static double pyMod1(double x) {
        double r = x % 1.0;
        return r + (r != 0 && r < 0 ? 1.0 : 0.0);
    }

    /** Images needed per axis: {@code ceil((r + 0.15)·|b_k| / 2π)} with b the reciprocal vectors (with 2π). */
    private static double[] maxRepetitions(double[][] m, double r) {
        double[] out = new double[3];
        for (int i = 0; i < 3; i++) {
            double[] a1 = m[i], a2 = m[(i + 1) % 3], a3 = m[(i + 2) % 3];
            double[] x = {a2[1] * a3[2] - a2[2] * a3[1], a2[2] * a3[0] - a2[0] * a3[2], a2[0] * a3[1] - a2[1] * a3[0]};
            double prod = 0;
            for (int k = 0; k < 3; k++) prod += a1[k] * x[k];
            double len2 = 0;
            for (int k = 0; k < 3; k++) {
                double b = 2 * Math.PI * x[k] / prod;
                len2 += b * b;
            }
            out[i] = Math.ceil((r + 0.15) * Math.sqrt(len2) / (2 * Math.PI));
        }
        return out;
    }

    private static void minMax(double[][] v, double[] min, double[] max) {
        for (int k = 0; k < 3; k++) min[k] = max[k] = v.length == 0 ? 0 : v[0][k];
        for (double[] x : v) {
            for (int k = 0; k < 3; k++) {
                if (x[k] >= max[k]) max[k] = x[k];
                if (x[k] <= min[k]) min[k] = x[k];
            }
        }
    }

    private static int[] cube3(double[] x, int off, double[] vmin, double edge) {
        int[] c = new int[3];
        for (int k = 0; k < 3; k++) c[k] = (int) (long) Math.floor((x[off + k] - vmin[k] + 1e-8) / edge);
        return c;
    }

    /** Flat cube index of a point, or −1 when round-off puts it outside the grid (pymatgen would read out of bounds). */
    private static int cubeIndex(double[] pts, int off, double[] vmin, double edge, long[] ncube) {
        int[] c = cube3(pts, off, vmin, edge);
        for (int k = 0; k < 3; k++) if (c[k] < 0 || c[k] >= ncube[k]) return -1;
        return (int) ((c[0] * ncube[1] + c[1]) * ncube[2] + c[2]);
    }
}
