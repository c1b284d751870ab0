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

    /** Duplicate detection is bucketed, so a large P1 cell parses in linear time (6 000 sites in a fraction of a second
     * of work on one core; the bound here is loose for loaded CI machines). */
    @Test
    void largeP1CellsParseQuickly() {
        java.util.Random rnd = new java.util.Random(5);
        int n = 6_000;
        int[] z = new int[n];
        double[][] f = new double[n][];
        for (int i = 0; i < n; i++) {
            z[i] = 6 + (i % 3);
            f[i] = new double[]{(i % 40 + 0.5) / 40 + 1e-3 * rnd.nextDouble(), ((i / 40) % 25 + 0.5) / 25,
                    (i / 1000 + 0.5) / 6};
        }
        Structure s = new Structure(Lattice.fromParameters(80, 50, 40, 90, 90, 90), z, f);
        String text = CifWriter.write(s);
        long t0 = System.nanoTime();
        Structure back = CifReader.readOne(text, "big");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(n, back.size());
        assertTrue(seconds < 20, "took " + seconds + " s");
        // two rows 5e-5 apart are one position for the reader (pymatgen site_tolerance 1e-4)
        String dup = text + "  C  C99999  1  " + CifWriter.fixed8(f[0][0] + 5e-5) + "  " + CifWriter.fixed8(f[0][1])
                + "  " + CifWriter.fixed8(f[0][2]) + "  1.0\n";
        InvalidStructureException e = assertThrows(InvalidStructureException.class, () -> CifReader.readOne(dup, "dup"));
        assertTrue(e.getMessage().contains("duplicate or mixed-species site"), e.getMessage());
    }

    /** Flat, skewed and degenerate cells: the exact search stays bounded and agrees with a brute-force count. */
    @Test
    void minimumDistanceOnDistortedCells() {
        // the same crystal (simple cubic a = 3, one atom) in a badly skewed cell: rows M·L with M unimodular
        double[][] skew = {{1, 7, 3}, {0, 1, 5}, {0, 0, 1}};
        double[][] m = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) m[i][j] = 3 * skew[i][j];
        Structure sc = new Structure(Lattice.fromMatrix(m), new int[]{6}, new double[][]{{0.1, 0.2, 0.3}});
        assertEquals(3.0, sc.minimumPeriodicDistance(), 1e-9);
        assertTrue(Double.isNaN(sc.minDistanceBetweenSites()));
        // two atoms in that skewed cell: 0.5·(3,3,3) apart in Cartesian terms -> between-sites distance 3·√3/2
        Lattice l = Lattice.fromMatrix(m);
        double[] f2 = l.toFractional(new double[]{1.5, 1.5, 1.5});
        Structure two = new Structure(l, new int[]{6, 6}, new double[][]{{0, 0, 0}, f2});
        assertEquals(1.5 * Math.sqrt(3), two.minDistanceBetweenSites(), 1e-9);
        assertEquals(1.5 * Math.sqrt(3), two.minimumPeriodicDistance(), 1e-9);
        double[][] dm = two.distanceMatrix();
        assertEquals(0.0, dm[0][0], 0.0);
        assertEquals(dm[0][1], dm[1][0], 0.0);
        assertEquals(1.5 * Math.sqrt(3), dm[0][1], 1e-9);
        // a nearly flat cell: gamma = 179.99° makes a and b almost antiparallel, a + b is a 0.0005 Å lattice vector
        Structure flat = new Structure(Lattice.fromParameters(3, 3, 4, 90, 90, 179.99), new int[]{6},
                new double[][]{{0, 0, 0}});
        assertEquals(2 * 3 * Math.sin(Math.toRadians(0.005)), flat.minimumPeriodicDistance(), 1e-9);
        // zero volume: reported as 0 rather than an error
        Structure zero = new Structure(Lattice.fromMatrix(new double[][]{{3, 0, 0}, {0, 3, 0}, {3, 3, 0}}),
                new int[]{6, 8}, new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        assertEquals(0.0, zero.minDistanceBetweenSites(), 0.0);
    }
}
