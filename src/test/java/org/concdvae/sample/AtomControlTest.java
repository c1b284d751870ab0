package org.concdvae.sample;

import org.concdvae.io.InvalidInputException;
import org.concdvae.model.ElementFeatures;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Z from the atom-count head among the multiples that fit data.max_atoms; fixed types; bad combinations. */
class AtomControlTest {
    static double[] logits(int width, int peak, int second) {
        double[] l = new double[width];
        for (int i = 0; i < width; i++) l[i] = -i * 0.01;
        l[peak] = 5;
        l[second] = 4;
        return l;
    }

    @Test
    void zIsTheMostLikelyMultipleThatFits() {
        AtomControl c = AtomControl.composition(ElementFeatures.parseFormula("SrTiO3"), null, 20);
        // the head's favourite, 7 atoms, is no multiple of 5; among 5, 10, 15, 20 it prefers 15
        assertEquals(15, c.numAtoms(logits(21, 7, 15)));
        // 20 fits data.max_atoms 20; 25 would not, even if the head were wider
        assertEquals(20, c.numAtoms(logits(30, 25, 20)));
        // ties: the smaller cell
        double[] flat = new double[21];
        assertEquals(5, c.numAtoms(flat));
        assertEquals(10, AtomControl.composition(ElementFeatures.parseFormula("SrTiO3"), 2, 20).numAtoms(flat));
    }

    @Test
    void typesAreTheFormulaTimesZ() {
        AtomControl c = AtomControl.composition(ElementFeatures.parseFormula("TiSrO3"), null, 20);
        assertArrayEquals(new int[]{8, 8, 8, 8, 8, 8, 22, 22, 38, 38}, c.types(10));
        assertTrue(c.fixesTypes());
        assertThrows(IllegalArgumentException.class, () -> c.types(7));
        AtomControl n = AtomControl.atoms(7);
        assertEquals(7, n.numAtoms(new double[21]));
        assertFalse(n.fixesTypes());
        assertTrue(AtomControl.NONE.free());
    }

    @Test
    void impossibleRequestsAreErrors() {
        // 21 atoms per formula unit cannot fit max_atoms 20 without an explicit Z
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> AtomControl.composition(ElementFeatures.parseFormula("Ca7Ti7O7"), null, 20));
        assertTrue(e.getMessage().contains("--z"), e.getMessage());
        assertEquals(21, AtomControl.composition(ElementFeatures.parseFormula("Ca7Ti7O7"), 1, 20).numAtoms(new double[21]));
        assertThrows(InvalidInputException.class, () -> AtomControl.composition(ElementFeatures.parseFormula("NaCl"), 0, 20));
        assertThrows(InvalidInputException.class, () -> AtomControl.atoms(0));
    }
}
