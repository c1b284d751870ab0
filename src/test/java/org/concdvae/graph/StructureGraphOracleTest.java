package org.concdvae.graph;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Edge sets against pymatgen 2022.11.7 (../shared/oracles/graphs, README there). */
class StructureGraphOracleTest {
    @Test
    void crystalNNMatchesPymatgenOnAtLeast995PercentOfStructures() {
        List<GraphOracle> rows = GraphOracle.load("crystalnn.csv");
        GraphOracleSweep s = GraphOracleSweep.run(rows, CrystalNN::new);
        System.out.println("CrystalNN: " + s);
        assertTrue(s.agreement() >= 0.995, s.toString());
    }

    @Test
    void minimumDistanceNNMatchesPymatgenOnAtLeast995PercentOfStructures() {
        List<GraphOracle> rows = GraphOracle.load("mindist.csv");
        GraphOracleSweep s = GraphOracleSweep.run(rows, MinimumDistanceNN::new);
        System.out.println("MinimumDistanceNN: " + s);
        assertTrue(s.agreement() >= 0.995, s.toString());
    }
}
