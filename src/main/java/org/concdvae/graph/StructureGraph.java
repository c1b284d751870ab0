package org.concdvae.graph;

import org.concdvae.crystal.Structure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bonds of a periodic structure as pymatgen's {@code StructureGraph.with_local_env_strategy} stores them, and the
 * encoder's directed edge list derived from them (model.md §2.1).
 *
 * <p>Each bond is kept once as (u, v, image) with u ≤ v: a neighbour v &lt; u of site u is stored as
 * (v, u, −image); a bond of a site to its own image has its image flipped so that the first non-zero component is
 * positive; repeats are dropped. Bonds are inserted site by site in the strategy's neighbour order, and iterated
 * as networkx does: by u ascending, then v in order of first insertion, then images in insertion order.
 */
public final class StructureGraph {
    /** One undirected periodic bond: site u (image 0) to site v shifted by {@code image}; u ≤ v. */
    public record Bond(int u, int v, int ix, int iy, int iz) {}

    private final Structure structure;
    private final List<Bond> bonds;

    private StructureGraph(Structure structure, List<Bond> bonds) {
        this.structure = structure;
        this.bonds = bonds;
    }

    /** The graph of {@code s} under a bonding strategy. */
    public static StructureGraph build(Structure s, NearNeighbors strategy) {
        return fromNeighbors(s, strategy.allNeighbors(s));
    }

    /** The graph from per-site neighbour lists (site n's list in the strategy's order). */
    public static StructureGraph fromNeighbors(Structure s, List<List<Neighbor>> all) {
        int nSites = s.size();
        if (all.size() != nSites) throw new IllegalArgumentException("one neighbour list per site expected");
        // adjacency u -> (v -> images in insertion order), v in order of first insertion
        List<Map<Integer, List<int[]>>> adj = new ArrayList<>(nSites);
        for (int i = 0; i < nSites; i++) adj.add(new LinkedHashMap<>());
        for (int n = 0; n < all.size(); n++) {
            for (Neighbor nb : all.get(n)) {
                int u = n, v = nb.site();
                int[] img = nb.image().clone();
                if (v < u) {
                    u = nb.site();
                    v = n;
                    for (int k = 0; k < 3; k++) img[k] = -img[k];
                }
                if (u == v) {
                    if (img[0] == 0 && img[1] == 0 && img[2] == 0) continue; // a bond to itself: ignored
                    int first = img[0] != 0 ? img[0] : img[1] != 0 ? img[1] : img[2];
                    if (first < 0) for (int k = 0; k < 3; k++) img[k] = -img[k];
                }
                List<int[]> images = adj.get(u).computeIfAbsent(v, key -> new ArrayList<>());
                boolean dup = false;
                for (int[] e : images) {
                    if (e[0] == img[0] && e[1] == img[1] && e[2] == img[2]) {
                        dup = true;
                        break;
                    }
                }
                if (!dup) images.add(img);
            }
        }
        List<Bond> bonds = new ArrayList<>();
        for (int u = 0; u < nSites; u++) {
            for (Map.Entry<Integer, List<int[]>> e : adj.get(u).entrySet()) {
                for (int[] img : e.getValue()) bonds.add(new Bond(u, e.getKey(), img[0], img[1], img[2]));
            }
        }
        return new StructureGraph(s, List.copyOf(bonds));
    }

    public Structure structure() { return structure; }

    /** Bonds in networkx iteration order. */
    public List<Bond> bonds() { return bonds; }

    /**
     * The encoder graph: for each bond (u, v, image), first the directed edge (source v, target u, +image), then
     * (source u, target v, −image), with edge vectors and distances.
     */
    public CrystalGraph crystalGraph() {
        int m = bonds.size();
        int[] u = new int[m], v = new int[m], img = new int[3 * m];
        for (int i = 0; i < m; i++) {
            Bond b = bonds.get(i);
            u[i] = b.u();
            v[i] = b.v();
            img[3 * i] = b.ix();
            img[3 * i + 1] = b.iy();
            img[3 * i + 2] = b.iz();
        }
        return CrystalGraph.fromBonds(structure, u, v, img);
    }
}
