package org.concdvae.crystal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** POSCAR text round trip through PoscarWriter, Cartesian and volume-scaled input, and one-line errors. */
class PoscarReaderTest {
    @Test
    void roundTripOfTheWriter() {
        Lattice l = Lattice.fromParameters(4.1, 5.2, 6.3, 80, 95, 110);
        Structure s = new Structure(l, new int[]{8, 38, 8, 22, 8}, new double[][]{{0.1, 0.2, 0.3}, {0, 0, 0}, {0.5, 0.5, 0.1},
                {0.5, 0.5, 0.5}, {0.9, 0.05, 0.7}});
        String text = PoscarWriter.write(s);
        assertTrue(text.split("\n")[5].trim().matches("O Sr Ti"), "VASP 5 species line: " + text);
        Structure r = PoscarReader.read(text, "x");
        assertEquals(s.composition(), r.composition());
        assertArrayEquals(s.lattice().parameters(), r.lattice().parameters(), 1e-12);
        // sites grouped by element in order of first appearance: O, O, O, Sr, Ti
        assertArrayEquals(new double[]{0.9, 0.05, 0.7}, r.fracCoord(2), 1e-15);
        assertArrayEquals(new double[]{0.5, 0.5, 0.5}, r.fracCoord(4), 1e-15);
    }

    @Test
    void cartesianAndNegativeScale() {
        String text = "NaCl\n-64.0\n2 0 0\n0 2 0\n0 0 2\nNa Cl\n1 1\nCartesian\n0 0 0\n1 1 1\n";
        Structure r = PoscarReader.read(text, "x");
        assertEquals(64.0, r.volume(), 1e-9);
        assertArrayEquals(new double[]{0.5, 0.5, 0.5}, r.fracCoord(1), 1e-12);
        InvalidStructureException e = assertThrows(InvalidStructureException.class,
                () -> PoscarReader.read("x\n1.0\n2 0 0\n0 2 0\n0 0 2\n1 1\nDirect\n0 0 0\n", "old.vasp"));
        assertTrue(e.getMessage().startsWith("old.vasp: VASP 4"), e.getMessage());
        assertThrows(InvalidStructureException.class, () -> PoscarReader.read("x\n1.0\n2 0 0\n0 2 0\n0 0 2\nNa\n2\nDirect\n0 0 0\n", "short"));
    }
}
