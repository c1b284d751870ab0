package org.concdvae.cli;

import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Smoke test of {@code concdvae bench encoder} (runs, prints the table); speed is measured by the command, not here. */
class BenchEncoderCommandTest {
    @Test
    void printsOneRowPerBatchSize() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("bench", "encoder", "--threads", "1", "--input", SharedData.path("data/mptest/val.csv").toString(),
                "--batch-sizes", "2,12", "--repeat", "1", "--warmup", "0");
        assertEquals(ExitCode.OK, code, out + "\n" + err);
        String text = out.toString();
        assertTrue(text.contains("10 crystals: larger batches repeat them in order"), text);
        assertTrue(text.matches("(?s).*\\n +2 +\\d+ +\\d+ +\\d+ .*\\n +12 +\\d+ +\\d+ +\\d+ .*"), text);
    }
}
