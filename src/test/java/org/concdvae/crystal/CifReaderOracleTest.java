package org.concdvae.crystal;

import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reader against pymatgen 2022.11.7's answers in ../shared/oracles/geometry.csv (4322 public rows). */
class CifReaderOracleTest {
    @Test
    void latticeVolumeAndSiteCountMatchPymatgenForEveryRow() throws Exception {
        List<CSVRecord> rows = OracleRows.geometry();
        assertEquals(4322, rows.size());
        List<String> bad = new ArrayList<>();
        String[] cols = {"a", "b", "c", "alpha", "beta", "gamma"};
        for (CSVRecord r : rows) {
            Structure s = CifReader.readOne(r.get("cif"), r.get("id"));
            if (s.size() != Integer.parseInt(r.get("n_sites"))) bad.add(r.get("id") + " n_sites " + s.size());
            double[] p = s.lattice().parameters();
            for (int k = 0; k < 6; k++) {
                // tolerance: relative 1e-6 plus half a unit of the 6th printed decimal
                if (!OracleRows.close(p[k], r.get(cols[k]), 1e-6)) bad.add(r.get("id") + " " + cols[k] + " " + p[k]);
            }
            if (!OracleRows.close(s.volume(), r.get("volume"), 1e-6)) bad.add(r.get("id") + " volume " + s.volume());
        }
        assertTrue(bad.isEmpty(), bad.size() + " mismatches, first: " + bad.subList(0, Math.min(10, bad.size())));
    }
}
