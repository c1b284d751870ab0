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
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzeValidityCommandTest {
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

    @Test
    void writesOneRowPerStructureWithCdvaeValidity() throws Exception {
        Lattice cubic = Lattice.fromParameters(4.0, 4.0, 4.0, 90, 90, 90);
        Structure good = new Structure(cubic, new int[]{55, 17}, new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        Structure tooClose = new Structure(cubic, new int[]{55, 17}, new double[][]{{0, 0, 0}, {0.05, 0, 0}});
        Structure badCharge = new Structure(cubic, new int[]{11, 17, 17}, new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}, {0.5, 0, 0}});
        Path csv = dir.resolve("gen.csv");
        try (Writer w = Files.newBufferedWriter(csv); CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT)) {
            p.printRecord("id", "cif");
            p.printRecord("good", CifWriter.write(good));
            p.printRecord("close", CifWriter.write(tooClose));
            p.printRecord("nacl2", CifWriter.write(badCharge));
            p.printRecord("broken", "not a cif");
        }
        Path outFile = dir.resolve("validity.csv");
        assertEquals(ExitCode.OK, run("analyze", "validity", "--input", csv.toString(), "-o", outFile.toString(), "--threads", "2"), err.toString());
        List<CSVRecord> rows = AnalyzeMatchCommandTest.readCsv(outFile);
        assertEquals(4, rows.size());
        assertEquals(List.of("good", "CsCl", "True", "True", "True"), List.of(rows.get(0).get("id"), rows.get(0).get("formula"),
                rows.get(0).get("struct_valid"), rows.get(0).get("comp_valid"), rows.get(0).get("valid")));
        assertEquals(4.0 * Math.sqrt(3) / 2, Double.parseDouble(rows.get(0).get("min_dist")), 1e-6);
        assertEquals(64.0, Double.parseDouble(rows.get(0).get("volume")), 1e-6);
        assertEquals("False", rows.get(1).get("struct_valid"));
        assertEquals("True", rows.get(1).get("comp_valid"));
        assertEquals("True", rows.get(2).get("struct_valid"));
        assertEquals("False", rows.get(2).get("comp_valid"));
        assertEquals("False", rows.get(3).get("valid"));
        assertFalse(rows.get(3).get("error").isEmpty());
        assertTrue(out.toString().contains("4 structures: struct valid 50.00%, comp valid 50.00%, valid 25.00%"), out.toString());
    }

    @Test
    void missingInputIsAOneLineError() {
        assertEquals(ExitCode.BAD_INPUT, run("analyze", "validity", "--input", dir.resolve("nope").toString(), "-o", dir.resolve("o.csv").toString()));
        assertTrue(err.toString().startsWith("error: "), err.toString());
    }
}
