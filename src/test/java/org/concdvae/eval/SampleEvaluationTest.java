package org.concdvae.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.analysis.Validity;
import org.concdvae.cli.Main;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.CifWriter;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end: six crystals (five MP-20 test rows, one copy, one with overlapping atoms) in two target groups, against
 * a three-crystal reference; the summary's numbers are checked against values worked out by hand.
 */
class SampleEvaluationTest {
    @TempDir
    static Path tmp;
    static List<CSVRecord> rows = new ArrayList<>();

    @BeforeAll
    static void readData() throws Exception {
        try (Reader r = Files.newBufferedReader(SharedData.path("data/mp20-sample/test.csv"));
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setAllowMissingColumnNames(true).build().parse(r)) {
            for (CSVRecord rec : p) {
                rows.add(rec);
                if (rows.size() == 6) break;
            }
        }
    }

    /** Sample dir: row0, dup (= row0), bad (Na–Cl 0.05 Å) → group "bg zero"; rows 1, 3, 5 → group "tetragonal". */
    static Path sampleDir() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("samples"));
        Files.writeString(dir.resolve("s0.cif"), rows.get(0).get("cif"));
        Files.writeString(dir.resolve("s0dup.cif"), rows.get(0).get("cif"));
        Structure bad = new Structure(Lattice.fromParameters(5, 5, 5, 90, 90, 90), new int[]{11, 17}, new double[][]{{0, 0, 0}, {0.01, 0, 0}});
        Files.writeString(dir.resolve("sbad.cif"), CifWriter.write(bad));
        for (int k : new int[]{1, 3, 5}) Files.writeString(dir.resolve("s" + k + ".cif"), rows.get(k).get("cif"));
        StringWriter w = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT)) {
            p.printRecord("id", "target_group", "band_gap", "crystal_system");
            for (String id : List.of("s0", "s0dup", "sbad")) p.printRecord(id, "bg zero", "0", "");
            for (String id : List.of("s1", "s3", "s5")) p.printRecord(id, "tetragonal", "", "4");
        }
        Files.writeString(dir.resolve("samples.csv"), w.toString());
        return dir;
    }

    static Path referenceCsv() throws Exception {
        StringWriter w = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT)) {
            p.printRecord("material_id", "cif");
            for (int k = 0; k < 3; k++) p.printRecord(rows.get(k).get("material_id"), rows.get(k).get("cif"));
        }
        Path f = tmp.resolve("reference.csv");
        Files.writeString(f, w.toString());
        return f;
    }

    @Test
    void wassersteinMatchesScipy() {
        assertEquals(5.0, PropertyEmd.wasserstein(new double[]{0, 1, 3}, new double[]{5, 6, 8}), 1e-12); // scipy docs example
        assertEquals(0.5, PropertyEmd.wasserstein(new double[]{1, 2}, new double[]{1, 2, 3}), 1e-12);   // 1/6 + 1/3
        assertEquals(0.0, PropertyEmd.wasserstein(new double[]{2, 1}, new double[]{1, 2}), 1e-12);
    }

    @Test
    void endToEndSummaryMatchesHandComputedNumbers() throws Exception {
        Path samples = sampleDir();
        Path out = tmp.resolve("eval");
        Path ev = SharedData.path("evaluators");
        int code = new CommandLine(new Main()).execute("evaluate", "--samples", samples.toString(), "--reference", referenceCsv().toString(),
                "--evaluators", ev.resolve("mpall20_Cbg").toString(), ev.resolve("mpall20_bg").toString(), ev.resolve("mpall20_fm").toString(),
                "--atom-features", ev.resolve("atom_init.json").toString(), "--out", out.toString(), "--quiet", "--threads", "2");
        assertEquals(0, code);
        JsonNode m = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("metrics");
        JsonNode all = m.get("all");

        // structural validity: only sbad fails (0.05 Å apart) → 5/6
        assertEquals(100.0 * 5 / 6, all.get("struct_validity").asDouble(), 1e-9);
        // compositional validity from SMACT per crystal (five real crystals + NaCl, which is charge neutral)
        List<Structure> real = new ArrayList<>();
        for (int k : new int[]{0, 0, 1, 3, 5}) real.add(CifReader.readOne(rows.get(k).get("cif"), "row " + k));
        long comp = real.stream().filter(s -> Validity.check(s).compValid()).count() + 1;
        assertEquals(100.0 * comp / 6, all.get("comp_validity").asDouble(), 1e-9);
        // uniqueness: 5 structurally valid, s0dup repeats s0 → 4 groups
        assertEquals(80.0, all.get("uniqueness").asDouble(), 1e-9);
        // novelty: s0, s0dup, s1 are in the reference (rows 0–2); s3, s5 are not → 2/5
        assertEquals(40.0, all.get("novelty").asDouble(), 1e-9);
        // crystal-system success: s3 (P4/mmm... sg 129) and s5 (sg 123) tetragonal, s1 (sg 62) orthorhombic → 2/3
        assertEquals(100.0 * 2 / 3, m.get("tetragonal").get("success_crystal_system").asDouble(), 1e-9);
        // n_elements EMD of valid samples vs reference {4, 3, 3}: Σ_k |F_u(k) − F_v(k)| for integer supports
        List<Integer> u = new ArrayList<>();
        for (int i = 0; i < real.size(); i++) {
            if (Validity.check(real.get(i)).valid()) u.add(real.get(i).composition().numElements());
        }
        // (sbad is structurally invalid, so it is not part of the EMD)
        int[] v = {4, 3, 3};
        double emd = 0;
        for (int k = 1; k < 10; k++) {
            final int kk = k;
            double fu = u.stream().filter(x -> x <= kk).count() / (double) u.size();
            double fv = java.util.Arrays.stream(v).filter(x -> x <= kk).count() / (double) v.length;
            emd += Math.abs(fu - fv);
        }
        assertEquals(emd, all.get("n_elements_emd").asDouble(), 1e-9);

        // class success of "bg zero" = share of that group's rows whose class-1 probability is < 0.5
        List<CSVRecord> csv;
        try (Reader r = Files.newBufferedReader(out.resolve("evaluation.csv"));
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            csv = p.getRecords();
        }
        assertEquals(6, csv.size());
        long zero = csv.stream().filter(r -> r.get("target_group").equals("bg zero") && Double.parseDouble(r.get("mpall20_Cbg_p1")) < 0.5).count();
        assertEquals(100.0 * zero / 3, m.get("bg zero").get("success_bg_class").asDouble(), 1e-9);
        for (CSVRecord r : csv) {
            double bg = Double.parseDouble(r.get("mpall20_bg"));
            assertTrue(bg > -1 && bg < 10, "band gap prediction in a physical range: " + bg);
        }

        for (String png : List.of("hist_mpall20_bg.png", "hist_mpall20_fm.png", "scatter_bg_fe.png", "crystal_systems.png")) {
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(img, png + " decodes as PNG");
            assertEquals(EvaluationPlots.WIDTH, img.getWidth());
            assertEquals(EvaluationPlots.HEIGHT, img.getHeight());
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("success_crystal_system") && report.contains("COV-R"), report);
    }

    @Test
    void withoutEvaluatorsOrReferenceStillReportsValidityAndSymmetry() throws Exception {
        Path samples = sampleDir();
        Path out = tmp.resolve("eval-bare");
        int code = new CommandLine(new Main()).execute("evaluate", "--samples", samples.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, code);
        JsonNode root = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(100.0 * 5 / 6, root.get("metrics").get("all").get("struct_validity").asDouble(), 1e-9);
        assertTrue(root.get("metrics").get("all").get("novelty").isNull());
        assertTrue(root.get("metrics").get("bg zero").get("success_bg_class").isNull());
        assertEquals(100.0 * 2 / 3, root.get("metrics").get("tetragonal").get("success_crystal_system").asDouble(), 1e-9);
        assertTrue(root.get("notes").toString().contains("No --evaluators"));
    }
}
