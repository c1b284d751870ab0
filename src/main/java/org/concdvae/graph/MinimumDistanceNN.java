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
        return neighbors(new BondSearch(s).within(cutoff), n);
    }

    @Override
    public List<List<Neighbor>> allNeighbors(Structure s) {
        BondSearch.Sorted list = new BondSearch(s).within(cutoff);
        List<List<Neighbor>> all = new ArrayList<>(s.size());
        for (int n = 0; n < s.size(); n++) all.add(neighbors(list, n));
        return all;
    }

    private List<Neighbor> neighbors(BondSearch.Sorted pts, int n) {
        if (pts.count(n) == 0) {
            throw new InvalidStructureException(String.format(
                    "site %d has no neighbour within %.1f Å (minimum-distance bonding needs one)", n, cutoff));
        }
        NeighborList nl = pts.list;
        double dmin = nl.distance(pts.entry(n, 0));
        double limit = (1.0 + tol) * dmin;
        List<Neighbor> out = new ArrayList<>();
        for (int k = 0; k < pts.count(n); k++) {
            int e = pts.entry(n, k);
            double d = nl.distance(e);
            if (!(d < limit)) break;
            out.add(new Neighbor(nl.neighbor(e), new int[]{nl.image(e, 0), nl.image(e, 1), nl.image(e, 2)}, dmin / d, d));
        }
        return out;
    }
}
