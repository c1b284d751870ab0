package org.concdvae.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.CifWriter;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzeMatchCommandTest {
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    static Structure rockSalt(double a, double shift) {
        double[][] f = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5},
                {0.5 + shift, 0, 0}, {0, 0.5, 0}, {0, 0, 0.5}, {0.5, 0.5, 0.5}};
        return new Structure(Lattice.fromParameters(a, a, a, 90, 90, 90), new int[]{11, 11, 11, 11, 17, 17, 17, 17}, f);
    }

    static Structure cesiumChloride(double a) {
        return new Structure(Lattice.fromParameters(a, a, a, 90, 90, 90), new int[]{55, 17}, new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
    }

    static List<CSVRecord> readCsv(Path f) throws Exception {
        try (Reader r = Files.newBufferedReader(f)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
    }

    @Test
    void pairsModeWritesFitRmsAndMaxDistPerPair() throws Exception {
        Path pairs = dir.resolve("pairs.csv");
        try (Writer w = Files.newBufferedWriter(pairs); CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT)) {
            p.printRecord("id_a", "cif_a", "id_b", "cif_b");
            p.printRecord("nacl", CifWriter.write(rockSalt(5.64, 0)), "nacl-big", CifWriter.write(rockSalt(5.9, 0)));
            p.printRecord("nacl", CifWriter.write(rockSalt(5.64, 0)), "nacl-shifted", CifWriter.write(rockSalt(5.64, 0.02)));
            p.printRecord("nacl", CifWriter.write(rockSalt(5.64, 0)), "cscl", CifWriter.write(cesiumChloride(4.1)));
            p.printRecord("bad", "data_x\n_cell_length_a 1\n", "nacl", CifWriter.write(rockSalt(5.64, 0)));
        }
        Path outFile = dir.resolve("out.csv");
        assertEquals(ExitCode.OK, run("analyze", "match", "--pairs", pairs.toString(), "-o", outFile.toString(), "--threads", "2", "-q"),
                err.toString());
        List<CSVRecord> rows = readCsv(outFile);
        assertEquals(4, rows.size());
        assertEquals("True", rows.get(0).get("fit"));
        assertEquals(0.0, Double.parseDouble(rows.get(0).get("rms")), 1e-8, "scaled copy");
        assertEquals("True", rows.get(1).get("fit"));
        assertTrue(Double.parseDouble(rows.get(1).get("rms")) > 0.001);
        assertTrue(Double.parseDouble(rows.get(1).get("max_dist")) >= Double.parseDouble(rows.get(1).get("rms")));
        assertEquals("False", rows.get(2).get("fit"), "rock salt is not CsCl");
        assertEquals("", rows.get(2).get("rms"));
        assertFalse(rows.get(3).get("error").isEmpty(), "an unreadable CIF is reported in its row");
        assertEquals("", rows.get(3).get("fit"));
    }

    @Test
    void generatedAgainstReferenceFindsTheBestMatch() throws Exception {
        Path gen = dir.resolve("gen");
        Path ref = dir.resolve("ref");
        Files.createDirectories(gen);
        Files.createDirectories(ref);
        Files.writeString(gen.resolve("g1.cif"), CifWriter.write(rockSalt(5.7, 0)));
        Files.writeString(gen.resolve("g2.cif"), CifWriter.write(cesiumChloride(4.0)));
        Files.writeString(ref.resolve("r1.cif"), CifWriter.write(cesiumChloride(4.2)));
        Files.writeString(ref.resolve("r2.cif"), CifWriter.write(rockSalt(5.64, 0)));
        Files.writeString(ref.resolve("r3.cif"), CifWriter.write(rockSalt(5.64, 0.03)));
        // 0.1 of the cell (0.56 Å) exceeds the primitive-cell tolerance: an 8-site cell, never a candidate for g1
        Files.writeString(ref.resolve("r4.cif"), CifWriter.write(rockSalt(5.64, 0.1)));
        Path outFile = dir.resolve("best.csv");
        assertEquals(ExitCode.OK, run("analyze", "match", "--generated", gen.toString(), "--reference", ref.toString(),
                "-o", outFile.toString(), "--stol", "0.5", "--ltol", "0.3", "--angle-tol", "10"), err.toString());
        List<CSVRecord> rows = readCsv(outFile);
        assertEquals(2, rows.size());
        assertEquals("g1", rows.get(0).get("id"));
        assertEquals("r2", rows.get(0).get("match_id"), "the exact (rescaled) rock-salt reference");
        assertEquals(0.0, Double.parseDouble(rows.get(0).get("rms")), 1e-8);
        assertEquals("2", rows.get(0).get("candidates"));
        assertEquals("r1", rows.get(1).get("match_id"));
        assertTrue(out.toString().contains("matched 2 (100.0%)"), out.toString());
    }

    @Test
    void badInputsGiveOneLineErrors() throws Exception {
        Path pairs = dir.resolve("nocol.csv");
        Files.writeString(pairs, "id_a,cif_a\nx,y\n");
        assertEquals(ExitCode.BAD_INPUT, run("analyze", "match", "--pairs", pairs.toString(), "-o", dir.resolve("o.csv").toString()));
        assertTrue(err.toString().startsWith("error: ") && err.toString().contains("missing column 'id_b'"), err.toString());
        assertEquals(1, err.toString().trim().split("\n").length, "one line");
        assertFalse(Files.exists(dir.resolve("o.csv")), "no output on failure");
        err.getBuffer().setLength(0);
        assertEquals(ExitCode.BAD_INPUT, run("analyze", "match", "--pairs", pairs.toString(), "-o", dir.resolve("o.csv").toString(),
                "--stol", "-1"));
        assertTrue(err.toString().contains("must be positive"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(ExitCode.BAD_INPUT, run("analyze", "match", "--pairs", dir.resolve("missing.csv").toString(), "-o", "x.csv"));
        assertTrue(err.toString().startsWith("error: "), err.toString());
    }
}
