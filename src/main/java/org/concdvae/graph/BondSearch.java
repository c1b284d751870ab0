package org.concdvae.graph;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Structure;

import java.util.HashMap;
import java.util.Map;

/**
 * Neighbour lists for the bonding strategies (VoronoiNN, CrystalNN, MinimumDistanceNN) of one structure: the
 * {@link PeriodicNeighborSearch} lists, each centre's entries ordered by distance (as pymatgen sorts
 * {@code get_sites_in_sphere}), cached per cutoff. It first rejects what no bonding strategy can handle: overlapping
 * atoms, and cells so small or skewed that the image search would not end in reasonable time. Not thread-safe; one
 * per structure.
 */
final class BondSearch {
    /** Atoms closer than this (Å) overlap; bonds between them are meaningless. */
    static final double MIN_SEPARATION = 1e-3;
    /** Most lattice images examined per site pair; beyond this the cell is degenerate for a bond search. */
    static final double MAX_IMAGES = 2e5;

    private final Structure structure;
    private final Map<Double, Sorted> lists = new HashMap<>();

    BondSearch(Structure s) {
        if (s.size() == 0) throw new InvalidStructureException("structure has no sites");
        if (s.lattice().isDegenerate()) throw new InvalidStructureException("lattice has zero volume");
        this.structure = s;
    }

    Structure structure() { return structure; }

    /** The neighbour list within {@code cutoff} (Å), every centre's entries sorted by distance. */
    Sorted within(double cutoff) {
        Sorted s = lists.get(cutoff);
        if (s == null) {
            checkSearchable(cutoff);
            s = new Sorted(PeriodicNeighborSearch.find(structure, cutoff));
            lists.put(cutoff, s);
        }
        return s;
    }

    private void checkSearchable(double cutoff) {
        double[] w = structure.lattice().perpendicularWidths();
        double images = 1;
        for (double wk : w) images *= 2 * Math.ceil(cutoff / wk) + 1;
        if (!(images <= MAX_IMAGES)) {
            throw new InvalidStructureException(String.format(
                    "cell too small or too skewed for a %.1f Å neighbour search (perpendicular widths %.3g, %.3g, %.3g Å)",
                    cutoff, w[0], w[1], w[2]));
        }
        if (lists.isEmpty()) {
            double dmin = structure.minimumPeriodicDistance();
            if (dmin < MIN_SEPARATION) {
                throw new InvalidStructureException(String.format(
                        "atoms overlap (two are %.2e Å apart); bond graphs need distinct atoms", dmin));
            }
        }
    }

    /** A neighbour list with, per centre, its entry ids in order of increasing distance (stable). */
    static final class Sorted {
        final NeighborList list;
        private final int[] order;

        Sorted(NeighborList list) {
            this.list = list;
            this.order = new int[list.size()];
            double[] d = list.distances();
            int[] tmp = new int[order.length];
            for (int e = 0; e < order.length; e++) order[e] = e;
            for (int c = 0; c < list.numSites(); c++) mergeSort(order, tmp, list.start(c), list.end(c), d);
        }

        /** Stable merge sort of ids a[lo..hi) by key d[id]. */
        private static void mergeSort(int[] a, int[] tmp, int lo, int hi, double[] d) {
            if (hi - lo < 2) return;
            int mid = (lo + hi) >>> 1;
            mergeSort(a, tmp, lo, mid, d);
            mergeSort(a, tmp, mid, hi, d);
            if (d[a[mid - 1]] <= d[a[mid]]) return;
            System.arraycopy(a, lo, tmp, lo, hi - lo);
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) a[k++] = d[tmp[j]] < d[tmp[i]] ? tmp[j++] : tmp[i++];
            while (i < mid) a[k++] = tmp[i++];
            while (j < hi) a[k++] = tmp[j++];
        }

        /** Entry id of the k-th nearest neighbour of {@code center} (k from 0). */
        int entry(int center, int k) { return order[list.start(center) + k]; }

        int count(int center) { return list.count(center); }
    }
}
