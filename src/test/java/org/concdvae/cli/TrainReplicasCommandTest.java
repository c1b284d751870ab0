package org.concdvae.cli;

import org.concdvae.dist.Collective;
import org.concdvae.testutil.SharedData;
import org.concdvae.testutil.ThreadCollective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --replicas} of the training commands: help with examples, a batch that does not split, a failing rank. */
class TrainReplicasCommandTest {
    static Cli.Result run(String... args) { return Cli.exec(args); }

    @Test
    void helpShowsReplicasWithExamples() {
        for (String[] cmd : new String[][]{{"train-step1"}, {"train-prior"}, {"evaluate", "train-cgcnn"}, {"bench", "train-step1"}}) {
            String[] a = java.util.Arrays.copyOf(cmd, cmd.length + 1);
            a[cmd.length] = "--help";
            Cli.Result r = run(a);
            assertEquals(0, r.code(), String.join(" ", cmd));
            assertTrue(r.out().contains("--replicas") && r.out().contains("Examples:") && r.out().contains("--replicas "), r.out());
        }
    }

    @Test
    void aBatchThatDoesNotSplitNamesTheValues(@TempDir Path dir) {
        Cli.Result r = run("train-step1", "--config", "tiny", "--data", SharedData.path("data/mptest").toString(), "--out",
                dir.resolve("o").toString(), "--batch-size", "6", "--replicas", "4", "--threads", "1", "--epochs", "1", "-q");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("error: --batch-size = 6 does not split into equal micro-batches of at least 2 crystals over 4 replicas"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(dir.resolve("o").resolve("run.json")), "no partial output");
        Cli.Result zero = run("train-step1", "--config", "tiny", "--data", "x", "--out", dir.resolve("p").toString(), "--replicas", "0");
        assertEquals(2, zero.code());
        assertTrue(zero.err().contains("--replicas must be at least 1"), zero.err());
        Cli.Result dev = run("train-step1", "--config", "tiny", "--set", "train.devices=0", "--data", "x", "--out", dir.resolve("q").toString());
        assertEquals(2, dev.code());
        assertTrue(dev.err().contains("train.devices"), dev.err());
    }

    @Test
    void aFailingRankPrintsOneLineNamingItAndAbortsTheJob() {
        Collective rank1 = ThreadCollective.group(2).get(1);
        StringWriter err = new StringWriter();
        ThreadCollective.Aborted a = assertThrows(ThreadCollective.Aborted.class,
                () -> BaseCommand.failRank(new PrintWriter(err), rank1, ExitCode.BAD_INPUT, "data/x.csv: row 3: bad lattice\nmore"));
        assertEquals(ExitCode.BAD_INPUT, a.exitCode);
        assertEquals("error: rank 1: data/x.csv: row 3: bad lattice more\n", err.toString());
    }
}
