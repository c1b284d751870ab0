package org.concdvae.sample;

import org.concdvae.cli.ExitCode;
import org.concdvae.cli.Main;
import org.concdvae.testutil.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A disk that fills up in the middle of a batch (an injected writer failure: no root needed): the run stops with one
 * line naming the file and the reason, and no CIF of the failed batch stays behind; the finished batch stays listed
 * and --resume completes the run.
 */
class SampleDiskFullTest {
    @Test
    void failedBatchLeavesNoOrphanCifs(@TempDir Path tmp) throws IOException {
        Path model = TinyModels.withPriors();
        Path out = tmp.resolve("gen");
        String[] args = {"sample", "--model", model.toString(), "--fe", "-2", "-n", "4", "--candidates", "4", "--batch-size", "2",
                "--out", out.toString(), "--n-step-each", "1", "--levels", "2", "--quiet", "--threads", "1", "--seed", "3"};
        AtomicInteger writes = new AtomicInteger();
        SampleRun.FileWriter real = SampleRun.fileWriter;
        SampleRun.fileWriter = (file, text) -> {
            if (writes.incrementAndGet() == 4) {   // the second CIF of the second batch
                throw new UncheckedIOException(new java.nio.file.FileSystemException(file.toString(), null, "No space left on device"));
            }
            real.write(file, text);
        };
        StringWriter err = new StringWriter();
        int code;
        try {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(new StringWriter()));
            cl.setErr(new PrintWriter(err));
            code = cl.execute(args);
        } finally {
            SampleRun.fileWriter = real;
        }
        assertEquals(ExitCode.BAD_INPUT, code, err.toString());
        String e = err.toString().strip();
        assertFalse(e.contains("\n"), e);
        assertTrue(e.startsWith("error: "), e);
        assertTrue(e.contains("No space left on device") && e.contains(out.resolve("cifs").toString()), e);
        assertTrue(writes.get() >= 4, "the failure was not reached: " + writes.get());
        List<String> cifs = cifs(out);
        String csv = Files.readString(out.resolve("samples.csv"));
        for (String c : cifs) assertTrue(csv.contains(c.replace(".cif", ",")), "orphan CIF " + c + " not in samples.csv");
        for (String c : cifs) assertTrue(c.endsWith("_0.cif") || c.endsWith("_1.cif"), "a CIF of the failed batch: " + c);
        // the finished batch is kept and --resume completes the run
        CommandLine cl = Main.commandLine();
        StringWriter err2 = new StringWriter();
        cl.setErr(new PrintWriter(err2));
        cl.setOut(new PrintWriter(new StringWriter()));
        // resuming with another option names the setting and both values
        String[] other = Stream.concat(Stream.of(args), Stream.of("--resume", "--step-lr", "0.001")).toArray(String[]::new);
        assertEquals(ExitCode.BAD_INPUT, cl.execute(other));
        assertTrue(err2.toString().contains("step_lr was 1.0E-4, now 0.001"), err2.toString());
        err2.getBuffer().setLength(0);
        String[] resume = Stream.concat(Stream.of(args), Stream.of("--resume")).toArray(String[]::new);
        assertEquals(0, cl.execute(resume), err2.toString());
        assertTrue(Files.readString(out.resolve("run.json")).contains("\"finished\" : true"));
    }

    private static List<String> cifs(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out.resolve("cifs"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cif")).sorted().toList();
        }
    }
}
