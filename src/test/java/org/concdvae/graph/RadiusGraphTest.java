package org.concdvae.graph;

import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RadiusGraphTest {
    // an exactly diagonal matrix, so that equal distances are bit-identical ties
    static final Structure SC = new Structure(Lattice.fromMatrix(new double[][]{{3, 0, 0}, {0, 3, 0}, {0, 0, 3}}), new int[]{29}, new double[][]{{0, 0, 0}});

    static List<String> images(CrystalGraph g) {
        List<String> r = new ArrayList<>();
        for (int e = 0; e < g.numEdges(); e++) r.add(g.images()[3 * e] + "," + g.images()[3 * e + 1] + "," + g.images()[3 * e + 2]);
        return r;
    }

    @Test
    void candidateOrderAndStableTruncation() {
        // simple cubic, a = 3, r = 4.5: 6 images at 3 Å and 12 at 4.24 Å (the 8 at 5.2 Å are out of range)
        CrystalGraph all = RadiusGraph.build(SC, 4.5, 50);
        assertEquals(18, all.numEdges());
        assertEquals("-1,-1,0", images(all).get(0), "27 images in lexicographic order");
        // K = 8 keeps the 6 nearest and the first 2 of the 12 tied ones, in candidate order
        CrystalGraph k8 = RadiusGraph.build(SC, 4.5, 8);
        assertEquals(List.of("-1,-1,0", "-1,0,-1", "-1,0,0", "0,-1,0", "0,0,-1", "0,0,1", "0,1,0", "1,0,0"), images(k8));
        // only 27 images are searched even when the cell is shorter than the cutoff (model.md §16)
        assertEquals(26, RadiusGraph.build(SC, 100, 100).numEdges());
    }

    @Test
    void symmetrisedGraphIsExactlySymmetric() {
        CrystalGraph g = RadiusGraph.build(SC, 4.5, 8).symmetrized();
        // kept: self-edges with a lexicographically negative image: (-1,-1,0), (-1,0,-1), (-1,0,0), (0,-1,0), (0,0,-1)
        assertEquals(10, g.numEdges());
        for (int e = 0; e < g.numEdges(); e++) {
            int r = g.idSwap()[e];
            assertEquals(e, g.idSwap()[r]);
            assertEquals(g.source()[e], g.target()[r]);
            for (int k = 0; k < 3; k++) {
                assertEquals(-g.images()[3 * e + k], g.images()[3 * r + k]);
                assertEquals(-g.vectors()[3 * e + k], g.vectors()[3 * r + k], 1e-12);
            }
        }
    }

    @Test
    void bondsExpandInTheOfficialOrder() {
        Structure s = new Structure(Lattice.fromParameters(4, 4, 4, 90, 90, 90), new int[]{55, 17}, new double[][]{{0, 0, 0}, {.5, .5, .5}});
        CrystalGraph g = CrystalGraph.fromBonds(s, new int[]{0}, new int[]{1}, new int[]{-1, 0, 0});
        assertArrayEquals(new int[]{1, 0}, g.source());
        assertArrayEquals(new int[]{0, 1}, g.target());
        assertArrayEquals(new int[]{-1, 0, 0, 1, 0, 0}, g.images());
        assertEquals(Math.sqrt(4 + 4 + 4), g.distances()[0], 1e-12);
        CrystalGraph batch = CrystalGraph.concat(List.of(g, g));
        assertArrayEquals(new int[]{1, 0, 3, 2}, batch.source());
        assertArrayEquals(new int[]{2, 2}, batch.edgesPerCrystal());
        assertArrayEquals(g.source(), batch.crystal(1).source());
    }
}
