package org.concdvae.analysis;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Agreement with pymatgen 2022.11.7 on ../shared/oracles/matcher.csv (875 public pairs): fit, fit reversed and
 * get_rms_dist at the default settings and at CDVAE's (ltol 0.3, stol 0.5, angle_tol 10).
 */
class StructureMatcherOracleTest {
    /** The oracle rounds rms and max_dist to 8 decimals; agreement is asserted to 1e-3 as the acceptance asks. */
    private static final double RMS_TOL = 1e-3;

    private record Tally(String name, int[] counts, double[] maxErr, List<String> misses) {
        Tally(String name) { this(name, new int[6], new double[1], new ArrayList<>()); }
    }

    @Test
    void agreesWithPymatgenOnThePublicPairs() throws Exception {
        StructureMatcher def = new StructureMatcher();
        StructureMatcher cdvae = StructureMatcher.cdvae();
        Tally d = new Tally("default"), c = new Tally("cdvae");
        int rows = 0, reversedOk = 0;
        try (Reader r = Files.newBufferedReader(SharedData.path("oracles/matcher.csv"));
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            for (CSVRecord rec : p) {
                rows++;
                Structure a = CifReader.readOne(rec.get("cif_a"), rec.get("id_a"));
                Structure b = CifReader.readOne(rec.get("cif_b"), rec.get("id_b"));
                StructureMatcher.Prepared pa = def.prepare(a), pb = def.prepare(b);
                compare(d, def, pa, pb, rec, "fit", "rms_norm", "max_dist_norm");
                compare(c, cdvae, pa, pb, rec, "fit_cdvae", "rms_norm_cdvae", "max_dist_norm_cdvae");
                if (def.fit(pb, pa) == Boolean.parseBoolean(rec.get("fit_reversed").toLowerCase())) reversedOk++;
            }
        }
        for (Tally t : List.of(d, c)) {
            System.out.printf("matcher oracle (%s): %d pairs, fit agrees %d, rms present/absent agrees %d, rms within %.0e %d of %d "
                    + "(max |error| %.2e); misses %s%n", t.name, rows, t.counts[0], t.counts[1], RMS_TOL, t.counts[2], t.counts[3],
                    t.maxErr[0], t.misses);
        }
        System.out.printf("matcher oracle: fit(b, a) agrees %d of %d%n", reversedOk, rows);
        assertTrue(rows >= 800, "oracle rows");
        for (Tally t : List.of(d, c)) {
            assertTrue(t.counts[0] >= 0.995 * rows, t.name + " fit agreement " + t.counts[0] + "/" + rows);
            assertTrue(t.counts[1] >= 0.995 * rows, t.name + " get_rms_dist None agreement " + t.counts[1] + "/" + rows);
            assertTrue(t.counts[2] >= 0.995 * t.counts[3], t.name + " rms within tolerance " + t.counts[2] + "/" + t.counts[3]);
            assertTrue(t.counts[4] > 0 && t.counts[5] == t.counts[4], t.name + " rms within tolerance on pairs both call a fit: "
                    + t.counts[5] + "/" + t.counts[4]);
        }
        assertTrue(reversedOk >= 0.995 * rows, "fit(b, a) agreement " + reversedOk);
    }

    private static void compare(Tally t, StructureMatcher m, StructureMatcher.Prepared a, StructureMatcher.Prepared b,
                                CSVRecord rec, String fitCol, String rmsCol, String maxCol) {
        String id = rec.get("pair_id");
        boolean want = Boolean.parseBoolean(rec.get(fitCol).toLowerCase());
        boolean got = m.fit(a, b);
        if (got == want) t.counts[0]++; else t.misses.add(id + " " + fitCol);
        StructureMatcher.RmsDist rd = m.getRmsDist(a, b);
        String wr = rec.get(rmsCol);
        if ((rd != null) == !wr.isEmpty()) t.counts[1]++; else t.misses.add(id + " " + rmsCol + " presence");
        if (rd != null && !wr.isEmpty()) {
            t.counts[3]++;
            double e = Math.max(Math.abs(rd.rms() - Double.parseDouble(wr)), Math.abs(rd.maxDist() - Double.parseDouble(rec.get(maxCol))));
            t.maxErr[0] = Math.max(t.maxErr[0], e);
            if (e <= RMS_TOL) t.counts[2]++; else t.misses.add(id + " " + rmsCol + " error " + e);
            if (want && got) {
                t.counts[4]++;
                if (e <= RMS_TOL) t.counts[5]++;
            }
        }
    }
}
