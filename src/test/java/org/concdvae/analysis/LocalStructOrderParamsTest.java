package org.concdvae.analysis;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Order parameters on ideal motifs: 1 for the motif they recognise, textbook Steinhardt values. */
class LocalStructOrderParamsTest {
    private static final double[] O = {0, 0, 0};

    private static double op(String type, Map<String, Double> p, double[][] nb) {
        return new LocalStructOrderParams(type, p).compute(O, nb);
    }

    private static final double[][] OCTAHEDRON = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    private static final double[][] TETRAHEDRON = {{1, 1, 1}, {1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}};
    private static final double[][] CUBE = {{1, 1, 1}, {1, 1, -1}, {1, -1, 1}, {1, -1, -1}, {-1, 1, 1}, {-1, 1, -1}, {-1, -1, 1}, {-1, -1, -1}};
    private static final double[][] FCC12 = {{1, 1, 0}, {1, -1, 0}, {-1, 1, 0}, {-1, -1, 0}, {1, 0, 1}, {1, 0, -1}, {-1, 0, 1},
            {-1, 0, -1}, {0, 1, 1}, {0, 1, -1}, {0, -1, 1}, {0, -1, -1}};

    private static double preset(String label, double[][] nb) {
        for (CrystalNNFingerprint.Feature f : CrystalNNFingerprint.features()) {
            if (f.label().equals(label)) return f.op().compute(O, nb);
        }
        throw new IllegalArgumentException(label);
    }

    @Test
    void motifsScoreOneOnTheirIdealShape() {
        assertEquals(1.0, preset("octahedral CN_6", OCTAHEDRON), 1e-12);
        assertEquals(1.0, preset("tetrahedral CN_4", TETRAHEDRON), 1e-12);
        assertEquals(1.0, preset("square co-planar CN_4", new double[][]{{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}}), 1e-12);
        assertEquals(1.0, preset("linear CN_2", new double[][]{{0, 0, 1}, {0, 0, -1}}), 1e-12);
        assertEquals(1.0, preset("cuboctahedral CN_12", FCC12), 1e-9);
        // a tetrahedron is far from planar
        assertTrue(preset("square co-planar CN_4", TETRAHEDRON) < 0.1);
    }

    @Test
    void steinhardtParametersOfCubicShells() {
        // textbook values: fcc q4 = 0.19094, q6 = 0.57452; simple cubic q4 = 0.76376, q6 = 0.35355; bcc (8) q6 = 0.62854
        assertEquals(0.190941, op("q4", null, FCC12), 1e-6);
        assertEquals(0.574524, op("q6", null, FCC12), 1e-6);
        assertEquals(0.763763, op("q4", null, OCTAHEDRON), 1e-6);
        assertEquals(0.353553, op("q6", null, OCTAHEDRON), 1e-6);
        assertEquals(0.628539, op("q6", null, CUBE), 1e-6);
        assertEquals(0.0, op("q2", null, OCTAHEDRON), 1e-12);
    }

    @Test
    void singleBondAndTooFewNeighbours() {
        assertEquals(1.0, op("sgl_bd", null, new double[][]{{0, 0, 2}}));
        assertEquals(1.0 - 2.0 / 2.5, op("sgl_bd", null, new double[][]{{0, 0, 2.5}, {2, 0, 0}}), 1e-15);
        // pymatgen returns None for the motif parameters with one neighbour and for bcc with at most 3
        assertTrue(Double.isNaN(preset("octahedral CN_6", new double[][]{{1, 0, 0}})));
        assertTrue(Double.isNaN(preset("body-centered cubic CN_8", new double[][]{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}})));
    }
}
