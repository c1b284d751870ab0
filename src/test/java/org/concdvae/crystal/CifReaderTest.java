package org.concdvae.crystal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** General (non-P1) CIFs: symmetry expansion, uncertainties, several blocks, text fields, oxidation-state labels. */
class CifReaderTest {
    static String resource(String name) throws IOException {
        try (InputStream in = CifReaderTest.class.getResourceAsStream("cif/" + name)) {
            if (in == null) throw new IOException("missing test resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int count(Structure s, String symbol) {
        return (int) Arrays.stream(s.atomicNumbers()).filter(z -> Element.of(z).symbol().equals(symbol)).count();
    }

    @Test
    void rockSaltFromFm3mOperationsHasEightSites() throws IOException {
        Structure s = CifReader.readOne(resource("nacl_fm-3m.cif"), "nacl_fm-3m.cif");
        assertEquals(8, s.size());
        assertEquals(4, count(s, "Na"));
        assertEquals(4, count(s, "Cl"));
        assertEquals(5.6402 * 5.6402 * 5.6402, s.volume(), 1e-9);
        // pymatgen order: Na (0.93) before Cl (3.16); Na images of (0,0,0) are the four fcc translations
        assertEquals("Na", s.element(0).symbol());
        assertEquals("Cl", s.element(7).symbol());
        for (int i = 0; i < 8; i++) {
            for (double x : s.fracCoord(i)) assertTrue(x == 0.0 || x == 0.5, "coordinate " + x);
        }
        // nearest Na-Cl distance is a/2
        assertEquals(5.6402 / 2, s.minimumPeriodicDistance(), 1e-9);
    }

    @Test
    void uncertaintiesTextFieldsAndLabelSpecies() throws IOException {
        Structure s = CifReader.readOne(resource("rutile_uncertainties.cif"), "rutile.cif");
        assertEquals(6, s.size());
        assertEquals(2, count(s, "Ti"));
        assertEquals(4, count(s, "O"));
        assertArrayEquals(new double[]{4.5937, 4.5937, 2.9587, 90, 90, 90}, s.lattice().parameters(), 1e-9);
        // O at 4f (x, x, 0): images (x,x,0), (-x,-x,0), (1/2+x, 1/2-x, 1/2), (1/2-x, 1/2+x, 1/2)
        double[][] o = new double[4][];
        int k = 0;
        for (int i = 0; i < s.size(); i++) if (s.element(i).symbol().equals("O")) o[k++] = s.fracCoord(i);
        assertArrayEquals(new double[]{0.3049, 0.3049, 0}, o[0], 1e-12);
        assertArrayEquals(new double[]{1 - 0.3049, 1 - 0.3049, 0}, o[1], 1e-12);
        assertArrayEquals(new double[]{0.5 - 0.3049, 0.5 + 0.3049, 0.5}, o[2], 1e-12);
        assertArrayEquals(new double[]{0.5 + 0.3049, 0.5 - 0.3049, 0.5}, o[3], 1e-12);
    }

    @Test
    void multipleBlocksSkipMetadataAndSnapThirds() throws IOException {
        String text = resource("multi_block.cif");
        List<Structure> all = CifReader.readAll(text, "multi_block.cif");
        assertEquals(List.of("CsCl", "ZnO_wurtzite"),
                CifReader.readBlocks(text, "multi_block.cif").stream().map(CifReader.Block::name).toList());
        assertEquals(2, all.size());
        assertEquals(2, all.get(0).size());
        Structure zno = all.get(1);
        assertEquals(4, zno.size(), "wurtzite: 2 Zn + 2 O (0.3333/0.6667 snapped to thirds, oxidation labels read)");
        assertEquals(2, count(zno, "Zn"));
        assertEquals("Zn", zno.element(0).symbol());
        assertEquals(1.0 / 3.0, zno.fracCoord(0)[0], 0.0);
        assertEquals(2.0 / 3.0, zno.fracCoord(0)[1], 0.0);
        assertEquals(120.0, zno.lattice().parameters()[5], 1e-9);
        assertEquals(CifReader.readOne(text, "x").size(), 2, "readOne takes the first crystal block");
    }

    @Test
    void symmetryOperationStrings() {
        SymmetryOperation op = SymmetryOperation.parse("-y+1/2, X-y, 0.25+z");
        assertArrayEquals(new double[]{0.5 - 0.2, 0.1 - 0.2, 0.55}, op.apply(new double[]{0.1, 0.2, 0.3}), 1e-12);
        assertTrue(SymmetryOperation.parse("x,y,z").isIdentity());
        assertThrows(IllegalArgumentException.class, () -> SymmetryOperation.parse("x,y"));
        assertThrows(IllegalArgumentException.class, () -> SymmetryOperation.parse("x,y,w"));
        assertThrows(IllegalArgumentException.class, () -> SymmetryOperation.parse("x,y,z+"));
    }

    @Test
    void uncertaintyNumbers() {
        assertEquals(1.234, CifReader.parseNumber("1.234(5)"), 0);
        assertEquals(90.0, CifReader.parseNumber("90."), 0);
        assertEquals(-0.5, CifReader.parseNumber("-.5"), 0);
        assertEquals(1.5e-3, CifReader.parseNumber("1.5e-3(2)"), 0);
        assertThrows(NumberFormatException.class, () -> CifReader.parseNumber("NaN"));
        assertThrows(NumberFormatException.class, () -> CifReader.parseNumber("0x10"));
        assertThrows(NumberFormatException.class, () -> CifReader.parseNumber("abc"));
    }
}
