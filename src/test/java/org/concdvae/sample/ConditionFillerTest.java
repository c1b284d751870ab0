package org.concdvae.sample;

import org.concdvae.config.Config;
import org.concdvae.io.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The three 'less' fills on a five-row reference table: which rows each mode can draw from, and that one-row takes every
 * missing condition from the same row while paper mixes rows.
 */
class ConditionFillerTest {
    static final List<Config.ConditionEmbedding> DEFS = List.of(
            new Config.ConditionEmbedding("class", "crystal_system", null, null, null, 7, 64, null, 64, 3),
            new Config.ConditionEmbedding("class", "spacegroup", null, null, null, 231, 64, null, 64, 3),
            new Config.ConditionEmbedding("scalar", "band_gap", -1.0, 9.0, 0.5, null, null, null, 64, 3),
            new Config.ConditionEmbedding("scalar", "n_atom", 0.0, 20.0, 1.0, null, null, null, 64, 3));

    /** Rows 0-4: (crystal_system, spacegroup, band_gap, n_atom); cubic rows 0, 1, 3; band gaps 1.0, 1.4, 3.0, 1.6, 1.0. */
    static List<Map<String, Object>> table() {
        double[][] v = {{6, 225, 1.0, 8}, {6, 221, 1.4, 5}, {4, 139, 3.0, 10}, {6, 227, 1.6, 2}, {3, 62, 1.0, 20}};
        List<Map<String, Object>> t = new ArrayList<>();
        for (double[] r : v) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("crystal_system", r[0]);
            m.put("spacegroup", r[1]);
            m.put("band_gap", r[2]);
            m.put("n_atom", r[3]);
            t.add(m);
        }
        return t;
    }

    /** The (spacegroup, n_atom) pairs of 2000 draws. */
    static Set<List<Double>> pairs(ConditionFiller f) {
        Set<List<Double>> s = new HashSet<>();
        for (Map<String, Object> m : f.draw(2000, new Random(7))) s.add(List.of((Double) m.get("spacegroup"), (Double) m.get("n_atom")));
        return s;
    }

    static Map<String, Object> target(double cs, double bg) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("crystal_system", cs);
        t.put("band_gap", bg);
        return t;
    }

    @Test
    void paperDrawsEachMissingConditionFromItsOwnMatchingRow() {
        // cubic, band gap 1.2 ± 0.1/2·10 = [0.7, 1.7]: rows 0, 1, 3
        ConditionFiller f = new ConditionFiller(table(), DEFS, target(6, 1.2), ConditionFiller.Mode.FILTERED, 0.1, "t");
        assertEquals(3, f.candidates());
        assertEquals(List.of("spacegroup", "n_atom"), f.missing());
        Set<List<Double>> p = pairs(f);
        assertEquals(9, p.size(), "3 space groups x 3 atom counts, rows mixed: " + p);
        assertTrue(p.contains(List.of(225.0, 2.0)), "row 0's space group with row 3's atom count");
        for (Map<String, Object> m : f.draw(50, new Random(1))) {
            assertEquals(6.0, m.get("crystal_system"));
            assertEquals(1.2, m.get("band_gap"), "given values stay");
        }
    }

    @Test
    void oneRowTakesAllMissingConditionsFromOneMatchingRow() {
        ConditionFiller f = new ConditionFiller(table(), DEFS, target(6, 1.2), ConditionFiller.Mode.ONE_ROW, 0.1, "t");
        assertEquals(Set.of(List.of(225.0, 8.0), List.of(221.0, 5.0), List.of(227.0, 2.0)), pairs(f));
    }

    @Test
    void toleranceIsAnOption() {
        // tolerance 0.02: |bg - 1.2| <= 0.1 admits none of 1.0, 1.4, 1.6; tolerance 0.05: <= 0.25 admits rows 0 and 1
        assertThrows(InvalidInputException.class, () -> new ConditionFiller(table(), DEFS, target(6, 1.2), ConditionFiller.Mode.ONE_ROW, 0.02, "t"));
        ConditionFiller f = new ConditionFiller(table(), DEFS, target(6, 1.2), ConditionFiller.Mode.ONE_ROW, 0.05, "t");
        assertEquals(Set.of(List.of(225.0, 8.0), List.of(221.0, 5.0)), pairs(f));
        // a wide tolerance admits every cubic row, never the others
        f = new ConditionFiller(table(), DEFS, target(6, 1.2), ConditionFiller.Mode.FILTERED, 2.0, "t");
        assertEquals(3, f.candidates());
    }

    @Test
    void randomIgnoresTheGivenConditions() {
        ConditionFiller f = new ConditionFiller(table(), DEFS, target(6, 1.2), ConditionFiller.Mode.RANDOM, 0.1, "t");
        assertEquals(5, f.candidates());
        Set<List<Double>> p = pairs(f);
        assertEquals(25, p.size(), "any row's space group with any row's atom count");
        assertTrue(p.contains(List.of(62.0, 20.0)), "the orthorhombic row too");
    }

    @Test
    void modeNamesOfFlagAndConfigAgree() {
        assertEquals(ConditionFiller.Mode.ONE_ROW, ConditionFiller.Mode.parse("one-row", "--less-fill"));
        assertEquals(ConditionFiller.Mode.ONE_ROW, ConditionFiller.Mode.parse("one_row", "gen.less_mode"));
        assertEquals(ConditionFiller.Mode.FILTERED, ConditionFiller.Mode.parse("paper", "--less-fill"));
        assertEquals(ConditionFiller.Mode.FILTERED, ConditionFiller.Mode.parse("filtered_rows", "gen.less_mode"));
        assertEquals(ConditionFiller.Mode.RANDOM, ConditionFiller.Mode.parse("random_rows", "gen.less_mode"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConditionFiller.Mode.parse("rows", "--less-fill"));
        assertTrue(e.getMessage().startsWith("--less-fill must be one-row, paper or random"), e.getMessage());
    }
}
