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

    @Test
    void minimumDistancesMatchPymatgen() throws Exception {
        List<String> bad = new ArrayList<>();
        double maxErr = 0, maxErrSites = 0;
        List<CSVRecord> rows = OracleRows.geometry();
        for (int row = 0; row < rows.size(); row++) {
            CSVRecord r = rows.get(row);
            Structure s = OracleRows.geometryStructures().get(row);
            double pbc = s.minimumPeriodicDistance();
            maxErr = Math.max(maxErr, Math.abs(pbc - Double.parseDouble(r.get("min_dist_pbc"))));
            // 1e-6 Å plus half a unit of the oracle's 6th decimal
            if (!OracleRows.close(pbc, r.get("min_dist_pbc"), 0) || Math.abs(pbc - Double.parseDouble(r.get("min_dist_pbc"))) > 1.5e-6) {
                bad.add(r.get("id") + " min_dist_pbc " + pbc + " vs " + r.get("min_dist_pbc"));
            }
            double between = s.minDistanceBetweenSites();
            if (r.get("min_dist_between_sites").isEmpty()) {
                if (!Double.isNaN(between)) bad.add(r.get("id") + " expected no between-sites distance");
            } else {
                double e = Double.parseDouble(r.get("min_dist_between_sites"));
                maxErrSites = Math.max(maxErrSites, Math.abs(between - e));
                if (Math.abs(between - e) > 1.5e-6) bad.add(r.get("id") + " min_dist_between_sites " + between + " vs " + e);
            }
        }
        System.out.printf("min distance max |error|: pbc %.2e, between sites %.2e%n", maxErr, maxErrSites);
        assertTrue(bad.isEmpty(), bad.size() + " mismatches, first: " + bad.subList(0, Math.min(10, bad.size())));
    }

    /**
     * niggli.csv records the structure exactly as pymatgen's CifParser returned it (species order, frac coords): the
     * reader must agree bit for bit on coordinates and order, and on the lattice matrix to 1e-12 Å.
     */
    @Test
    void siteOrderAndCoordinatesEqualPymatgenParse() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> bad = new ArrayList<>();
        int n = 0;
        double maxLat = 0;
        for (CSVRecord r : OracleRows.read(org.concdvae.testutil.SharedData.path("oracles/graphs/niggli.csv"))) {
            Structure s = CifReader.readOne(r.get("cif"), r.get("id"));
            com.fasterxml.jackson.databind.JsonNode in = json.readTree(r.get("input_structure"));
            n++;
            if (s.size() != in.get("species").size()) {
                bad.add(r.get("id") + " size");
                continue;
            }
            for (int i = 0; i < s.size(); i++) {
                if (!s.element(i).symbol().equals(in.get("species").get(i).asText())) {
                    bad.add(r.get("id") + " species order at " + i);
                    break;
                }
                for (int k = 0; k < 3; k++) {
                    if (s.fracCoord(i)[k] != in.get("frac_coords").get(i).get(k).asDouble()) {
                        bad.add(r.get("id") + " frac " + i + "," + k + " " + s.fracCoord(i)[k] + " vs "
                                + in.get("frac_coords").get(i).get(k).asDouble());
                    }
                }
            }
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 3; k++) {
                    maxLat = Math.max(maxLat, Math.abs(s.lattice().get(i, k) - in.get("lattice_matrix").get(i).get(k).asDouble()));
                }
            }
        }
        System.out.printf("niggli.csv inputs: %d structures, max |lattice matrix difference| %.2e A%n", n, maxLat);
        assertEquals(1239, n, "public part of niggli.csv");
        assertTrue(maxLat < 1e-12, "lattice matrix differs by " + maxLat);
        assertTrue(bad.isEmpty(), bad.size() + " mismatches, first: " + bad.subList(0, Math.min(10, bad.size())));
    }
}
