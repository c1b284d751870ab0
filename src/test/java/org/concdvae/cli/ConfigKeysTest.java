package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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
            "train.strategy=ddp; train.strategy: unknown key",
            "data.batch_size.test=0; data.batch_size.test: must be at least 1"})
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

    /** data.preprocess_workers is preprocess's thread count when --threads is not given (capped at the cores). */
    @Test
    void preprocessWorkersSetTheThreads(@TempDir Path tmp) throws IOException {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute("preprocess", "--example", "--set", "data.preprocess_workers=1", "--out", tmp.resolve("a").toString(), "-q"), err.toString());
        assertEquals(1, new ObjectMapper().readTree(tmp.resolve("a/summary.json").toFile()).path("threads").asInt());
        cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute("preprocess", "--example", "--set", "data.preprocess_workers=1", "--threads", "2", "--out", tmp.resolve("b").toString(), "-q"),
                err.toString());
        assertEquals(2, new ObjectMapper().readTree(tmp.resolve("b/summary.json").toFile()).path("threads").asInt(), "--threads wins");
    }

    /** gen.prior_label, gen.save_traj with gen.down_sample_traj_step, and gen.disable_bar of a model's config are sample's defaults. */
    @Test
    void generationKeysOfAModelConfigAreSampleDefaults(@TempDir Path tmp) throws IOException {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        try (var files = Files.list(Path.of("models/mp20-small"))) {
            for (Path f : files.toList()) if (Files.isRegularFile(f)) Files.copy(f, model.resolve(f.getFileName()));
        }
        String cfg = Files.readString(model.resolve("config.yaml"));
        String edited = cfg.replaceFirst("(?m)^  save_traj: .*$", "  save_traj: true")
                .replaceFirst("(?m)^  down_sample_traj_step: .*$", "  down_sample_traj_step: 1")
                .replaceFirst("(?m)^  disable_bar: .*$", "  disable_bar: true");
        assertNotEquals(cfg, edited);
        Files.writeString(model.resolve("config.yaml"), edited);
        Path out = tmp.resolve("out");
        ByteArrayOutputStream bar = new ByteArrayOutputStream();
        Progress.redirect(new PrintStream(bar, true), false);
        Cli.Result r;
        try {
            r = SampleCommandTest.exec("sample", "--model", model.toString(), "--fe", "-1", "--bg", "1", "-n", "1", "--batch-size", "1",
                    "--n-step-each", "1", "--levels", "2", "--threads", "2", "--out", out.toString());
        } finally {
            Progress.redirect(null, null);
        }
        assertEquals(0, r.code(), r.err());
        JsonNode settings = new ObjectMapper().readTree(out.resolve("run.json").toFile()).path("settings");
        assertEquals(1, settings.path("save_trajectory").asInt());
        try (var t = Files.list(out.resolve("trajectories"))) {
            assertEquals(1, t.count());
        }
        assertFalse(bar.toString().contains("Langevin"), "gen.disable_bar: no progress bar: " + bar);

        Files.writeString(model.resolve("config.yaml"), edited.replaceFirst("(?m)^  prior_label: .*$", "  prior_label: \"prior_full\""));
        r = SampleCommandTest.exec("sample", "--model", model.toString(), "--fe", "-1", "--bg", "1", "-n", "1", "--out", tmp.resolve("full").toString());
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("prior 'prior_full'"), "gen.prior_label chooses the prior: " + r.err());
    }
}
