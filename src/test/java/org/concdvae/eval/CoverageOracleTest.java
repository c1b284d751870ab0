package org.concdvae.eval;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.concdvae.analysis.CrystalNNFingerprint;
import org.concdvae.util.Parallel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COV-R / COV-P / AMSD / AMCD and the coverage-vs-structure-cutoff curves of every oracle experiment
 * (coverage.json, computed by CDVAE's compute_cov).
 */
class CoverageOracleTest {
    private static final JsonMapper PY = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** One experiment: its data set, cutoffs, ids and recorded results. */
    record Experiment(String name, String dataset, Coverage.Cutoffs cutoffs, List<String> refIds, List<String> genIds,
                      JsonNode metrics, JsonNode curve) {}

    static List<Experiment> experiments() {
        try {
            JsonNode root = PY.readTree(Files.readString(CoverageOracle.file("coverage.json")));
            List<Experiment> out = new ArrayList<>();
            for (JsonNode e : root.get("experiments")) {
                List<String> ref = new ArrayList<>(), gen = new ArrayList<>();
                e.get("ref_ids").forEach(x -> ref.add(x.asText()));
                e.get("gen_ids").forEach(x -> gen.add(x.asText()));
                out.add(new Experiment(e.get("name").asText(), e.get("dataset").asText(),
                        new Coverage.Cutoffs(e.get("struc_cutoff").asDouble(), e.get("comp_cutoff").asDouble()), ref, gen,
                        e.get("metrics"), e.get("cov_vs_struc_cutoff")));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All oracle crystals by id (real and generated rows). */
    static Map<String, Map<String, String>> crystals() {
        Map<String, Map<String, String>> m = new HashMap<>();
        for (Map<String, String> r : CoverageOracle.rows("fingerprints.csv")) m.put(r.get("id"), r);
        for (Map<String, String> r : CoverageOracle.rows("generated.csv")) m.put(r.get("id"), r);
        return m;
    }

    /** The oracle's recorded fingerprints (empty lists: fingerprinting failed). */
    static Coverage.Fingerprint recorded(Map<String, String> row) {
        double[] s = CoverageOracle.vector(row.get("struct_fp").isEmpty() ? "[]" : row.get("struct_fp"));
        double[] c = CoverageOracle.vector(row.get("comp_fp").isEmpty() ? "[]" : row.get("comp_fp"));
        return s.length == 0 || c.length == 0 ? Coverage.Fingerprint.FAILED : new Coverage.Fingerprint(s, c);
    }

    static void checkAll(Function<String, Coverage.Fingerprint> fp, List<Experiment> exps, boolean exactAverages) {
        List<String> bad = new ArrayList<>();
        for (Experiment e : exps) {
            List<Coverage.Fingerprint> ref = e.refIds().stream().map(fp).toList();
            List<Coverage.Fingerprint> gen = e.genIds().stream().map(fp).toList();
            Coverage.Result r = Coverage.compute(gen, ref, e.cutoffs(), 2);
            JsonNode m = e.metrics();
            if (r.covRecall() != m.get("cov_recall").asDouble()) bad.add(e.name() + " COV-R " + r.covRecall() + " vs " + m.get("cov_recall"));
            if (r.covPrecision() != m.get("cov_precision").asDouble()) bad.add(e.name() + " COV-P " + r.covPrecision() + " vs " + m.get("cov_precision"));
            // own fingerprints: the few bcc-order disagreements (StructureFingerprintOracleTest) move AMSD by ~1e-6
            double tol = exactAverages ? 1e-12 : 1e-5;
            for (String k : new String[]{"amsd_recall", "amsd_precision", "amcd_recall", "amcd_precision"}) {
                double got = switch (k) {
                    case "amsd_recall" -> r.amsdRecall();
                    case "amsd_precision" -> r.amsdPrecision();
                    case "amcd_recall" -> r.amcdRecall();
                    default -> r.amcdPrecision();
                };
                double want = m.get(k).asDouble();
                if (Math.abs(got - want) > tol * Math.max(1, Math.abs(want))) bad.add(e.name() + " " + k + " " + got + " vs " + want);
            }
            double[][] curve = r.curve();
            for (int i = 0; i < curve[0].length; i++) {
                assertEquals(e.curve().get("struc_cutoffs").get(i).asDouble(), Coverage.Result.curveCutoffs()[i]);
                if (curve[0][i] != e.curve().get("cov_recall").get(i).asDouble()
                        || curve[1][i] != e.curve().get("cov_precision").get(i).asDouble()) {
                    bad.add(e.name() + " curve at s=" + Coverage.Result.curveCutoffs()[i]);
                }
            }
        }
        assertTrue(bad.isEmpty(), bad.size() + " differences:\n" + String.join("\n", bad));
    }

    @Test
    void computeCovOnRecordedFingerprintsEqualsCdvae() {
        Map<String, Map<String, String>> rows = crystals();
        List<Experiment> exps = experiments();
        assertTrue(exps.size() >= 30, "experiments: " + exps.size());
        checkAll(id -> recorded(rows.get(id)), exps, true);
    }

    /** Our structure fingerprints (recorded composition fingerprints), experiments of the given data sets. */
    static void withOwnStructureFingerprints(java.util.Set<String> datasets) {
        withOwnFingerprints(datasets, null);
    }

    /** Our structure fingerprints, and our composition fingerprints too when {@code magpie} is given. */
    static void withOwnFingerprints(java.util.Set<String> datasets, MagpieFingerprint magpie) {
        Map<String, Map<String, String>> rows = crystals();
        List<Experiment> exps = experiments().stream().filter(e -> datasets.contains(e.dataset())).toList();
        List<String> ids = new ArrayList<>(new java.util.TreeSet<>(exps.stream()
                .flatMap(e -> java.util.stream.Stream.concat(e.refIds().stream(), e.genIds().stream())).toList()));
        CrystalNNFingerprint cnn = new CrystalNNFingerprint();
        Coverage.Fingerprint[] fps = new Coverage.Fingerprint[ids.size()];
        Parallel.forEach(ids.size(), Math.max(1, Runtime.getRuntime().availableProcessors()), i -> {
            Coverage.Fingerprint rec = recorded(rows.get(ids.get(i)));
            // pymatgen's Qhull failures are taken as recorded (a Java Voronoi may succeed on those cells)
            if (!rec.ok()) {
                fps[i] = rec;
                return;
            }
            var s = CoverageOracle.structure(rows.get(ids.get(i)).get("structure_json"));
            fps[i] = new Coverage.Fingerprint(cnn.structure(s), magpie == null ? rec.comp() : magpie.featurize(s.atomicNumbers()));
        });
        Map<String, Coverage.Fingerprint> byId = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) byId.put(ids.get(i), fps[i]);
        checkAll(byId::get, exps, false);
    }

    @Test
    void ownStructureFingerprintsGiveCdvaesCoverageOnPerovskitesAndCarbon() {
        withOwnStructureFingerprints(java.util.Set.of("perov5", "carbon24"));
    }

    @Test
    @Tag("slow")
    void ownStructureFingerprintsGiveCdvaesCoverageOnMp20() {
        withOwnStructureFingerprints(java.util.Set.of("mp20"));
    }

    @Test
    @Tag("slow")
    void ownStructureAndCompositionFingerprintsGiveCdvaesCoverage() {
        MagpieFingerprint magpie = MagpieFingerprint.load(MagpieFingerprintTest.magpieTables());
        withOwnFingerprints(java.util.Set.of("mp20", "perov5", "carbon24"), magpie);
    }

    /** The property EMDs and the valid count of every experiment, from the exact structures and recorded fingerprints. */
    @Test
    void propertyEmdsOfValidGeneratedCrystalsEqualCdvae() {
        Map<String, Map<String, String>> rows = crystals();
        Map<String, Map<String, String>> csv = new HashMap<>();
        for (Map<String, String> r : CoverageOracle.rows("coverage.csv")) csv.put(r.get("name"), r);
        List<String> bad = new ArrayList<>();
        for (Experiment e : experiments()) {
            Function<String, org.concdvae.io.StructureSource.Entry> entry = id -> {
                Map<String, String> r = rows.get(id);
                return r.get("structure_json").isEmpty() ? new org.concdvae.io.StructureSource.Entry(id, null, "no structure", "")
                        : new org.concdvae.io.StructureSource.Entry(id, CoverageOracle.structure(r.get("structure_json")), null, "");
            };
            CoverageReport rep = CoverageReport.compute(e.dataset(), e.cutoffs(), e.genIds().stream().map(entry).toList(),
                    e.genIds().stream().map(id -> recorded(rows.get(id))).toList(), e.refIds().stream().map(entry).toList(),
                    e.refIds().stream().map(id -> recorded(rows.get(id))).toList(), 2);
            Map<String, String> want = csv.get(e.name());
            if (rep.nGenValid() != Integer.parseInt(want.get("n_gen_valid"))) bad.add(e.name() + " n_gen_valid " + rep.nGenValid() + " vs " + want.get("n_gen_valid"));
            if (!close(rep.wdistDensity(), want.get("wdist_density"))) bad.add(e.name() + " wdist_density " + rep.wdistDensity() + " vs " + want.get("wdist_density"));
            if (!close(rep.wdistNumElems(), want.get("wdist_num_elems"))) bad.add(e.name() + " wdist_num_elems " + rep.wdistNumElems() + " vs " + want.get("wdist_num_elems"));
            if (rep.result().covRecall() != Double.parseDouble(want.get("cov_recall"))) bad.add(e.name() + " cov_recall in coverage.csv");
        }
        assertTrue(bad.isEmpty(), bad.size() + " differences:\n" + String.join("\n", bad));
    }

    /** Within 1e-9 relative; an empty oracle cell (no value) must be NaN here. */
    private static boolean close(double got, String want) {
        if (want.isEmpty() || want.equalsIgnoreCase("nan")) return Double.isNaN(got);
        double w = Double.parseDouble(want);
        return Math.abs(got - w) <= 1e-9 * Math.max(1, Math.abs(w));
    }
}
