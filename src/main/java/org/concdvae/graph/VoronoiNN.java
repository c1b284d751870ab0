package org.concdvae.graph;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Structure;

import java.util.ArrayList;
import java.util.List;

/**
 * Voronoi polyhedra of periodic sites, reproducing pymatgen's {@code VoronoiNN.get_voronoi_polyhedra}
 * (O'Keeffe, Acta Cryst. A35 (1979) 772): the cell of a site is taken among all periodic images within
 * {@code cutoff} of it; if that cell is not closed the cutoff is doubled, up to the longest cell diagonal + 0.01 Å,
 * exactly as pymatgen retries. Faces are found by half-space clipping in pure Java instead of Qhull; they are the
 * same faces (those with at least three distinct vertices), with solid angle, area, face distance and image.
 * Thread-safe.
 */
public final class VoronoiNN implements NearNeighbors {
    /** pymatgen's default search radius for VoronoiNN (CrystalNN passes its own, 7 Å). */
    public static final double DEFAULT_CUTOFF = 13.0;
    /** Vertices within this many Å (per Å of plane distance) of a plane lie on it. */
    static final double PLANE_TOLERANCE = 1e-10;
    /** Half-width (Å) of the starting cube for cells that reach far out; a cell reaching it counts as open. */
    static final double FAR_BOX = 1e7;

    private final double cutoff;

    public VoronoiNN() { this(DEFAULT_CUTOFF); }

    public VoronoiNN(double cutoff) {
        if (!(cutoff > 0) || !Double.isFinite(cutoff)) throw new IllegalArgumentException("cutoff must be positive");
        this.cutoff = cutoff;
    }

    public double cutoff() { return cutoff; }

    /** The Voronoi faces of site n, in order of increasing neighbour distance. */
    public List<VoronoiFace> polyhedron(Structure s, int n) {
        return polyhedron(new BondSearch(s), n);
    }

    /** The Voronoi faces of every site. */
    public List<List<VoronoiFace>> polyhedra(Structure s) {
        BondSearch search = new BondSearch(s);
        List<List<VoronoiFace>> all = new ArrayList<>(s.size());
        for (int n = 0; n < s.size(); n++) all.add(polyhedron(search, n));
        return all;
    }

    List<VoronoiFace> polyhedron(BondSearch search, int n) {
        if (n < 0 || n >= search.structure().size()) throw new IndexOutOfBoundsException("site " + n);
        double maxCutoff = longestDiagonal(search.structure()) + 0.01;
        double r = cutoff;
        // pymatgen: retry with min(2r, maxCutoff + 0.001) while the cell is open; give up once r >= maxCutoff
        for (int attempt = 0; attempt < 64; attempt++) {
            List<VoronoiFace> faces = tryCell(search.within(r), n);
            if (faces != null) return faces;
            if (r >= maxCutoff) break;
            r = Math.min(r * 2, maxCutoff + 0.001);
        }
        throw new InvalidStructureException(String.format(
                "site %d: Voronoi cell is not closed even with all images within %.2f Å (isolated or coplanar atoms)",
                n, r));
    }

    /** The cell among the points of the list, or null if it is open (Qhull would report an infinite vertex). */
    private static List<VoronoiFace> tryCell(BondSearch.Sorted pts, int n) {
        int count = pts.count(n);
        if (count < 4) return null;
        double r = pts.list.distance(pts.entry(n, count - 1));
        // Usually the cell lies well inside a cube of half-width r. Near a vacuum gap the centre can sit almost on
        // the hull of the points within r, and the cell, though closed, reaches far out; Qhull still reports it, so
        // it is then recomputed inside a practically infinite cube, with vertices refined from their planes.
        ConvexCell cell = clip(pts, n, new ConvexCell(r, PLANE_TOLERANCE));
        if (cell.touchesBox()) {
            cell = clip(pts, n, new ConvexCell(FAR_BOX, PLANE_TOLERANCE));
            if (cell.touchesBox()) return null;
            cell.refineVertices();
        }
        NeighborList nl = pts.list;
        List<VoronoiFace> faces = new ArrayList<>();
        for (int f = 0; f < cell.faceCount(); f++) {
            int e = cell.facePlane(f);
            double[][] verts = cell.faceVertices(f);
            double dist = nl.distance(e);
            double faceDist = 0.5 * dist;
            double vol = 0;
            for (int j = 1; j + 1 < verts.length; j++) vol += tetraVolume(verts[0], verts[j], verts[j + 1]);
            double[] normal = {nl.vector(e, 0) / dist, nl.vector(e, 1) / dist, nl.vector(e, 2) / dist};
            int[] image = {nl.image(e, 0), nl.image(e, 1), nl.image(e, 2)};
            faces.add(new VoronoiFace(nl.neighbor(e), image, dist, solidAngle(verts), 3 * vol / faceDist,
                    faceDist, vol, normal, verts, cell.faceVertexIds(f)));
        }
        faces.sort((a, b) -> Double.compare(a.distance(), b.distance()));
        return faces;
    }

    /** Cuts the cell with the bisector planes of the centre's neighbours, nearest first; face ids = entry ids. */
    private static ConvexCell clip(BondSearch.Sorted pts, int n, ConvexCell cell) {
        NeighborList nl = pts.list;
        double[] v = nl.vectors();
        for (int k = 0, count = pts.count(n); k < count; k++) {
            int e = pts.entry(n, k);
            double half = 0.5 * nl.distance(e);
            // a bisector plane farther out than every vertex cannot cut; later points are farther still
            if (half * half > cell.maxRadius2() * (1 + 1e-9)) break;
            cell.cutBisector(e, v[3 * e], v[3 * e + 1], v[3 * e + 2]);
        }
        return cell;
    }

    /**
     * Solid angle of a convex polygon seen from the origin, by fan triangulation from the first vertex and the
     * Van Oosterom–Strackee formula, as pymatgen's {@code solid_angle}.
     */
    static double solidAngle(double[][] r) {
        int k = r.length;
        double[] norm = new double[k];
        for (int i = 0; i < k; i++) norm[i] = Math.sqrt(dot(r[i], r[i]));
        double angle = 0;
        for (int i = 1; i < k - 1; i++) {
            int j = i + 1;
            double tp = Math.abs(tripleProduct(r[0], r[i], r[j]));
            double de = norm[0] * norm[i] * norm[j] + norm[j] * dot(r[0], r[i]) + norm[i] * dot(r[0], r[j])
                    + norm[0] * dot(r[i], r[j]);
            double a = de == 0 ? (tp > 0 ? 0.5 * Math.PI : -0.5 * Math.PI) : Math.atan(tp / de);
            angle += (a > 0 ? a : a + Math.PI) * 2;
        }
        return angle;
    }

    private static double tetraVolume(double[] a, double[] b, double[] c) {
        // one corner at the origin (the centre)
        return Math.abs(tripleProduct(a, b, c)) / 6;
    }

    private static double tripleProduct(double[] a, double[] b, double[] c) {
        return a[0] * (b[1] * c[2] - b[2] * c[1]) + a[1] * (b[2] * c[0] - b[0] * c[2]) + a[2] * (b[0] * c[1] - b[1] * c[0]);
    }

    private static double dot(double[] a, double[] b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

    /** pymatgen's max_cutoff base: the longest of the four body diagonals ±a±b±c. */
    static double longestDiagonal(Structure s) {
        double[][] m = s.lattice().matrix();
        int[][] corners = {{1, 1, 1}, {-1, 1, 1}, {1, -1, 1}, {1, 1, -1}};
        double best = 0;
        for (int[] c : corners) {
            double x = 0, y = 0, z = 0;
            for (int k = 0; k < 3; k++) {
                x += c[k] * m[k][0];
                y += c[k] * m[k][1];
                z += c[k] * m[k][2];
            }
            best = Math.max(best, Math.sqrt(x * x + y * y + z * z));
        }
        return best;
    }

    /**
     * Neighbours sharing a face with non-zero solid angle, weight = solid angle / largest solid angle
     * (pymatgen {@code VoronoiNN(tol=0, weight="solid_angle")}).
     */
    @Override
    public List<Neighbor> neighbors(Structure s, int n) {
        return neighbors(new BondSearch(s), n);
    }

    @Override
    public List<List<Neighbor>> allNeighbors(Structure s) {
        BondSearch search = new BondSearch(s);
        List<List<Neighbor>> all = new ArrayList<>(s.size());
        for (int n = 0; n < s.size(); n++) all.add(neighbors(search, n));
        return all;
    }

    private List<Neighbor> neighbors(BondSearch search, int n) {
        List<VoronoiFace> faces = polyhedron(search, n);
        double max = 0;
        for (VoronoiFace f : faces) max = Math.max(max, f.solidAngle());
        List<Neighbor> out = new ArrayList<>();
        for (VoronoiFace f : faces) {
            if (f.solidAngle() > 0) out.add(new Neighbor(f.site(), f.image(), f.solidAngle() / max, f.distance()));
        }
        return out;
    }
}
