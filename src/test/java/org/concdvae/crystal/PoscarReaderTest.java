package org.concdvae.crystal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VASP POSCAR/CONTCAR: VASP 5 and 4 species, scale factors, Direct/Cartesian, selective dynamics, refusals. */
class PoscarReaderTest {
    private static final String VASP5 = """
            NaCl rock salt
            1.0
              5.64 0.0 0.0
              0.0 5.64 0.0
              0.0 0.0 5.64
              Na Cl
              1 1
            Direct
              0.0 0.0 0.0
              0.5 0.5 0.5
            """;

    private static Structure read(String text) {
        return PoscarReader.read(text, "POSCAR", null);
    }

    private static String error(String text, String species) {
        return assertThrows(InvalidStructureException.class, () -> PoscarReader.read(text, "POSCAR", species)).getMessage();
    }

    @Test
    void vasp5() {
        Structure s = read(VASP5);
        assertArrayEquals(new int[]{11, 17}, s.atomicNumbers());
        assertEquals(5.64 * 5.64 * 5.64, s.volume(), 1e-9);
        assertArrayEquals(new double[]{0.5, 0.5, 0.5}, s.fracCoord(1), 0);
    }

    @Test
    void potcarSuffixesInTheSpeciesLine() {
        Structure s = read(VASP5.replace("  Na Cl", "  Na_pv Cl/a1b2c3"));
        assertArrayEquals(new int[]{11, 17}, s.atomicNumbers());
        assertArrayEquals(new int[]{11, 17}, read(VASP5.replace("  Na Cl", "  Na Cl # species")).atomicNumbers());
    }

    @Test
    void scaleFactorAndNegativeVolume() {
        Structure s = read(VASP5.replace("1.0\n", "2.0\n").replace("5.64", "2.82"));
        assertEquals(5.64 * 5.64 * 5.64, s.volume(), 1e-9);
        // a negative scale is the target volume
        Structure v = read(VASP5.replace("1.0\n", "-100.0\n"));
        assertEquals(100.0, v.volume(), 1e-9);
        assertArrayEquals(new double[]{0.5, 0.5, 0.5}, v.fracCoord(1), 1e-12);
        Structure three = read(VASP5.replace("1.0\n", "1.0 2.0 0.5\n"));
        assertEquals(5.64 * 11.28 * 2.82, three.volume(), 1e-9);
    }

    @Test
    void cartesianPositionsAreScaledToo() {
        String cart = VASP5.replace("1.0\n", "2.0\n").replace("5.64", "2.82").replace("Direct", "Cartesian")
                .replace("0.5 0.5 0.5", "1.41 1.41 1.41");
        Structure s = read(cart);
        assertArrayEquals(new double[]{0.5, 0.5, 0.5}, s.fracCoord(1), 1e-12);
        // 'K' (Kartesisch) is Cartesian as well
        assertArrayEquals(new double[]{0.5, 0.5, 0.5}, read(cart.replace("Cartesian", "K")).fracCoord(1), 1e-12);
    }

    @Test
    void selectiveDynamicsAndContcarVelocities() {
        String sd = VASP5.replace("Direct\n", "Selective dynamics\nDirect\n")
                .replace("0.0 0.0 0.0\n", "0.0 0.0 0.0 T T F\n").replace("0.5 0.5 0.5\n", "0.5 0.5 0.5 F F F\n")
                + "\n  0.1 0.2 0.3\n  0.0 0.0 0.0\n";
        Structure s = read(sd);
        assertEquals(2, s.size());
        assertArrayEquals(new double[]{0.5, 0.5, 0.5}, s.fracCoord(1), 0);
        assertTrue(error(sd.replace("T T F", "T T"), null).contains("selective dynamics needs 3 T/F flags"));
        assertTrue(error(sd.replace("T T F", "T T X"), null).contains("flag 'X' is not T or F"));
    }

    @Test
    void vasp4SpeciesFromNamesCommentLineOrGivenSymbols() {
        String vasp4 = VASP5.replace("  Na Cl\n", "");
        // names after the coordinates
        Structure named = read(vasp4.replace("0.0 0.0 0.0\n", "0.0 0.0 0.0 Na\n").replace("0.5 0.5 0.5\n", "0.5 0.5 0.5 Cl\n"));
        assertArrayEquals(new int[]{11, 17}, named.atomicNumbers());
        // the comment line, when it is exactly one symbol per count
        assertArrayEquals(new int[]{19, 35}, read(vasp4.replace("NaCl rock salt", "K Br")).atomicNumbers());
        // given symbols, or stand-in types
        assertArrayEquals(new int[]{3, 9}, PoscarReader.read(vasp4, "POSCAR", "Li F").atomicNumbers());
        assertArrayEquals(new int[]{1, 2}, PoscarReader.read(vasp4, "POSCAR", "types").atomicNumbers());
        // a '#' comment with a site number is not a name
        String numbered = vasp4.replace("0.0 0.0 0.0\n", "0.0 0.0 0.0 # 1\n");
        String msg = error(numbered, null);
        assertTrue(msg.contains("VASP 4 POSCAR without species") && msg.contains(PoscarReader.VASP4_SPECIES_ENV), msg);
        assertTrue(error(vasp4, "Li").contains("is not 2 element symbols (or 'types')"));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "1.0\\n|0.0\\n|line 2: scale factor is 0",
            "  Na Cl\\n|  Na Xx\\n|unknown element 'Xx' in the species line",
            "  1 1\\n|  1 1 1\\n|2 species but 3 atom counts",
            "  1 1\\n|  1 -1\\n|negative atom count -1",
            "Direct\\n|\\n|expected 'Direct' or 'Cartesian'",
            "  0.5 0.5 0.5\\n|  0.5 abc 0.5\\n|coordinate 'abc' is not a number",
            "  0.0 0.0 5.64|  0.0 0.0 0.0|zero volume",
    })
    void refusals(String from, String to, String expected) {
        String bad = VASP5.replace(from.replace("\\n", "\n"), to.replace("\\n", "\n"));
        String msg = error(bad, null);
        assertTrue(msg.startsWith("POSCAR"), msg);
        assertTrue(msg.contains(expected), msg);
    }

    @Test
    void truncatedAndEmpty() {
        assertTrue(error(VASP5.substring(0, VASP5.indexOf("  0.5 0.5 0.5")), null).contains("file ends before the position of site 2 of 2"));
        assertTrue(error("", null).contains("empty POSCAR"));
    }
}
