package org.concdvae.graph;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.concdvae.graph.VoronoiNNTest.cubic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrystalNNTest {
    private static final Structure ROCKSALT = cubic(5.64, new int[]{11, 11, 11, 11, 17, 17, 17, 17}, new double[][]{
            {0, 0, 0}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .5}, {.5, 0, 0}, {0, .5, 0}, {0, 0, .5}, {.5, .5, .5}});

    @Test
    void rocksaltIsSixCoordinated() {
        CrystalNN c = new CrystalNN();
        for (int n = 0; n < ROCKSALT.size(); n++) {
            List<Neighbor> nn = c.neighbors(ROCKSALT, n);
            assertEquals(6, nn.size());
            for (Neighbor x : nn) {
                assertEquals(2.82, x.distance(), 1e-12);
                assertTrue((ROCKSALT.atomicNumber(n) == 11) != (ROCKSALT.atomicNumber(x.site()) == 11));
                assertEquals(1.0, x.weight());
            }
        }
        // 8 sites × 6 bonds / 2 = 24 bonds, 48 directed edges
        assertEquals(48, StructureGraph.build(ROCKSALT, c).crystalGraph().numEdges());
    }

    @Test
    void pymatgenDefaultSettingsKeepRocksaltSixCoordinated() {
        // CrystalNN(): porous adjustment, electronegativity weight 3, distance cutoffs (0.5, 1) on Cordero radii:
        // Na–Cl 2.82 Å < 1.66 + 1.02 + 0.5 Å keeps full weight
        CrystalNN c = new CrystalNN(CrystalNN.Options.defaults());
        for (int n = 0; n < ROCKSALT.size(); n++) assertEquals(6, c.neighbors(ROCKSALT, n).size());
        // stretched to 4.0 Å, past radii + 1 Å, no bond keeps any weight: coordination 0
        Structure far = cubic(8.0, new int[]{11, 17}, new double[][]{{0, 0, 0}, {0.5, 0, 0}});
        assertEquals(0, c.neighbors(far, 0).size());
        assertEquals(1.0, c.nnData(far, 0).cnWeights().get(0));
    }

    @Test
    void bccLikelihoodsFollowTheSemicircleIntegral() {
        Structure bcc = cubic(2.87, new int[]{26, 26}, new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        CrystalNN.NNData d = new CrystalNN().nnData(bcc, 0);
        // weights: 8 faces at 1.0, 6 at round(0.445364057364 / 1.236773283772, 3) = 0.360
        double w2 = 0.36;
        double area = 0.5 * (w2 * Math.sqrt(1 - w2 * w2) + Math.atan(w2 / Math.sqrt(1 - w2 * w2)));
        Map<Integer, Double> cn = d.cnWeights();
        assertEquals(1 - area / (0.25 * Math.PI), cn.get(8), 1e-15);
        assertEquals(area / (0.25 * Math.PI), cn.get(14), 1e-15);
        assertEquals(2, cn.size());
        assertEquals(8, d.mostLikelyCn());
        assertEquals(8, new CrystalNN().neighbors(bcc, 0).size());
    }

    @Test
    void roundingIsPythonsHalfEvenOnTheExactBinaryValue() {
        assertEquals(0.062, CrystalNN.round3(0.0625));  // exact tie → even
        assertEquals(0.188, CrystalNN.round3(0.1875));  // exact tie → even
        assertEquals(0.001, CrystalNN.round3(0.0005000000000000001));
        assertEquals(0.0, CrystalNN.round3(0.0004999));
        assertEquals(0.3, CrystalNN.round3(0.29951));
    }

    @Test
    void singleAtomCellsBondToTheirOwnImages() {
        Structure sc = cubic(3.0, new int[]{84}, new double[][]{{0.2, 0.3, 0.4}});
        List<int[]> e = GraphOracle.rows(StructureGraph.build(sc, new CrystalNN()).crystalGraph());
        // bonds (0,0,+x), (0,0,+y), (0,0,+z), each as two directed edges, first image component positive
        assertEquals(6, e.size());
        for (int i = 0; i < e.size(); i += 2) assertEquals(1, e.get(i)[2] + e.get(i)[3] + e.get(i)[4]);
        assertEquals(6, StructureGraph.build(sc, new MinimumDistanceNN()).crystalGraph().numEdges());
    }

    @Test
    void isolatedAtomInAHugeBoxWidensTheSearchAsPymatgenDoes() {
        Structure big = cubic(40.0, new int[]{18}, new double[][]{{0.5, 0.5, 0.5}});
        List<Neighbor> nn = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> new CrystalNN().neighbors(big, 0));
        assertEquals(6, nn.size());
        InvalidStructureException ex = assertThrows(InvalidStructureException.class,
                () -> new MinimumDistanceNN().neighbors(big, 0));
        assertTrue(ex.getMessage().contains("no neighbour within 10.0"), ex.getMessage());
    }

    @Test
    void overlappingAtomsAreAClearError() {
        Structure s = cubic(4.0, new int[]{8, 8, 26}, new double[][]{{0.1, 0.1, 0.1}, {0.1, 0.1, 0.1}, {0.5, 0.5, 0.5}});
        for (NearNeighbors nn : new NearNeighbors[]{new CrystalNN(), new MinimumDistanceNN()}) {
            InvalidStructureException ex = assertThrows(InvalidStructureException.class, () -> StructureGraph.build(s, nn));
            assertTrue(ex.getMessage().contains("atoms overlap"), ex.getMessage());
        }
        // the same atom as its own image across the boundary (1.0 ≡ 0.0) also overlaps
        Structure t = cubic(4.0, new int[]{8, 8}, new double[][]{{0.0, 0.2, 0.2}, {1.0, 0.2, 0.2}});
        assertThrows(InvalidStructureException.class, () -> StructureGraph.build(t, new CrystalNN()));
    }

    @Test
    void skewedCellsGiveTheSameBondsAsTheReducedCell() {
        // rock salt primitive cell in a unimodular skewed basis: rows b = M a, same crystal
        double h = 2.82;
        double[][] prim = {{0, h, h}, {h, 0, h}, {h, h, 0}};
        int[][] mtx = {{1, 0, 0}, {7, 1, 0}, {-5, 3, 1}};
        double[][] skew = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) skew[i][j] += mtx[i][k] * prim[k][j];
        Lattice lp = Lattice.fromMatrix(prim), ls = Lattice.fromMatrix(skew);
        double[][] cart = {{0, 0, 0}, {h, h, h}};
        Structure a = Structure.fromCartesian(lp, new int[]{11, 17}, cart).wrapped();
        Structure b = Structure.fromCartesian(ls, new int[]{11, 17}, cart).wrapped();
        for (NearNeighbors nn : new NearNeighbors[]{new CrystalNN(), new MinimumDistanceNN()}) {
            CrystalGraph ga = StructureGraph.build(a, nn).crystalGraph();
            CrystalGraph gb = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                    () -> StructureGraph.build(b, nn).crystalGraph());
            assertEquals(12, ga.numEdges()); // 6 Na–Cl bonds, each as two directed edges
            assertEquals(ga.numEdges(), gb.numEdges());
            // every edge of the skewed cell is a 2.82 Å bond between Na and Cl
            for (int e = 0; e < gb.numEdges(); e++) {
                assertEquals(h, gb.distances()[e], 1e-9);
                assertTrue(gb.source()[e] != gb.target()[e]);
            }
        }
    }

    @Test
    void absurdlySkewedOrFlatCellsFailFastWithAClearMessage() {
        double[][] m = {{3, 0, 0}, {3e6, 3, 0}, {0, 0, 3}};
        Structure s = new Structure(Lattice.fromMatrix(m), new int[]{6}, new double[][]{{0, 0, 0}});
        InvalidStructureException ex = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> assertThrows(InvalidStructureException.class, () -> StructureGraph.build(s, new CrystalNN())));
        assertTrue(ex.getMessage().contains("too skewed"), ex.getMessage());
        Structure flat = new Structure(Lattice.fromMatrix(new double[][]{{3, 0, 0}, {0, 3, 0}, {0, 0, 1e-7}}),
                new int[]{6}, new double[][]{{0, 0, 0}});
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> assertThrows(InvalidStructureException.class, () -> StructureGraph.build(flat, new MinimumDistanceNN())));
    }

    @Test
    void weightedCnSumsTheLikelihoodsOfTheCnsThatIncludeANeighbour() {
        Structure bcc = cubic(2.87, new int[]{26, 26}, new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        CrystalNN.Options o = new CrystalNN.Options(true, null, -1, false, 7.0);
        List<Neighbor> nn = new CrystalNN(o).neighbors(bcc, 0);
        assertEquals(14, nn.size());
        CrystalNN.NNData d = new CrystalNN().nnData(bcc, 0);
        assertEquals(1.0, nn.get(0).weight(), 1e-15); // in CN 8 and CN 14
        assertEquals(d.cnWeights().get(14), nn.get(13).weight(), 1e-15);
    }

    @Test
    void distanceCutoffsUsePymatgensCovalentRadiusTable() {
        // pymatgen's CovalentRadius: sp2 carbon, mean of low- and high-spin Mn, Fe, Co; Cordero elsewhere
        assertEquals(0.73, CrystalNN.cutoffRadius(org.concdvae.crystal.Element.of(6)));
        assertEquals(1.5, CrystalNN.cutoffRadius(org.concdvae.crystal.Element.of(25)));
        assertEquals(1.42, CrystalNN.cutoffRadius(org.concdvae.crystal.Element.of(26)));
        assertEquals(1.38, CrystalNN.cutoffRadius(org.concdvae.crystal.Element.of(27)));
        assertEquals(org.concdvae.crystal.Element.of(8).covalentRadius(), CrystalNN.cutoffRadius(org.concdvae.crystal.Element.of(8)));
    }
}
