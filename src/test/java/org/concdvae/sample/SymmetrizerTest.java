package org.concdvae.sample;

import org.concdvae.analysis.symmetry.SpacegroupAnalyzer;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A rock-salt cell with atoms displaced by up to 0.03 Å: P1 at pymatgen's 0.01 Å, Fm-3m at 0.1 Å; the refined CIF
 * lists the two orbits with their multiplicities and the 192 operations, and reads back as the ideal 8-atom cell.
 */
class SymmetrizerTest {
    static Structure noisyRockSalt() {
        double a = 5.64;
        double[][] f = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}, {.5, 0, 0}, {0, .5, 0}, {0, 0, .5}, {.5, .5, .5}};
        int[] z = {11, 11, 11, 11, 17, 17, 17, 17};
        Random r = new Random(3);
        for (double[] p : f) for (int k = 0; k < 3; k++) p[k] += (r.nextDouble() - 0.5) * 0.06 / a;
        return new Structure(Lattice.fromParameters(a, a, a, 90, 90, 90), z, f);
    }

    @Test
    void refinedCifCarriesTheGroupAndReadsBack() {
        Structure s = noisyRockSalt();
        Symmetrizer.Result r = new Symmetrizer(0.1).apply(s, "NaCl_0");
        assertEquals(1, r.spacegroup(), "as generated, at 0.01 Å");
        assertEquals(225, r.spacegroupSymmetrized());
        String cif = r.cif();
        assertTrue(cif.contains("_symmetry_space_group_name_H-M   Fm-3m"), cif);
        assertTrue(cif.contains("_symmetry_Int_Tables_number   225"), cif);
        assertEquals(192, cif.lines().filter(l -> l.matches("\\s+\\d+\\s+'.*'")).count(), "192 operations of Fm-3m in the conventional cell");
        assertEquals(2, cif.lines().filter(l -> l.trim().matches("(Na|Cl)\\d?\\s+\\S+\\s+4\\s+.*")).count(), "two orbits of multiplicity 4: " + cif);
        Structure back = CifReader.readOne(cif, "sym.cif");
        assertEquals(8, back.size());
        assertEquals(s.composition(), back.composition());
        assertEquals(225, new SpacegroupAnalyzer(back, 1e-4, 5).getSpaceGroupNumber(), "exact positions");
        // the input is untouched
        assertNotEquals(0.0, s.fracCoord(0)[0]);
    }
}
