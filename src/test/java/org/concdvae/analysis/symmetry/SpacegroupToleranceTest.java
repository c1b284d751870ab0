package org.concdvae.analysis.symmetry;

import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How symprec decides the group on cells built here with a known distortion, following spglib's algorithm: an
 * operation is kept when every atom lands within symprec (Cartesian) of an atom of its species, so a C2 crystal
 * whose 2-fold partner atoms are displaced by δ is C2 from symprec = δ up and P1 below.
 */
class SpacegroupToleranceTest {

    /**
     * C2 (b unique, conventional C-centred cell): Si at a general position and its 2-fold image, O on the 2-fold
     * axis; the image Si atom (and its centring copy, so the centring stays exact) moved by δ Å along x.
     */
    static Structure distortedC2(double delta) {
        double beta = Math.toRadians(100);
        double[][] m = {{6, 0, 0}, {0, 4, 0}, {5 * Math.cos(beta), 0, 5 * Math.sin(beta)}};
        Lattice lat = Lattice.fromMatrix(m);
        double[] shift = lat.toFractional(new double[]{delta, 0, 0});
        double[] a1 = {0.12, 0.23, 0.31};
        double[] a2 = {-0.12 + shift[0], 0.23 + shift[1], -0.31 + shift[2]};
        double[][] f = {a1, plusC(a1), a2, plusC(a2), {0, 0.6, 0}, plusC(new double[]{0, 0.6, 0})};
        return new Structure(lat, new int[]{14, 14, 14, 14, 8, 8}, f);
    }

    private static double[] plusC(double[] x) { return new double[]{x[0] + 0.5, x[1] + 0.5, x[2]}; }

    private static int group(Structure s, double symprec) {
        return new SpacegroupAnalyzer(s, symprec, 5).getSpaceGroupNumber();
    }

    @Test
    void distortedC2SwitchesToP1BelowTheDisplacement() {
        for (double delta : new double[]{0.02, 0.05, 0.1}) {
            Structure s = distortedC2(delta);
            assertEquals(1, group(s, 0.5 * delta), "δ = " + delta);
            assertEquals(1, group(s, 0.98 * delta), "δ = " + delta);
            assertEquals(5, group(s, 1.02 * delta), "δ = " + delta);
            assertEquals(5, group(s, 3 * delta), "δ = " + delta);
        }
        // undistorted: C2 at any tolerance; negative angle tolerance (spglib's metric-based default) agrees
        assertEquals(5, group(distortedC2(0), 1e-5));
        assertEquals(5, new SpacegroupAnalyzer(distortedC2(0.05), 0.06, -1).getSpaceGroupNumber());
        assertEquals(1, new SpacegroupAnalyzer(distortedC2(0.05), 0.04, -1).getSpaceGroupNumber());
    }

    /**
     * P222 has six axis settings, and spglib takes the one with a ≤ b ≤ c: a cell given with a = 5, b = 4, c = 3 Å
     * comes out of the standardisation as 3, 4, 5.
     */
    @Test
    void orthorhombicAxesFollowSpglibsLengthOrder() {
        Lattice lat = Lattice.fromMatrix(new double[][]{{5, 0, 0}, {0, 4, 0}, {0, 0, 3}});
        double x = 0.11, y = 0.22, z = 0.33;
        double[][] f = {{x, y, z}, {-x, -y, z}, {-x, y, -z}, {x, -y, -z}, {0, 0, 0}};
        SpacegroupAnalyzer a = new SpacegroupAnalyzer(new Structure(lat, new int[]{6, 6, 6, 6, 8}, f), 0.01, 5);
        assertEquals(16, a.getSpaceGroupNumber());
        assertArrayEquals(new double[]{3, 4, 5}, a.getConventionalStandardStructure().lattice().lengths(), 1e-9);
    }
}
