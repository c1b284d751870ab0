package org.concdvae.crystal;

import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompositionTest {
    private static Composition of(Object... symbolCount) {
        java.util.Map<Integer, Integer> m = new java.util.HashMap<>();
        for (int i = 0; i < symbolCount.length; i += 2) {
            m.put(Element.fromSymbol((String) symbolCount[i]).z(), (Integer) symbolCount[i + 1]);
        }
        return Composition.of(m);
    }

    @Test
    void pymatgenSpecialCases() {
        assertEquals("SrTiO3", of("O", 6, "Ti", 2, "Sr", 2).reducedFormula());
        assertEquals("O2", of("O", 4).reducedFormula());
        assertEquals("H2O2", of("H", 2, "O", 2).reducedFormula());
        assertEquals("LiO2", of("Li", 2, "O", 2).reducedFormula());
        assertEquals("Li2O", of("Li", 4, "O", 2).reducedFormula());
        assertEquals("Ca3(PO4)2", of("Ca", 3, "P", 2, "O", 8).reducedFormula());
        assertEquals("Li3PO4", of("Li", 6, "P", 2, "O", 8).reducedFormula());
        assertEquals("C", of("C", 18).reducedFormula());
        assertEquals("Sr2 Ti2 O6", of("O", 6, "Ti", 2, "Sr", 2).formulaWithSpaces());
        assertEquals("Sr2Ti2O6", of("O", 6, "Ti", 2, "Sr", 2).formula());
        assertEquals(Map.of(8, 3, 22, 1, 38, 1), of("O", 6, "Ti", 2, "Sr", 2).reduced().counts());
    }

    @Test
    void reducedFormulaEqualsPymatgenForEveryOracleRow() throws Exception {
        List<String> bad = new ArrayList<>();
        int n = 0;
        List<CSVRecord> rows = OracleRows.geometry();
        for (int row = 0; row < rows.size(); row++) {
            CSVRecord r = rows.get(row);
            Structure s = OracleRows.geometryStructures().get(row);
            String f = s.composition().reducedFormula();
            n++;
            if (!f.equals(r.get("formula"))) bad.add(r.get("id") + " " + f + " vs " + r.get("formula"));
            if (s.composition().numElements() != Integer.parseInt(r.get("n_elements"))) bad.add(r.get("id") + " n_elements");
        }
        assertEquals(4322, n);
        assertTrue(bad.isEmpty(), bad.size() + " mismatches, first: " + bad.subList(0, Math.min(10, bad.size())));
    }
}
