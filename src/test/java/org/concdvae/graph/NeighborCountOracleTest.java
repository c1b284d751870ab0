package org.concdvae.graph;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Neighbour counts against pymatgen's {@code get_all_neighbors(R)} for R = 4, 6, 8 Å on every structure of
 * ../shared/oracles/geometry.csv (4322 rows). Counts must be equal whenever the oracle's margin |d − R| exceeds 1e-5 Å
 * (where a 1e-7 difference in coordinates could flip a distance, a difference of at most 2 is allowed).
 */
class NeighborCountOracleTest {

    @Test
    void countsMatchPymatgen() throws IOException {
        List<CSVRecord> rows;
        try (Reader r = Files.newBufferedReader(SharedData.path("oracles/geometry.csv"), StandardCharsets.UTF_8)) {
            rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
        int[] radii = {4, 6, 8};
        int compared = 0, exact = 0, nearCutoff = 0;
        List<String> mismatches = new ArrayList<>();
        for (CSVRecord row : rows) {
            Structure s = CifReader.readOne(row.get("cif"), row.get("id"));
            for (int r : radii) {
                int expected = Integer.parseInt(row.get("nbr_count_" + r));
                double margin = Double.parseDouble(row.get("nbr_margin_" + r));
                int got = PeriodicNeighborSearch.find(s, r).size();
                compared++;
                if (got == expected) {
                    exact++;
                } else if (margin < 1e-5) {
                    nearCutoff++;
                    assertTrue(Math.abs(got - expected) <= 2, row.get("id") + " R=" + r + ": " + got + " vs " + expected);
                } else {
                    mismatches.add(row.get("id") + " R=" + r + ": " + got + " vs " + expected + " (margin " + margin + ")");
                }
            }
        }
        System.out.printf("neighbour counts: %d/%d exact, %d differ within 1e-5 Å of the cutoff%n", exact, compared, nearCutoff);
        assertEquals(List.of(), mismatches);
        assertEquals(3 * 4322, compared);
    }
}
