package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.analysis.CrystalNNFingerprint;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Structure;
import org.concdvae.eval.Coverage;
import org.concdvae.eval.CoverageFingerprints;
import org.concdvae.eval.CoverageOracle;
import org.concdvae.eval.MagpieFingerprint;
import org.concdvae.eval.MagpieFingerprintTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** analyze fingerprint, analyze coverage and evaluate --coverage-reference on oracle crystals (perov5 experiment). */
class CoverageCommandsTest {
    @TempDir
    Path tmp;
    Path tables, ref, gen, genDir;
    JsonNode experiment;

    /** Writes the oracle's perov5:test experiment as reference / generated CSVs and a CIF directory. */
    @BeforeEach
    void setUp() throws IOException {
        tables = MagpieFingerprintTest.tables(Files.createDirectories(tmp.resolve("magpie")), Map.of());
        Map<String, Map<String, String>> rows = new HashMap<>();
        for (Map<String, String> r : CoverageOracle.rows("fingerprints.csv")) rows.put(r.get("id"), r);
        for (Map<String, String> r : CoverageOracle.rows("generated.csv")) rows.put(r.get("id"), r);
        for (JsonNode e : new ObjectMapper().readTree(CoverageOracle.file("coverage.json").toFile()).get("experiments")) {
            if (e.get("name").asText().equals("perov5:test")) experiment = e;
        }
        ref = tmp.resolve("ref.csv");
        gen = tmp.resolve("gen.csv");
        genDir = Files.createDirectories(tmp.resolve("gen"));
        write(ref, experiment.get("ref_ids"), rows);
        write(gen, experiment.get("gen_ids"), rows);
        for (JsonNode id : experiment.get("gen_ids")) {
            Files.writeString(genDir.resolve(id.asText().replace('~', '_') + ".cif"), rows.get(id.asText()).get("cif"));
        }
    }

    private static void write(Path f, JsonNode ids, Map<String, Map<String, String>> rows) throws IOException {
        try (Writer w = Files.newBufferedWriter(f); CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT)) {
            p.printRecord("material_id", "cif");
            for (JsonNode id : ids) p.printRecord(id.asText(), rows.get(id.asText()).get("cif"));
        }
    }

    @Test
    void analyzeFingerprintWritesRawFingerprintsOfEachCrystal() throws Exception {
        Path out = tmp.resolve("fp.csv");
        var r = EvaluateCommandTest.run("analyze", "fingerprint", "--input", ref.toString(), "--output", out.toString(),
                "--magpie-data", tables.toString(), "--threads", "2", "--quiet");
        assertEquals(0, r.code(), r.err());
        List<CSVRecord> rec;
        try (Reader rd = Files.newBufferedReader(out)) {
            rec = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(rd).getRecords();
        }
        assertEquals(experiment.get("ref_ids").size(), rec.size());
        assertEquals(List.of("id", "struct_fp", "comp_fp"), rec.get(0).getParser().getHeaderNames());
        Structure s = CifReader.readOne(firstCif(), "first");
        assertArrayEquals(new CrystalNNFingerprint().structure(s), CoverageOracle.vector(rec.get(0).get("struct_fp")), 0.0);
        assertArrayEquals(MagpieFingerprint.load(tables).featurize(s.atomicNumbers()), CoverageOracle.vector(rec.get(0).get("comp_fp")), 0.0);
    }

    private String firstCif() throws IOException {
        try (Reader rd = Files.newBufferedReader(ref)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(rd).getRecords().get(0).get("cif");
        }
    }

    @Test
    void analyzeCoverageCachesReferenceFingerprintsAndRefusesStaleOnes() throws Exception {
        Path out = tmp.resolve("cov.json");
        String[] args = {"analyze", "coverage", "--generated", genDir.toString(), "--reference", ref.toString(), "--dataset",
                "perov_5", "--output", out.toString(), "--magpie-data", tables.toString(), "--threads", "2", "--quiet"};
        var r = EvaluateCommandTest.run(args);
        assertEquals(0, r.code(), r.err());
        JsonNode first = new ObjectMapper().readTree(out.toFile());
        assertFalse(first.get("reference_fingerprints_cached").asBoolean());
        assertEquals(0.2, first.get("cutoffs").get("struct").asDouble());
        assertEquals(4.0, first.get("cutoffs").get("comp").asDouble());
        assertEquals(experiment.get("n_ref").asInt(), first.get("n_ref").asInt());
        assertEquals(experiment.get("n_gen").asInt(), first.get("n_gen").asInt());
        Path cache = CoverageFingerprints.cacheFile(ref);
        assertTrue(Files.isRegularFile(cache));
        // second run: from the cache, same numbers
        assertEquals(0, EvaluateCommandTest.run(args).code());
        JsonNode second = new ObjectMapper().readTree(out.toFile());
        assertTrue(second.get("reference_fingerprints_cached").asBoolean());
        assertEquals(first.get("cov_recall"), second.get("cov_recall"));
        assertEquals(first.get("amsd_recall"), second.get("amsd_recall"));
        // a damaged cache is not used (and rewritten)
        byte[] b = Files.readAllBytes(cache);
        b[b.length / 2] ^= 1;
        Files.write(cache, b);
        assertEquals(0, EvaluateCommandTest.run(args).code());
        assertFalse(new ObjectMapper().readTree(out.toFile()).get("reference_fingerprints_cached").asBoolean());
        // other tables: stale, recomputed
        Files.writeString(tables.resolve("Number.table"), "1\n".repeat(118));
        assertEquals(0, EvaluateCommandTest.run(args).code());
        assertFalse(new ObjectMapper().readTree(out.toFile()).get("reference_fingerprints_cached").asBoolean());
        // cutoff override
        var o = EvaluateCommandTest.run("analyze", "coverage", "--generated", gen.toString(), "--reference", ref.toString(),
                "--struct-cutoff", "1", "--comp-cutoff", "1000", "--output", out.toString(), "--magpie-data", tables.toString(), "--quiet");
        assertEquals(0, o.code(), o.err());
        JsonNode wide = new ObjectMapper().readTree(out.toFile());
        assertEquals(1.0, wide.get("cutoffs").get("struct").asDouble());
        assertEquals(wide.get("cov_vs_struc_cutoff").get("cov_recall").get(20), wide.get("cov_recall"));
    }

    @Test
    void withoutMagpieTablesCoverageIsOneClearErrorAndNoOutput() throws Exception {
        Path out = tmp.resolve("cov.json");
        var r = EvaluateCommandTest.run("analyze", "coverage", "--generated", gen.toString(), "--reference", ref.toString(),
                "--dataset", "mp20", "--output", out.toString(), "--magpie-data", tmp.resolve("nowhere").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: Magpie data directory not found: ") && r.err().contains("nowhere")
                && r.err().strip().lines().count() == 1, r.err());
        assertFalse(Files.exists(out));
        var d = EvaluateCommandTest.run("analyze", "coverage", "--generated", gen.toString(), "--reference", ref.toString(),
                "--dataset", "perovskites", "--output", out.toString(), "--magpie-data", tables.toString());
        assertEquals(2, d.code());
        assertTrue(d.err().contains("unknown data set 'perovskites'"), d.err());
        var e = EvaluateCommandTest.run("evaluate", "--samples", genDir.toString(), "--out", tmp.resolve("ev").toString(),
                "--coverage-reference", ref.toString());
        assertEquals(2, e.code());
        assertTrue(e.err().contains("--coverage-dataset"), e.err());
        var m = EvaluateCommandTest.run("evaluate", "--samples", genDir.toString(), "--out", tmp.resolve("ev").toString(),
                "--magpie-data", tables.toString());
        assertEquals(2, m.code());
        assertTrue(m.err().contains("--magpie-data needs --coverage-reference"), m.err());
    }

    @Test
    void evaluateReportsCoverageWithCutoffsAndPlot() throws Exception {
        Path out = tmp.resolve("eval");
        var r = EvaluateCommandTest.run("evaluate", "--samples", genDir.toString(), "--out", out.toString(),
                "--coverage-reference", ref.toString(), "--coverage-dataset", "perov_5", "--magpie-data", tables.toString(),
                "--threads", "2", "--quiet");
        assertEquals(0, r.code(), r.err());
        JsonNode cov = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("coverage");
        assertEquals("perov_5", cov.get("dataset").asText());
        assertEquals(0.2, cov.get("cutoffs").get("struct").asDouble());
        assertEquals(experiment.get("n_gen").asInt(), cov.get("n_gen").asInt());
        // the same as analyze coverage on the same crystals
        Path json = tmp.resolve("cov.json");
        assertEquals(0, EvaluateCommandTest.run("analyze", "coverage", "--generated", genDir.toString(), "--reference", ref.toString(),
                "--dataset", "perov_5", "--output", json.toString(), "--magpie-data", tables.toString(), "--quiet").code());
        JsonNode direct = new ObjectMapper().readTree(json.toFile());
        for (String k : new String[]{"cov_recall", "cov_precision", "amsd_recall", "amcd_precision", "wdist_density"}) {
            assertEquals(direct.get(k), cov.get(k), k);
        }
        assertTrue(Files.size(out.resolve("coverage_vs_struct_cutoff.png")) > 1000);
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("## Coverage (CDVAE)") && report.contains("cov_recall") && report.contains("structure 0.2"), report);
    }

    /** With matminer's tables provided, the command-line numbers from the CIFs equal CDVAE's. */
    @Test
    void withProvidedMagpieTablesAnalyzeCoverageEqualsCdvae() throws Exception {
        Path real = MagpieFingerprintTest.magpieTables();
        Path out = tmp.resolve("cov.json");
        var r = EvaluateCommandTest.run("analyze", "coverage", "--generated", gen.toString(), "--reference", ref.toString(),
                "--dataset", "perov_5", "--output", out.toString(), "--magpie-data", real.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        JsonNode got = new ObjectMapper().readTree(out.toFile());
        assertEquals(experiment.get("metrics").get("cov_recall").asDouble(), got.get("cov_recall").asDouble());
        assertEquals(experiment.get("metrics").get("cov_precision").asDouble(), got.get("cov_precision").asDouble());
        List<Double> curve = new ArrayList<>();
        got.get("cov_vs_struc_cutoff").get("cov_recall").forEach(x -> curve.add(x.asDouble()));
        List<Double> want = new ArrayList<>();
        experiment.get("cov_vs_struc_cutoff").get("cov_recall").forEach(x -> want.add(x.asDouble()));
        assertEquals(want, curve);
    }
}
