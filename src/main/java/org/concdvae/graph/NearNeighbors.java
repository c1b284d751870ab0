package org.concdvae.graph;

import org.concdvae.crystal.Structure;

import java.util.ArrayList;
import java.util.List;

/**
 * A bonding strategy (pymatgen's {@code NearNeighbors}): the neighbours of each site of a periodic structure, in the
 * order the strategy ranks them. {@link StructureGraph} turns them into bonds.
 */
public interface NearNeighbors {
    /** Neighbours of site n. */
    List<Neighbor> neighbors(Structure s, int n);

    /** Neighbours of every site, site by site. Implementations may share work between sites. */
    default List<List<Neighbor>> allNeighbors(Structure s) {
        List<List<Neighbor>> all = new ArrayList<>(s.size());
        for (int n = 0; n < s.size(); n++) all.add(neighbors(s, n));
        return all;
    }
}
