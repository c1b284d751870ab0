package org.concdvae.analysis;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Composition;
import org.concdvae.crystal.Element;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidityTest {
    /** Elements beyond SMACT's table (Z > 100) have no oxidation state and are not metals: composition invalid. */
    @Test
    void elementsBeyondSmactAreCompositionInvalid() {
        org.junit.jupiter.api.Assertions.assertFalse(Validity.compositionValid(
                org.concdvae.crystal.Composition.of(new int[]{104, 8, 8})));
        org.junit.jupiter.api.Assertions.assertTrue(Double.isNaN(Validity.paulingElectronegativity(104)));
        org.junit.jupiter.api.Assertions.assertTrue(Validity.compositionValid(
                org.concdvae.crystal.Composition.of(new int[]{11, 17})));
    }

    @Test
    void structuralValidityEqualsCdvaeOnTheGeometryOracle() throws Exception {
        int rows = 0, agree = 0, invalid = 0;
        List<String> bad = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(SharedData.path("oracles/geometry.csv"));
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            for (CSVRecord rec : p) {
                rows++;
                Structure s = CifReader.readOne(rec.get("cif"), rec.get("id"));
                Validity.Result v = Validity.check(s);
                boolean want = Boolean.parseBoolean(rec.get("cdvae_struct_valid").toLowerCase());
                if (!want) invalid++;
                if (v.structValid() == want) agree++; else bad.add(rec.get("id"));
                String md = rec.get("min_dist_between_sites");
                if (md.isEmpty()) assertTrue(Double.isNaN(v.minDist()), rec.get("id") + " one-site cell");
                else assertEquals(Double.parseDouble(md), v.minDist(), 1e-6, rec.get("id") + " min distance");
            }
        }
        System.out.printf("validity oracle: %d structures (%d invalid), struct_valid agrees %d%n", rows, invalid, agree);
        assertTrue(rows > 4000 && invalid > 10);
        assertEquals(rows, agree, "exact agreement, disagreements: " + bad);
    }

    @Test
    void compositionalValidityOnHandCheckedFormulas() {
        // charge neutral with a cation less electronegative than the anion
        assertTrue(valid("NaCl"));
        assertTrue(valid("CaTiO3"));
        assertTrue(valid("SiO2"));
        assertTrue(valid("Na2O"));
        assertTrue(valid("Fe2O3"));
        assertTrue(valid("LiFePO4"));
        // no neutral combination of SMACT oxidation states
        assertFalse(valid("NaCl2"));
        assertFalse(valid("LiF2"));
        assertFalse(valid("CaO3"), "Ca +1/+2, O -2..+2: no neutral 1:3 combination with a Pauling-valid sign pattern");
        // a noble gas without oxidation states cannot balance anything
        assertFalse(valid("ArF"));
        // single elements and all-metal compositions (alloys) are valid
        assertTrue(valid("C"));
        assertTrue(valid("Fe3Ni"));
        assertTrue(valid("Cu3Au"));
        // SMACT 2.2 has no Pauling value for Kr: the comparison raises TypeError in Python, which CDVAE counts as a pass
        assertTrue(valid("KrF2"));
        // counts are reduced by their gcd first, as CDVAE does
        assertEquals(valid("NaCl"), valid("Na4Cl4"));
    }

    @Test
    void paulingTestFollowsSmactPairOrder() {
        assertTrue(Validity.paulingTest(new int[]{1, -1}, new double[]{0.93, 3.16}));
        assertFalse(Validity.paulingTest(new int[]{1, -1}, new double[]{3.16, 0.93}));
        assertFalse(Validity.paulingTest(new int[]{-1, 1}, new double[]{0.93, 3.16}));
        // a missing value in a pair that is not compared fails; in a compared pair it passes (TypeError)
        assertFalse(Validity.paulingTest(new int[]{1, 1}, new double[]{Double.NaN, 1.0}));
        assertTrue(Validity.paulingTest(new int[]{1, -1}, new double[]{Double.NaN, 1.0}));
    }

    @Test
    void smactDataAreLoaded() {
        assertEquals(List.of(-1, 1), Validity.oxidationStates(1));
        assertEquals(List.of(-2, -1, 1, 2), Validity.oxidationStates(8));
        assertEquals(3.44, Validity.paulingElectronegativity(8), 0.0);
        assertTrue(Double.isNaN(Validity.paulingElectronegativity(2)));
        assertEquals(0.33, Validity.paulingElectronegativity(40), 0.0, "SMACT 2.2 tabulates Zr as 0.33");
    }

    @Test
    void structuralCutoffsAreCdvaes() {
        Lattice cubic = Lattice.fromParameters(4, 4, 4, 90, 90, 90);
        Structure close = new Structure(cubic, new int[]{11, 17}, new double[][]{{0, 0, 0}, {0.1, 0, 0}});
        assertFalse(Validity.check(close).structValid(), "0.4 Å apart");
        Structure fine = new Structure(cubic, new int[]{11, 17}, new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        assertTrue(Validity.check(fine).valid());
        Structure single = new Structure(Lattice.fromParameters(0.4, 0.4, 0.4, 90, 90, 90), new int[]{6}, new double[][]{{0, 0, 0}});
        assertFalse(Validity.check(single).structValid(), "volume 0.064 Å³ < 0.1");
        Structure oneSite = new Structure(Lattice.fromParameters(0.45, 3, 3, 90, 90, 90), new int[]{6}, new double[][]{{0, 0, 0}});
        assertTrue(Validity.check(oneSite).structValid(), "own images are ignored, as in CDVAE");
    }

    private static boolean valid(String formula) {
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        Matcher m = Pattern.compile("([A-Z][a-z]?)(\\d*)").matcher(formula);
        while (m.find()) counts.merge(Element.fromSymbol(m.group(1)).z(), m.group(2).isEmpty() ? 1 : Integer.parseInt(m.group(2)), Integer::sum);
        return Validity.compositionValid(Composition.of(counts));
    }
}
