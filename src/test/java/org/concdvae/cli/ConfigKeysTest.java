package org.concdvae.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** No silently ignored training keys: a value the trainers do not implement is a one-line error naming the key and the config. */
class ConfigKeysTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "train.val_check_interval=5; train.val_check_interval: 5 is not supported",
            "train.monitor_metric=train_loss; train.monitor_metric: train_loss is not supported",
            "train.monitor_metric_mode=max; train.monitor_metric_mode: max is not supported",
            "train.deterministic=false; train.deterministic: false is not supported",
            "train.use_exit=true; train.use_exit: true is not supported",
            "train.model_checkpoints.save_top_k=3; train.model_checkpoints.save_top_k: 3 is not supported",
            "optim.lr_scheduler.monitor=train_loss; optim.lr_scheduler.monitor: train_loss is not supported",
            "train.strategy=ddp; train.strategy: unknown key"})
    void unsupportedTrainingKeysAreErrors(String set, String expected, @TempDir Path tmp) {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("train-step1", "--config", "tiny", "--set", set, "--data", tmp.resolve("none").toString(),
                "--out", tmp.resolve("out").toString(), "-q");
        assertEquals(ExitCode.BAD_INPUT, code, err.toString());
        String e = err.toString().strip();
        assertFalse(e.contains("\n"), e);
        assertTrue(e.startsWith("error: ") && e.contains(expected), e);
        assertTrue(e.contains("tiny") || e.contains("--set"), "names the config: " + e);
        assertFalse(Files.exists(tmp.resolve("out")), "checked before any output");
    }
}
