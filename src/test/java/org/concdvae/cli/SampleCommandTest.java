package org.concdvae.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * End to end on a tiny model (TinyModels.withPriors: train-step1, 1 epoch on 10 crystals, prior_default and prior_full), then
 * sample with each strategy (few Langevin steps) — every CIF parses back with the written atom count and the CSV
 * lists every crystal; the same seed gives identical output, and a bad target is a one-line error.
 */
class SampleCommandTest {
    @TempDir
    static Path root;
    static Path model;
    static String[] quick = {"--n-step-each", "1", "--levels", "2", "--quiet", "--threads", "2"};

    @BeforeAll
    static void train() throws IOException {
        model = TinyModels.withPriors();
    }

    static Cli.Result exec(String... args) { return Cli.exec(args); }

    static String[] args(String... a) {
        return Stream.concat(Stream.of(a), Stream.of(quick)).toArray(String[]::new);
    }

    /** Checks the outputs of a run with n crystals; returns the samples.csv records. */
    static List<CSVRecord> checkOutputs(Path out, int n) throws IOException {
        List<CSVRecord> rows;
        try (CSVParser p = CSVParser.parse(out.resolve("samples.csv"), StandardCharsets.UTF_8,
                CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build())) {
            rows = new ArrayList<>(p.getRecords());
        }
        assertEquals(n, rows.size());
        for (CSVRecord r : rows) {
            int atoms = Integer.parseInt(r.get("num_atoms"));
            Path cif = out.resolve("cifs").resolve(r.get("id") + ".cif");
            if (atoms == 0) {
                assertFalse(Files.exists(cif));
                continue;
            }
            List<Structure> s = CifReader.readAll(Files.readString(cif), cif.toString());
            assertEquals(1, s.size());
            assertEquals(atoms, s.get(0).size(), cif.toString());
            assertEquals(Double.parseDouble(r.get("a")), s.get(0).lattice().lengths()[0], 1e-4);
            // the table carries the same CIF and the Predictor's estimate of every predicted property
            assertEquals(Files.readString(cif), r.get("cif"));
            for (String col : r.getParser().getHeaderNames()) {
                if (col.startsWith("pred_")) assertTrue(Double.isFinite(Double.parseDouble(r.get(col))), col + " = " + r.get(col));
            }
        }
        assertTrue(rows.isEmpty() || rows.get(0).getParser().getHeaderNames().stream().anyMatch(c -> c.startsWith("pred_")));
        assertTrue(Files.readString(out.resolve("run.json")).contains("\"finished\" : true"));
        return rows;
    }

    @Test
    void defaultStrategyIsDeterministic() throws IOException {
        Path a = root.resolve("d1"), b = root.resolve("d2");
        Cli.Result r = exec(args("sample", "--model", model.toString(), "--fe", "-2", "-n", "3", "--candidates", "6",
                "--batch-size", "2", "--out", a.toString(), "--seed", "5"));
        assertEquals(0, r.code(), r.err());
        checkOutputs(a, 3);
        r = exec(args("sample", "--model", model.toString(), "--fe", "-2", "-n", "3", "--candidates", "6",
                "--batch-size", "2", "--out", b.toString(), "--seed", "5"));
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(a.resolve("samples.csv")), Files.readString(b.resolve("samples.csv")));
        assertEquals(Files.readString(a.resolve("samples.extxyz")), Files.readString(b.resolve("samples.extxyz")));
        // resuming a finished run changes nothing; a different option is refused
        r = exec(args("sample", "--model", model.toString(), "--fe", "-2", "-n", "3", "--candidates", "6",
                "--batch-size", "2", "--out", a.toString(), "--seed", "5", "--resume"));
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(b.resolve("samples.csv")), Files.readString(a.resolve("samples.csv")));
        r = exec(args("sample", "--model", model.toString(), "--fe", "-1", "-n", "3", "--out", a.toString(), "--resume"));
        assertEquals(2, r.code());
    }

    @Test
    void fullAndLessStrategies(@TempDir Path tmp) throws IOException {
        Path targets = tmp.resolve("t.csv");
        Files.writeString(targets, "label,crystal_system,spacegroup,formation_energy_per_atom,band_gap,e_above_hull,n_atom\n"
                + "cubic_rock,cubic,225,-2.0,1.5,0.0,8\n");
        Path full = root.resolve("full");
        Cli.Result r = exec(args("sample", "--model", model.toString(), "--strategy", "full", "--targets", targets.toString(),
                "-n", "2", "--candidates", "4", "--out", full.toString()));
        assertEquals(0, r.code(), r.err());
        checkOutputs(full, 2);

        // full needs every condition
        r = exec(args("sample", "--model", model.toString(), "--strategy", "full", "--fe", "-2", "-n", "2", "--out", tmp.resolve("x").toString()));
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
        assertTrue(r.err().contains("--strategy less"), r.err());

        Path less = root.resolve("less"), lessRandom = root.resolve("less_random");
        Path ref = model.getParent().resolve("data/train.csv");
        r = exec(args("sample", "--model", model.toString(), "--strategy", "less", "--cs", "cubic", "-n", "2", "--candidates", "4",
                "--reference", ref.toString(), "--out", lessRandom.toString(), "--less-fill", "random"));
        assertEquals(0, r.code(), r.err());
        checkOutputs(lessRandom, 2);
        // paper rule: rows matching the given formation energy of the first training row
        String fe = firstRowValue(ref, "formation_energy_per_atom");
        r = exec(args("sample", "--model", model.toString(), "--strategy", "less", "--fe", fe, "-n", "2", "--candidates", "2",
                "--reference", ref.toString(), "--out", less.toString()));
        assertEquals(0, r.code(), r.err());
        List<CSVRecord> rows = checkOutputs(less, 2);
        assertEquals(Double.parseDouble(fe), Double.parseDouble(rows.get(0).get("cond_formation_energy_per_atom")), 1e-6);
        assertFalse(rows.get(0).get("cond_spacegroup").isEmpty(), "filled from a reference row");
    }

    @Test
    void badTargetsAreOneLineErrors() {
        for (String[] a : new String[][]{
                {"sample", "--model", model.toString(), "--out", root.resolve("e1").toString()},
                {"sample", "--model", model.toString(), "--cs", "cubicc", "--strategy", "less", "--out", root.resolve("e2").toString()},
                {"sample", "--model", model.toString(), "--sg", "999", "--out", root.resolve("e3").toString()},
                {"sample", "--model", root.resolve("nope").toString(), "--fe", "-1", "--out", root.resolve("e4").toString()}}) {
            Cli.Result r = exec(a);
            assertEquals(2, r.code(), String.join(" ", a));
            assertEquals(1, r.err().strip().split("\n").length, r.err());
        }
    }

    static String firstRowValue(Path csv, String col) throws IOException {
        try (CSVParser p = CSVParser.parse(csv, StandardCharsets.UTF_8, CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build())) {
            return p.iterator().next().get(col);
        }
    }
}
