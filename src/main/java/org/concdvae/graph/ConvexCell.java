package org.concdvae.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A convex polyhedron around the origin, cut down plane by plane: the Voronoi cell of a point is the intersection of
 * the half-spaces {@code x·p ≤ |p|²/2} of its neighbours p (coordinates relative to the point). Starts from a large
 * cube; faces that still belong to the cube at the end mean the cell is unbounded for the planes given.
 *
 * <p>Vertices within {@link #tolerance} of a cutting plane count as lying on it, so exactly degenerate vertices
 * (four or more planes through one point, common in symmetric crystals) are not split into zero-size faces; Qhull's
 * merged facets give the same topology. Not thread-safe; one per tessellation.
 */
final class ConvexCell {
    private static final byte IN = 0, ON = 1, OUT = 2;

    private double[] vx = new double[64], vy = new double[64], vz = new double[64];
    private int nv;
    private final List<int[]> faces = new ArrayList<>();
    private final List<Integer> facePlane = new ArrayList<>();
    /** Plane of each face: n·x = offset (n not normalised). */
    private final List<double[]> faceNormal = new ArrayList<>();
    private final double tolerance;
    private double maxRadius2;

    /** A cube of half-width {@code halfWidth} around the origin; box faces get plane ids -1..-6. */
    ConvexCell(double halfWidth, double tolerance) {
        this.tolerance = tolerance;
        double h = halfWidth;
        for (int i = 0; i < 8; i++) {
            addVertex((i & 1) == 0 ? -h : h, (i & 2) == 0 ? -h : h, (i & 4) == 0 ? -h : h);
        }
        // each face as a cycle of cube corners (bit 0 = x, bit 1 = y, bit 2 = z)
        addFace(-1, new int[]{0, 2, 6, 4}, new double[]{-1, 0, 0, h}); // x = -h
        addFace(-2, new int[]{1, 3, 7, 5}, new double[]{1, 0, 0, h});  // x = +h
        addFace(-3, new int[]{0, 1, 5, 4}, new double[]{0, -1, 0, h}); // y = -h
        addFace(-4, new int[]{2, 3, 7, 6}, new double[]{0, 1, 0, h});  // y = +h
        addFace(-5, new int[]{0, 1, 3, 2}, new double[]{0, 0, -1, h}); // z = -h
        addFace(-6, new int[]{4, 5, 7, 6}, new double[]{0, 0, 1, h});  // z = +h
        maxRadius2 = 3 * h * h;
    }

    private int addVertex(double x, double y, double z) {
        if (nv == vx.length) {
            vx = Arrays.copyOf(vx, 2 * nv);
            vy = Arrays.copyOf(vy, 2 * nv);
            vz = Arrays.copyOf(vz, 2 * nv);
        }
        vx[nv] = x;
        vy[nv] = y;
        vz[nv] = z;
        return nv++;
    }

    private void addFace(int plane, int[] verts, double[] normalAndOffset) {
        faces.add(verts);
        facePlane.add(plane);
        faceNormal.add(normalAndOffset);
    }

    /** Squared distance of the farthest vertex from the origin: planes farther than its root cannot cut. */
    double maxRadius2() { return maxRadius2; }

    /**
     * Keeps the part with {@code x·p ≤ |p|²/2}, the side of the bisector plane between the origin and point p.
     * Returns true if the plane cut the cell (it then owns a face, unless that face degenerated).
     */
    boolean cutBisector(int plane, double px, double py, double pz) {
        double d = 0.5 * (px * px + py * py + pz * pz);
        double tol = tolerance * Math.sqrt(2 * d);
        byte[] cls = new byte[nv];
        double[] s = new double[nv];
        boolean anyOut = false;
        for (int v = 0; v < nv; v++) {
            double sv = px * vx[v] + py * vy[v] + pz * vz[v] - d;
            s[v] = sv;
            if (sv > tol) {
                cls[v] = OUT;
                anyOut = true;
            } else {
                cls[v] = sv < -tol ? IN : ON;
            }
        }
        if (!anyOut) return false;

        Map<Long, Integer> cut = new HashMap<>();
        List<int[]> newFaces = new ArrayList<>(faces.size() + 1);
        List<Integer> newPlanes = new ArrayList<>(faces.size() + 1);
        List<double[]> newNormals = new ArrayList<>(faces.size() + 1);
        boolean[] onCap = new boolean[nv + 64];
        List<Integer> cap = new ArrayList<>();
        int[] buf = new int[64];
        for (int f = 0; f < faces.size(); f++) {
            int[] fv = faces.get(f);
            int len = 0;
            for (int i = 0; i < fv.length; i++) {
                int a = fv[i], b = fv[(i + 1) % fv.length];
                if (len + 2 > buf.length) buf = Arrays.copyOf(buf, 2 * buf.length);
                if (cls[a] != OUT) {
                    buf[len++] = a;
                    if (cls[a] == ON && !onCap[a]) {
                        onCap[a] = true;
                        cap.add(a);
                    }
                }
                if ((cls[a] == IN && cls[b] == OUT) || (cls[a] == OUT && cls[b] == IN)) {
                    long key = a < b ? ((long) a << 32) | b : ((long) b << 32) | a;
                    Integer k = cut.get(key);
                    if (k == null) {
                        // interpolate from the inside vertex, where the plane distance is known to be negative
                        int in = cls[a] == IN ? a : b, out = in == a ? b : a;
                        double t = s[in] / (s[in] - s[out]);
                        k = addVertex(vx[in] + t * (vx[out] - vx[in]), vy[in] + t * (vy[out] - vy[in]),
                                vz[in] + t * (vz[out] - vz[in]));
                        cut.put(key, k);
                        if (k >= onCap.length) onCap = Arrays.copyOf(onCap, 2 * k + 2);
                        onCap[k] = true;
                        cap.add(k);
                    }
                    buf[len++] = k;
                }
            }
            if (len >= 3) {
                newFaces.add(Arrays.copyOf(buf, len));
                newPlanes.add(facePlane.get(f));
                newNormals.add(faceNormal.get(f));
            }
        }
        if (cap.size() >= 3) {
            newFaces.add(orderAround(cap, px, py, pz));
            newPlanes.add(plane);
            newNormals.add(new double[]{px, py, pz, d});
        }
        faces.clear();
        faces.addAll(newFaces);
        facePlane.clear();
        facePlane.addAll(newPlanes);
        faceNormal.clear();
        faceNormal.addAll(newNormals);
        compact();
        return true;
    }

    /** Orders the vertices of a convex planar polygon (normal n) by angle around their centroid. */
    private int[] orderAround(List<Integer> idx, double nx, double ny, double nz) {
        int k = idx.size();
        double cx = 0, cy = 0, cz = 0;
        for (int i : idx) {
            cx += vx[i];
            cy += vy[i];
            cz += vz[i];
        }
        cx /= k;
        cy /= k;
        cz /= k;
        // in-plane basis: u ⟂ n, w = n × u
        double nn = Math.sqrt(nx * nx + ny * ny + nz * nz);
        nx /= nn;
        ny /= nn;
        nz /= nn;
        double ux, uy, uz;
        if (Math.abs(nx) < 0.9) {
            ux = 0;
            uy = nz;
            uz = -ny; // n × e_x
        } else {
            ux = -nz;
            uy = 0;
            uz = nx; // n × e_y
        }
        double un = Math.sqrt(ux * ux + uy * uy + uz * uz);
        ux /= un;
        uy /= un;
        uz /= un;
        double wx = ny * uz - nz * uy, wy = nz * ux - nx * uz, wz = nx * uy - ny * ux;
        double[] ang = new double[k];
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            int v = idx.get(i);
            double dx = vx[v] - cx, dy = vy[v] - cy, dz = vz[v] - cz;
            ang[i] = Math.atan2(dx * wx + dy * wy + dz * wz, dx * ux + dy * uy + dz * uz);
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Double.compare(ang[p], ang[q]));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = idx.get(order[i]);
        return out;
    }

    /** Drops vertices no face uses any more and renumbers; updates the farthest-vertex radius. */
    private void compact() {
        int[] map = new int[nv];
        Arrays.fill(map, -1);
        int m = 0;
        double[] nx = new double[Math.max(8, nv)], ny = new double[nx.length], nz = new double[nx.length];
        double r2 = 0;
        for (int[] f : faces) {
            for (int i = 0; i < f.length; i++) {
                int v = f[i];
                if (map[v] < 0) {
                    map[v] = m;
                    nx[m] = vx[v];
                    ny[m] = vy[v];
                    nz[m] = vz[v];
                    r2 = Math.max(r2, vx[v] * vx[v] + vy[v] * vy[v] + vz[v] * vz[v]);
                    m++;
                }
                f[i] = map[v];
            }
        }
        vx = nx;
        vy = ny;
        vz = nz;
        nv = m;
        maxRadius2 = r2;
    }

    /**
     * Recomputes every vertex as the intersection of three of its faces' planes (the best-conditioned triple).
     * Cutting a huge starting cube leaves vertices with absolute errors of order cube size × machine epsilon; this
     * restores full precision for the faces near the centre.
     */
    void refineVertices() {
        int[][] incident = new int[nv][];
        int[] count = new int[nv];
        for (int[] f : faces) for (int v : f) count[v]++;
        for (int v = 0; v < nv; v++) incident[v] = new int[count[v]];
        Arrays.fill(count, 0);
        for (int fi = 0; fi < faces.size(); fi++) for (int v : faces.get(fi)) incident[v][count[v]++] = fi;
        for (int v = 0; v < nv; v++) {
            int[] inc = incident[v];
            double best = 0;
            double[] a = null, b = null, c = null;
            for (int i = 0; i < inc.length; i++) {
                for (int j = i + 1; j < inc.length; j++) {
                    for (int k = j + 1; k < inc.length; k++) {
                        double[] p = faceNormal.get(inc[i]), q = faceNormal.get(inc[j]), r = faceNormal.get(inc[k]);
                        double det = Math.abs(det3(p, q, r)) / (len(p) * len(q) * len(r));
                        if (det > best) {
                            best = det;
                            a = p;
                            b = q;
                            c = r;
                        }
                    }
                }
            }
            if (best < 1e-6) continue; // no well-conditioned triple; keep the clipped position
            double d = det3(a, b, c);
            // Cramer's rule for n_a·x = o_a, n_b·x = o_b, n_c·x = o_c
            double[] o = {a[3], b[3], c[3]};
            vx[v] = det3(new double[]{o[0], a[1], a[2]}, new double[]{o[1], b[1], b[2]}, new double[]{o[2], c[1], c[2]}) / d;
            vy[v] = det3(new double[]{a[0], o[0], a[2]}, new double[]{b[0], o[1], b[2]}, new double[]{c[0], o[2], c[2]}) / d;
            vz[v] = det3(new double[]{a[0], a[1], o[0]}, new double[]{b[0], b[1], o[1]}, new double[]{c[0], c[1], o[2]}) / d;
        }
    }

    private static double det3(double[] p, double[] q, double[] r) {
        return p[0] * (q[1] * r[2] - q[2] * r[1]) - p[1] * (q[0] * r[2] - q[2] * r[0]) + p[2] * (q[0] * r[1] - q[1] * r[0]);
    }

    private static double len(double[] p) { return Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]); }

    /** True if some face still lies on the starting cube: the cell is not closed by the planes given. */
    boolean touchesBox() {
        for (int p : facePlane) if (p < 0) return true;
        return false;
    }

    int faceCount() { return faces.size(); }

    int facePlane(int f) { return facePlane.get(f); }

    /** Vertices of face f in cyclic order, relative to the origin. */
    double[][] faceVertices(int f) {
        int[] fv = faces.get(f);
        double[][] r = new double[fv.length][];
        for (int i = 0; i < fv.length; i++) r[i] = new double[]{vx[fv[i]], vy[fv[i]], vz[fv[i]]};
        return r;
    }

    /** Vertex ids of face f (stable until the next cut), for adjacency between faces. */
    int[] faceVertexIds(int f) { return faces.get(f).clone(); }
}
