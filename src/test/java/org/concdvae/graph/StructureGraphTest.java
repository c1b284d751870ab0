package org.concdvae.graph;

import org.concdvae.crystal.Structure;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class StructureGraphTest {
    private static Neighbor nb(int site, int x, int y, int z) { return new Neighbor(site, new int[]{x, y, z}, 1, 1); }

    @Test
    void bondsAreStoredOnceWithUBelowVAndIteratedAsNetworkxDoes() {
        List<List<Neighbor>> all = List.of(
                List.of(nb(2, 0, 0, 0), nb(1, 1, 0, 0), nb(2, 0, 1, 0), nb(0, 0, -1, 0)),
                List.of(nb(0, -1, 0, 0), nb(2, 0, 0, 0)),
                List.of(nb(0, 0, 0, 0), nb(1, 0, 0, 0), nb(0, 0, -1, 0), nb(2, 1, 0, 0)));
        Structure s = VoronoiNNTest.cubic(5.0, new int[]{8, 8, 8}, new double[][]{{0, 0, 0}, {0.5, 0, 0}, {0, 0.5, 0}});
        StructureGraph g = StructureGraph.fromNeighbors(s, all);
        assertEquals(List.of(
                new StructureGraph.Bond(0, 2, 0, 0, 0),
                new StructureGraph.Bond(0, 2, 0, 1, 0),   // from site 2: (2 → 0, (0,-1,0)) swapped and negated
                new StructureGraph.Bond(0, 1, 1, 0, 0),   // v order: 2 first inserted before 1
                new StructureGraph.Bond(0, 0, 0, 1, 0),   // self-bond flipped to a positive first component
                new StructureGraph.Bond(1, 2, 0, 0, 0),
                new StructureGraph.Bond(2, 2, 1, 0, 0)), g.bonds());
        List<int[]> e = GraphOracle.rows(g.crystalGraph());
        assertEquals(12, e.size());
        assertArrayEquals(new int[]{2, 0, 0, 0, 0}, e.get(0));
        assertArrayEquals(new int[]{0, 2, 0, 0, 0}, e.get(1));
        assertArrayEquals(new int[]{2, 0, 0, 1, 0}, e.get(2));
        assertArrayEquals(new int[]{0, 2, 0, -1, 0}, e.get(3));
        // edge vector = cart[source] + image·L − cart[target]: site 2 shifted by +b, seen from site 0
        assertEquals(7.5, g.crystalGraph().distances()[2], 1e-12);
    }
}
