package org.concdvae.crystal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LatticeTest {
    @Test
    void parametersRoundTripThroughTheOfficialMatrixConvention() {
        Lattice l = Lattice.fromParameters(3.1, 4.2, 5.3, 80.0, 95.0, 110.0);
        assertArrayEquals(new double[]{3.1, 4.2, 5.3, 80.0, 95.0, 110.0}, l.parameters(), 1e-10);
        // model.md §1: c lies along z, a in the xz plane
        assertEquals(0.0, l.get(0, 1), 0.0);
        assertEquals(0.0, l.get(2, 0), 0.0);
        assertEquals(5.3, l.get(2, 2), 1e-12);
    }

    @Test
    void fractionalAndCartesianAreInverse() {
        Lattice l = Lattice.fromParameters(5.0, 6.0, 7.0, 70.0, 80.0, 100.0);
        double[] f = {0.1, 0.7, 0.35};
        assertArrayEquals(f, l.toFractional(l.toCartesian(f)), 1e-12);
        double a = 5.0 * 6.0 * 7.0;
        double ca = Math.cos(Math.toRadians(70)), cb = Math.cos(Math.toRadians(80)), cg = Math.cos(Math.toRadians(100));
        double v = a * Math.sqrt(1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg);
        assertEquals(v, l.volume(), 1e-9);
    }
}
