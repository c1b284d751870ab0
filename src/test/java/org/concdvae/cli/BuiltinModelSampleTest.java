package org.concdvae.cli;

import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Structure;
import org.concdvae.model.ModelDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.concdvae.cli.SampleCommandTest.checkOutputs;
import static org.concdvae.cli.SampleCommandTest.exec;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The built-in model (models/mp20-small, packed as classpath resources): {@code sample} without {@code --model} loads
 * it and writes crystals whose CIFs parse back, with every strategy (a reduced Langevin schedule: 2 steps per level);
 * unknown built-in names and missing directories are one-line errors.
 */
class BuiltinModelSampleTest {
    static final String[] FAST = {"--n-step-each", "2", "--quiet", "--threads", "2", "--seed", "7"};

    static String[] args(String... a) {
        String[] all = new String[a.length + FAST.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(FAST, 0, all, a.length, FAST.length);
        return all;
    }

    @Test
    void defaultStrategyWithoutModelOption(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("gen");
        Cli.Result r = exec(args("sample", "--fe", "-2", "--bg", "1", "-n", "2", "--candidates", "4", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        List<CSVRecord> rows = checkOutputs(out, 2);
        int parsed = 0;
        for (CSVRecord row : rows) {
            assertEquals(-2.0, Double.parseDouble(row.get("cond_formation_energy_per_atom")), 1e-12);
            assertEquals(1.0, Double.parseDouble(row.get("cond_band_gap")), 1e-12);
            int n = Integer.parseInt(row.get("num_atoms"));
            assertTrue(n >= 1 && n <= 20, "the trained atom-count head predicts 1-20 atoms: " + n);
            Path cif = out.resolve("cifs").resolve(row.get("id") + ".cif");
            Structure s = CifReader.readAll(Files.readString(cif), cif.toString()).get(0);
            assertEquals(n, s.size());
            assertTrue(s.volume() > 1.0 * n, "a trained lattice head gives a cell of a few Å^3 per atom or more: " + s.volume());
            parsed++;
        }
        assertEquals(2, parsed);
        String run = Files.readString(out.resolve("run.json"));
        assertTrue(run.contains("\"model\" : \"built-in model " + ModelDirectory.BUILTIN + "\""), run);
        assertFalse(run.contains(System.getProperty("java.io.tmpdir")), "no temporary path in the run record");
        // the run record names no temporary path, so a finished built-in run resumes (and changes nothing)
        String csv = Files.readString(out.resolve("samples.csv"));
        r = exec(args("sample", "--fe", "-2", "--bg", "1", "-n", "2", "--candidates", "4", "--out", out.toString(), "--resume"));
        assertEquals(0, r.code(), r.err());
        assertEquals(csv, Files.readString(out.resolve("samples.csv")));
    }

    @Test
    void fullAndLessStrategies(@TempDir Path tmp) throws IOException {
        Path full = tmp.resolve("full");
        Cli.Result r = exec(args("sample", "--model", ModelDirectory.BUILTIN, "--strategy", "full", "--targets",
                write(tmp.resolve("t.csv"), "label,crystal_system,spacegroup,formation_energy_per_atom,band_gap,e_above_hull,n_atom\n"
                        + "rocksalt,cubic,225,-2.0,1.5,0.0,8\n").toString(), "-n", "1", "--candidates", "2", "--out", full.toString()));
        assertEquals(0, r.code(), r.err());
        checkOutputs(full, 1);

        // less: the missing conditions come from the model's own table of training conditions (prior_full-reference.csv)
        Path less = tmp.resolve("less");
        r = exec(args("sample", "--strategy", "less", "--cs", "cubic", "-n", "1", "--candidates", "2", "--out", less.toString()));
        assertEquals(0, r.code(), r.err());
        CSVRecord row = checkOutputs(less, 1).get(0);
        assertEquals(6, (int) Double.parseDouble(row.get("cond_crystal_system")));
        int sg = (int) Double.parseDouble(row.get("cond_spacegroup"));
        assertTrue(sg >= 195 && sg <= 230, "a cubic training row supplies a cubic space group: " + sg);
        assertTrue(Files.readString(less.resolve("run.json")).contains("prior_full-reference.csv"));
    }

    @Test
    void errors(@TempDir Path tmp) {
        // the default prior needs both of its conditions
        Cli.Result r = exec(args("sample", "--fe", "-2", "-n", "1", "--out", tmp.resolve("a").toString()));
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
        assertTrue(r.err().contains("band_gap"), r.err());
        r = exec(args("sample", "--model", tmp.resolve("nope").toString(), "--fe", "-2", "--bg", "0", "--out", tmp.resolve("b").toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model directory not found"), r.err());
    }

    private static Path write(Path f, String text) throws IOException {
        Files.writeString(f, text);
        return f;
    }
}
