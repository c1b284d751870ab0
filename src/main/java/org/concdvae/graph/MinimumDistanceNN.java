package org.concdvae.graph;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Structure;

import java.util.ArrayList;
import java.util.List;

/**
 * pymatgen's {@code MinimumDistanceNN}: the nearest neighbour at d_min plus every image within
 * {@code (1 + tol)·d_min} (strictly), among images within {@code cutoff}; weight d_min / d. Thread-safe.
 */
public final class MinimumDistanceNN implements NearNeighbors {
    public static final double DEFAULT_TOL = 0.1;
    public static final double DEFAULT_CUTOFF = 10.0;

    private final double tol;
    private final double cutoff;

    /** pymatgen defaults: tol 0.1, cutoff 10 Å. */
    public MinimumDistanceNN() { this(DEFAULT_TOL, DEFAULT_CUTOFF); }

    public MinimumDistanceNN(double tol, double cutoff) {
        if (!(tol >= 0) || !(cutoff > 0) || !Double.isFinite(cutoff)) {
            throw new IllegalArgumentException("need tol >= 0 and a finite cutoff > 0");
        }
        this.tol = tol;
        this.cutoff = cutoff;
    }

    @Override
    public List<Neighbor> neighbors(Structure s, int n) {
        return neighbors(new PeriodicSphere(s), n);
    }

    List<Neighbor> neighbors(PeriodicSphere sphere, int n) {
        PeriodicSphere.Points pts = sphere.around(n, cutoff);
        if (pts.size == 0) {
            throw new InvalidStructureException(String.format(
                    "site %d has no neighbour within %.1f Å (minimum-distance bonding needs one)", n, cutoff));
        }
        double dmin = pts.dist[0]; // sorted by distance
        double limit = (1.0 + tol) * dmin;
        List<Neighbor> out = new ArrayList<>();
        for (int k = 0; k < pts.size && pts.dist[k] < limit; k++) {
            out.add(new Neighbor(pts.site[k], pts.image(k), dmin / pts.dist[k], pts.dist[k]));
        }
        return out;
    }

    @Override
    public List<List<Neighbor>> allNeighbors(Structure s) {
        PeriodicSphere sphere = new PeriodicSphere(s);
        List<List<Neighbor>> all = new ArrayList<>(s.size());
        for (int n = 0; n < s.size(); n++) all.add(neighbors(sphere, n));
        return all;
    }
}
