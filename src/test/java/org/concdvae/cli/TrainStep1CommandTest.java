package org.concdvae.cli;

import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code concdvae train-step1} end to end on a very small run, and its bad-input errors (exit 2, one line). */
class TrainStep1CommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private void assertOneLineError(int code, String fragment) {
        String e = err.toString().strip();
        assertEquals(ExitCode.BAD_INPUT, code, out + e);
        assertTrue(e.startsWith("error: ") && e.contains(fragment), e);
        assertEquals(1, e.split("\n").length, e);
    }

    @Test
    void trainsOneEpochThenRejectsACorruptCheckpoint(@TempDir Path dir) throws Exception {
        // ten crystals as both splits: two steps of five and one validation pass
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.copy(SharedData.path("data/mptest/val.csv"), data.resolve("train.csv"));
        Files.copy(SharedData.path("data/mptest/val.csv"), data.resolve("val.csv"));
        Path runDir = dir.resolve("run");
        int code = run("train-step1", "--config", "tiny", "--data", data.toString(), "--out", runDir.toString(),
                "--epochs", "1", "--batch-size", "5", "--threads", "1", "-q");
        assertEquals(ExitCode.OK, code, out.toString() + err);
        for (String f : new String[]{"last.safetensors", "last.json", "best.safetensors", "metrics.csv", "loss_curves.png", "run.json"}) {
            assertTrue(Files.isRegularFile(runDir.resolve(f)), f);
        }
        String runJson = Files.readString(runDir.resolve("run.json"));
        assertTrue(runJson.contains("\"data_checksum\"") && runJson.contains("\"seed\" : 42") && runJson.contains("\"version\""), runJson);
        Path last = runDir.resolve("last.safetensors");
        byte[] b = Files.readAllBytes(last);
        b[b.length - 3] ^= 0x55;
        Files.write(last, b);
        code = run("train-step1", "--config", "tiny", "--data", data.toString(), "--out", runDir.toString(),
                "--epochs", "2", "--batch-size", "5", "--threads", "1", "-q", "--resume");
        assertOneLineError(code, "checkpoint is corrupt");
        assertFalse(Files.exists(runDir.resolve("metrics.csv.tmp")));
    }

    @Test
    void missingDataIsOneLineError(@TempDir Path dir) {
        int code = run("train-step1", "--config", "tiny", "--data", dir.resolve("nope").toString(), "--out", dir.resolve("o").toString());
        assertOneLineError(code, "data not found");
    }

    @Test
    void batchSizeOneIsRejected(@TempDir Path dir) {
        int code = run("train-step1", "--config", "tiny", "--data", dir.toString(), "--out", dir.resolve("o").toString(), "--batch-size", "1");
        assertOneLineError(code, "--batch-size");
    }
}
