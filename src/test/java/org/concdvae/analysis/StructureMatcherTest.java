package org.concdvae.analysis;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StructureMatcherTest {
    private final StructureMatcher sm = new StructureMatcher();

    /** Rock salt in its conventional cubic cell (8 sites; primitive cell has 2). */
    static Structure rockSalt(double a) {
        double[][] f = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5},
                {0.5, 0, 0}, {0, 0.5, 0}, {0, 0, 0.5}, {0.5, 0.5, 0.5}};
        return new Structure(Lattice.fromParameters(a, a, a, 90, 90, 90), new int[]{11, 11, 11, 11, 17, 17, 17, 17}, f);
    }

    static Structure perovskite(double a, int b) {
        double[][] f = {{0, 0, 0}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
        return new Structure(Lattice.fromParameters(a, a, a, 90, 90, 90), new int[]{38, b, 8, 8, 8}, f);
    }

    @Test
    void identicalPermutedShiftedAndScaledCopiesMatchWithZeroRms() {
        Structure s = perovskite(3.9, 22);
        double[][] f = s.fracCoords();
        int[] perm = {3, 1, 4, 0, 2};
        int[] z = new int[5];
        double[][] g = new double[5][];
        for (int i = 0; i < 5; i++) {
            z[i] = s.atomicNumber(perm[i]);
            g[i] = new double[]{f[perm[i]][0] + 0.13, f[perm[i]][1] - 0.41, f[perm[i]][2] + 0.77};
        }
        Structure t = new Structure(Lattice.fromParameters(4.3, 4.3, 4.3, 90, 90, 90), z, g).wrapped();
        assertTrue(sm.fit(s, t));
        StructureMatcher.RmsDist rd = sm.getRmsDist(s, t);
        assertNotNull(rd);
        assertEquals(0.0, rd.rms(), 1e-9, "volume scaling makes the copies identical");
        assertEquals(0.0, rd.maxDist(), 1e-9);
    }

    @Test
    void conventionalCellMatchesPrimitiveThroughPymatgensPrimitiveSearch() {
        Structure conv = rockSalt(5.64);
        double[][] prim = {{0, 2.82, 2.82}, {2.82, 0, 2.82}, {2.82, 2.82, 0}};
        Structure p = new Structure(Lattice.fromMatrix(prim), new int[]{11, 17}, new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        assertEquals(2, sm.prepare(conv).structure().size(), "primitive search reduces the 8-site cell");
        assertTrue(sm.fit(conv, p));
        assertTrue(sm.fit(p, conv));
    }

    @Test
    void smallNoiseMatchesLargeDistortionDoesNotAndFitIsStricterThanRms() {
        Structure s = rockSalt(5.64);
        Random rnd = new Random(3);
        assertTrue(sm.fit(s, jitter(s, 0.05, rnd)));
        Structure far = jitter(s, 0.9, rnd);
        assertFalse(sm.fit(s, far));
        // get_rms_dist accepts on RMS: whenever fit accepts, get_rms_dist returns a value below stol
        for (int i = 0; i < 20; i++) {
            Structure t = jitter(s, 0.25, rnd);
            StructureMatcher.RmsDist rd = sm.getRmsDist(s, t);
            if (sm.fit(s, t)) {
                assertNotNull(rd);
                assertTrue(rd.rms() < 0.3);
            }
            if (rd != null) assertTrue(rd.rms() <= rd.maxDist() + 1e-12);
        }
    }

    @Test
    void differentSpeciesOrCompositionNeverMatch() {
        assertFalse(sm.fit(perovskite(3.9, 22), perovskite(3.9, 40)));
        assertNull(sm.getRmsDist(perovskite(3.9, 22), perovskite(3.9, 40)));
        assertFalse(sm.fit(rockSalt(5.6), perovskite(3.9, 22)));
    }

    @Test
    void groupsCollectMutualMatchesInInputOrder() {
        Random rnd = new Random(5);
        List<Structure> list = List.of(rockSalt(5.6), perovskite(3.9, 22), jitter(rockSalt(5.7), 0.03, rnd),
                perovskite(3.9, 40), jitter(perovskite(4.0, 22), 0.02, rnd), rockSalt(5.5));
        List<List<Integer>> groups = sm.group(list, 2);
        assertEquals(List.of(List.of(0, 2, 5), List.of(1, 4), List.of(3)), groups);
        assertEquals(groups, sm.group(list, 1), "independent of the thread count");
    }

    @Test
    void malformedInputsGiveClearErrors() {
        Lattice ok = Lattice.fromParameters(4, 4, 4, 90, 90, 90);
        Structure empty = new Structure(ok, new int[0], new double[0][]);
        InvalidStructureException e = assertThrows(InvalidStructureException.class, () -> sm.fit(empty, empty));
        assertTrue(e.getMessage().contains("no sites"));
        Structure flat = new Structure(Lattice.fromMatrix(new double[][]{{1, 0, 0}, {0, 1, 0}, {1, 1, 0}}), new int[]{6}, new double[][]{{0, 0, 0}});
        assertThrows(InvalidStructureException.class, () -> sm.prepare(flat));
        assertThrows(IllegalArgumentException.class, () -> new StructureMatcher(0.2, -1, 5));
        // overlapping atoms are legal input for matching (pymatgen matches them too)
        Structure overlap = new Structure(ok, new int[]{6, 6}, new double[][]{{0, 0, 0}, {0, 0, 1e-9}});
        assertTrue(sm.fit(overlap, overlap));
    }

    private static Structure jitter(Structure s, double sigma, Random rnd) {
        double[][] cart = s.cartCoords();
        for (double[] c : cart) for (int k = 0; k < 3; k++) c[k] += sigma * rnd.nextGaussian();
        return Structure.fromCartesian(s.lattice(), s.atomicNumbers(), cart).wrapped();
    }
}
