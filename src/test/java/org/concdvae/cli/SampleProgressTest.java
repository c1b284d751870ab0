package org.concdvae.cli;

import org.concdvae.testutil.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The sample progress bar counts Langevin updates (levels x steps per batch), so a one-batch run moves; a resumed run
 * shows the counts of the whole run; in a log every line is whole and printed once.
 */
class SampleProgressTest {
    @Test
    void countsLangevinStepsAndWholeRunOnResume(@TempDir Path tmp) throws Exception {
        Path model = TinyModels.withPriors();
        Path out = tmp.resolve("gen");
        String[] args = {"sample", "--model", model.toString(), "--fe", "-2", "-n", "2", "--candidates", "2", "--batch-size", "2",
                "--out", out.toString(), "--n-step-each", "3", "--levels", "2", "--threads", "1"};
        String first = run(args);
        // one batch: 2 levels x 3 steps = 6 updates
        assertTrue(first.contains("sample (Langevin steps)"), first);
        assertTrue(first.contains("6/6"), first);
        assertFalse(first.contains("\r"), first);
        List<String> lines = first.lines().toList();
        assertEquals(lines.size(), lines.stream().distinct().count(), "a line printed twice: " + first);
        for (String l : lines) {
            assertTrue(l.startsWith("sample (Langevin steps)"), "label run into: " + l);
            assertFalse(l.matches(".*/s\\S.*"), "the rate runs into the message: " + l);
        }
        // resuming the finished run starts at the whole run's count
        String again = run(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--resume"))
                .toArray(String[]::new));
        assertTrue(again.lines().findFirst().orElse("").contains("6/6"), again);
    }

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress.redirect(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        try {
            CommandLine cl = Main.commandLine();
            StringWriter err = new StringWriter();
            cl.setOut(new PrintWriter(new StringWriter()));
            cl.setErr(new PrintWriter(err));
            assertEquals(0, cl.execute(args), err.toString());
        } finally {
            Progress.redirect(null, null);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
