package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.config.ConfigLoader;
import org.concdvae.data.CrystalCache;
import org.concdvae.data.LatticeScaler;
import org.concdvae.io.InvalidInputException;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PreprocessCommandTest {
    final StringWriter out = new StringWriter(), err = new StringWriter();

    int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void exampleRunsWritesCachesAndIsDeterministic(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        assertEquals(ExitCode.OK, run("preprocess", "--example", "--out", a.toString(), "-q", "--threads", "2"), err.toString());
        assertEquals(ExitCode.OK, run("preprocess", "--example", "--out", b.toString(), "--threads", "1"), err.toString());
        assertTrue(out.toString().contains("read 12, kept 12, rejected 0"), out.toString());
        for (String f : List.of("train.cache", "val.cache", "test.cache", "lattice_scaler.txt", "rejects.csv", "summary.json", "config.yaml")) {
            assertTrue(Files.exists(a.resolve(f)), f);
        }
        for (String f : List.of("train.cache", "val.cache", "test.cache")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f + " identical for the same seed and any --threads");
        }
        String settings = CrystalCache.settings(ConfigLoader.resolve("tiny", List.of()));
        int total = 0;
        for (String f : List.of("train.cache", "val.cache", "test.cache")) total += CrystalCache.read(a.resolve(f), settings).crystals().size();
        assertEquals(12, total);
        JsonNode s = new ObjectMapper().readTree(a.resolve("summary.json").toFile());
        assertEquals(10, s.get("splits").get("train").asInt());
        assertEquals(12, s.get("inputs").get(0).get("kept").asInt());
        LatticeScaler.read(a.resolve("lattice_scaler.txt"));
        // the saved config reloads to the same configuration
        assertEquals(ConfigLoader.resolve("tiny", List.of()), ConfigLoader.load(a.resolve("config.yaml"), List.of()));

        String other = CrystalCache.settings(ConfigLoader.resolve("tiny", List.of("data.graph_method=none")));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CrystalCache.read(a.resolve("train.cache"), other));
        assertTrue(e.getMessage().contains("data.graph_method"), e.getMessage());
    }

    @Test
    void badRowsGoToRejectsWithoutStrict(@TempDir Path tmp) throws IOException {
        Path o = tmp.resolve("o");
        assertEquals(ExitCode.OK, run("preprocess", "--config", "tiny", "--input", "src/test/resources/bad-input/preprocess/bad_cif.csv",
                "--out", o.toString(), "-q"), err.toString());
        List<String> rejects = Files.readAllLines(o.resolve("rejects.csv"));
        assertEquals("file,row,id,reason", rejects.get(0));
        assertTrue(rejects.get(1).startsWith("bad_cif.csv,2,bad-cif,\"bad_cif: "), rejects.get(1));
        // a NaN property is kept as it comes: the model config decides at training time whether it matters
        Path n = tmp.resolve("n");
        assertEquals(ExitCode.OK, run("preprocess", "--config", "tiny", "--input", "src/test/resources/bad-input/preprocess/nan_property.csv",
                "--out", n.toString(), "-q", "--set", "data.split={train: 1.0, val: 0.0, test: 0.0}"), err.toString());
        assertEquals(List.of("file,row,id,reason"), Files.readAllLines(n.resolve("rejects.csv")));
        CrystalCache.Contents c = CrystalCache.read(n.resolve("train.cache"), null);
        assertEquals(List.of("formation_energy_per_atom"), c.properties());
        assertEquals(2, c.crystals().size());
        assertTrue(c.crystals().stream().anyMatch(x -> Double.isNaN(x.properties()[0])));
    }

    @Test
    void mptestWithItsOwnSplitsAndMinimumDistanceGraphs(@TempDir Path tmp) {
        Path d = SharedData.path("data/mptest");
        Path o = tmp.resolve("m");
        assertEquals(ExitCode.OK, run("preprocess", "--config", "mptest", "--input", d.resolve("train.csv").toString(),
                "--val", d.resolve("val.csv").toString(), "--test", d.resolve("test.csv").toString(), "--out", o.toString(), "-q"), err.toString());
        CrystalCache.Contents c = CrystalCache.read(o.resolve("train.cache"), CrystalCache.settings(ConfigLoader.resolve("mptest", List.of())));
        assertEquals(49, c.crystals().size());
        // every numeric column as it comes (the text columns pretty_formula and elements are dropped)
        assertEquals(List.of("formation_energy_per_atom", "band_gap", "e_above_hull", "spacegroup.number", "BG_type", "FM_type", "CS_type"),
                c.properties());
        assertTrue(c.crystals().stream().allMatch(x -> x.numEdges() > 0 && x.numEdges() % 2 == 0));
    }
}
