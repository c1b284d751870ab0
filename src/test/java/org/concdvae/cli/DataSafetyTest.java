package org.concdvae.cli;

import org.concdvae.io.OutputLock;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Concurrent runs, bad output directories and interrupted runs, through the command line: every writing command
 * refuses an output directory another run holds (one line naming the holder), a bad --out fails before the work, an
 * error line starts a line of its own after a progress bar, and a signal leaves a line that says how to continue.
 */
class DataSafetyTest {
    static Cli.Result exec(String... args) { return Cli.exec(args); }

    static void assertOneLine(Cli.Result r, String... expected) {
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.err());
        String e = r.err().strip();
        assertFalse(e.contains("\n"), "more than one line: " + e);
        assertTrue(e.startsWith("error: "), e);
        for (String x : expected) assertTrue(e.contains(x), "'" + x + "' not in: " + e);
    }

    @Test
    void everyWritingCommandRefusesAnOutputDirectoryInUse(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        Path model = copyBuiltinModel(tmp.resolve("model"));
        Path samples = Files.createDirectories(tmp.resolve("samples"));
        String pid = "pid " + ProcessHandle.current().pid();
        try (OutputLock held = OutputLock.acquire(out, "--out", "sample --out out (the first run)", w -> {})) {
            assertOneLine(exec("sample", "--fe", "-1", "-n", "2", "--out", out.toString(), "-q"), "in use", pid, "the first run");
            assertOneLine(exec("preprocess", "--example", "--out", out.toString(), "-q"), "in use", pid);
            assertOneLine(exec("train-step1", "--config", "tiny", "--data", tmp.toString(), "--out", out.toString(), "-q"), "in use", pid);
            assertOneLine(exec("evaluate", "--samples", samples.toString(), "--out", out.toString(), "-q"), "in use", pid);
            assertOneLine(exec("evaluate", "relaxed", "--generated", samples.toString(), "--relaxed", samples.toString(),
                    "--out", out.toString(), "-q"), "in use", pid);
            assertOneLine(exec("evaluate", "latent", "--model", model.toString(), "--data", tmp.resolve("none.csv").toString(),
                    "--out", out.toString(), "-q"), "in use", pid);
            assertOneLine(exec("evaluate", "train-cgcnn", "--data", tmp.toString(), "--target", "band_gap",
                    "--out", out.toString(), "-q"), "in use", pid);
        }
        // train-prior: one run per label in the model directory, and not while step one trains into it
        try (OutputLock held = OutputLock.acquire(model, ".concdvae-prior_full.lock", "--label", "train-prior --label prior_full", w -> {})) {
            assertOneLine(exec("train-prior", "--model", model.toString(), "--label", "prior_full", "-q"), "in use", pid, "--label");
        }
        try (OutputLock held = OutputLock.acquire(model, "--out", "train-step1 --out model", w -> {})) {
            assertOneLine(exec("train-prior", "--model", model.toString(), "--label", "prior_x", "-q"), "in use", pid, "train-step1");
        }
    }

    @Test
    void badOutFailsBeforeTheInputIsRead(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        // the input does not exist either: the output is checked first, before any parsing
        assertOneLine(exec("preprocess", "--config", "tiny", "--input", tmp.resolve("nope.csv").toString(), "--out", file.toString(), "-q"),
                file + ": --out is a file, not a directory");
        assertOneLine(exec("sample", "--fe", "-1", "-n", "2", "--out", file.resolve("sub").toString(), "-q"),
                file + " is a file, not a directory");
        assertOneLine(exec("train-step1", "--config", "tiny", "--data", tmp.resolve("nope").toString(), "--out", file.toString(), "-q"),
                "--out is a file");
    }

    @Test
    void errorLinesStartALineOfTheirOwnAfterAProgressBar(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream terminal = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress.redirect(terminal, true);
        try (Progress bar = Progress.start("work", 10, false)) {
            bar.step();
            Thread.sleep(800);   // let the bar draw its (unfinished) line
            StringWriter ignored = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(ignored));
            cl.setErr(new PrintWriter(terminal, true));
            int code = cl.execute("preprocess", "--config", "tiny", "--input", tmp.resolve("nope.csv").toString(), "--out", tmp.resolve("o").toString());
            assertEquals(ExitCode.BAD_INPUT, code);
        } finally {
            Progress.redirect(null, null);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("work"), text);
        assertTrue(text.contains("\nerror: "), "error line does not start a line: " + text.replace("\r", "\\r"));
    }

    @Test
    void barsWriteWholeLinesIntoLogs() throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress.redirect(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        try (Progress bar = Progress.start("sample", 1000, 400, false)) {
            Thread.sleep(800);   // the first line: a resumed run counts from its finished units
            for (int i = 0; i < 600; i++) bar.step();
        } finally {
            Progress.redirect(null, null);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), text);
        List<String> lines = text.lines().toList();
        assertEquals(lines.size(), lines.stream().distinct().count(), "a line printed twice: " + text);
        assertTrue(lines.get(0).startsWith("sample") && lines.get(0).contains("400/1000"), "resumed counts: " + text);
        assertTrue(lines.get(lines.size() - 1).contains("1000/1000"), text);
        for (String l : lines) assertTrue(l.startsWith("sample "), "label run into by the previous line: " + l);
    }

    @Test
    void aSignalLeavesALineSayingHowToContinue(@TempDir Path tmp) throws Exception {
        Path csv = SharedData.path("data/perov_5/val.csv");
        Path out = tmp.resolve("out");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "preprocess", "--config", "tiny", "--input", csv.toString(), "--out", out.toString(), "--threads", "1"));
        Path log = tmp.resolve("log.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path lock = out.resolve(OutputLock.DEFAULT_NAME);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(lock) && Files.size(lock) > 0) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(p.isAlive(), "finished before it could be interrupted");
        Thread.sleep(300);
        p.toHandle().destroy();   // SIGTERM: the shutdown path of Ctrl-C
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String text = Files.readString(log);
        List<String> interrupted = text.lines().filter(l -> l.startsWith("interrupted")).toList();
        assertEquals(1, interrupted.size(), text);
        assertTrue(interrupted.get(0).contains("rerun the command"), text);
        // the lock was released on the way out: the next run takes the directory without a stale-lock warning
        assertTrue(!Files.exists(lock) || Files.size(lock) == 0, text);
    }

    @Test
    void interruptedTrainingAndSamplingSayHowToResume() {
        TrainStep1Command train = new TrainStep1Command();
        new CommandLine(train).parseArgs("--config", "tiny", "--data", "d", "--out", "runs/x");
        assertTrue(train.interruptedHint().contains("runs/x") && train.interruptedHint().contains("--resume"), train.interruptedHint());
        TrainPriorCommand prior = new TrainPriorCommand();
        new CommandLine(prior).parseArgs("--model", "runs/x", "--label", "prior_full");
        assertTrue(prior.interruptedHint().contains("prior_full") && prior.interruptedHint().contains("--resume"), prior.interruptedHint());
        SampleCommand sample = new SampleCommand();
        new CommandLine(sample).parseArgs("--fe", "-1", "--out", "gen");
        assertTrue(sample.interruptedHint().contains("nothing was sampled into gen"), sample.interruptedHint());
    }

    static Path copyBuiltinModel(Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(Path.of("models/mp20-small"))) {
            for (Path f : s.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        return to;
    }
}
