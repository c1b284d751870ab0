package org.concdvae.train;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.io.CheckpointFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.Safetensors;
import org.concdvae.model.ModelDirectory;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The step-one trainer on the toy set data/mptest with the tiny config: the training loss falls by at least half in a
 * short run, a run resumed from its last checkpoint reproduces the uninterrupted run exactly (metrics and weights),
 * and a corrupt checkpoint is a clear error.
 */
class Step1TrainerTest {
    static Config tiny;
    static TrainingData mptest;

    @BeforeAll
    static void load() {
        tiny = ConfigLoader.resolve("tiny", List.of());
        mptest = TrainingData.load(SharedData.path("data/mptest"), tiny, 42, 2);
    }

    static Step1Trainer.Options options(int epochs, boolean resume) {
        return new Step1Trainer.Options(42, 1, epochs, null, resume, 2, 5, "test", "test");
    }

    /** The first 12 training and 4 validation crystals (cheap runs). */
    static TrainingData small() {
        return new TrainingData(mptest.train().subList(0, 12), mptest.val().subList(0, 4), mptest.propertyNames(),
                mptest.scaler(), mptest.checksum(), mptest.source());
    }

    @Test
    void smokeRunHalvesTheTrainingLoss(@TempDir Path out) throws IOException {
        Step1Trainer.Summary s = new Step1Trainer(tiny, mptest, out, options(3, false), null).run();
        System.out.printf("tiny on mptest: %d crystals, %d steps, train loss %.4g -> %.4g, best val_loss %.4g%n",
                mptest.train().size(), s.steps(), s.firstTrainLoss(), s.lastTrainLoss(), s.bestValLoss());
        assertTrue(s.lastTrainLoss() <= 0.5 * s.firstTrainLoss(), "training loss fell from " + s.firstTrainLoss() + " to " + s.lastTrainLoss());
        for (String f : new String[]{Step1Trainer.LAST, Step1Trainer.BEST, Step1Trainer.METRICS, Step1Trainer.STEP_METRICS,
                Step1Trainer.PLOT, Step1Trainer.RUN, Step1Trainer.CONFIG, "last.json", "lattice_scaler.txt"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(4, Files.readAllLines(out.resolve(Step1Trainer.METRICS)).size(), "header + 3 epochs");
        String opt = ModelDirectory.OPTIMIZER_PREFIX;
        assertTrue(Safetensors.read(out.resolve(Step1Trainer.BEST)).names().stream().noneMatch(n -> n.startsWith(opt)), "best: no Adam state");
        assertTrue(Safetensors.read(out.resolve(Step1Trainer.LAST)).names().stream().anyMatch(n -> n.startsWith(opt)), "last: Adam state for --resume");
    }

    @Test
    void resumeReproducesTheUninterruptedRun(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        new Step1Trainer(tiny, small(), a, options(2, false), null).run();
        new Step1Trainer(tiny, small(), b, options(1, false), null).run();
        new Step1Trainer(tiny, small(), b, options(2, true), null).run();
        assertEquals(withoutTimes(a.resolve(Step1Trainer.METRICS)), withoutTimes(b.resolve(Step1Trainer.METRICS)));
        assertEquals(Files.readAllLines(a.resolve(Step1Trainer.STEP_METRICS)), Files.readAllLines(b.resolve(Step1Trainer.STEP_METRICS)));
        Safetensors wa = Safetensors.read(a.resolve(Step1Trainer.LAST)), wb = Safetensors.read(b.resolve(Step1Trainer.LAST));
        assertEquals(wa.names(), wb.names());
        for (String n : wa.names()) {
            assertEquals(wa.entry(n).data(), wb.entry(n).data(), n + " differs after resume");
        }
    }

    @Test
    void corruptCheckpointIsAClearError(@TempDir Path out) throws IOException {
        new Step1Trainer(tiny, small(), out, options(1, false), null).run();
        Path last = out.resolve(Step1Trainer.LAST);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int v = f.read();
            f.seek(f.length() / 2);
            f.write(v ^ 0xFF);
        }
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new Step1Trainer(tiny, small(), out, options(2, true), null).run());
        assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains("last.safetensors"), e.getMessage());
        Files.delete(CheckpointFiles.sidecar(last));
        e = assertThrows(InvalidInputException.class, () -> new Step1Trainer(tiny, small(), out, options(2, true), null).run());
        assertTrue(e.getMessage().contains("sidecar"), e.getMessage());
        // a fresh run refuses to overwrite an existing one
        e = assertThrows(InvalidInputException.class, () -> new Step1Trainer(tiny, small(), out, options(1, false), null).run());
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
    }

    private static List<String> withoutTimes(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        int col = Arrays.asList(lines.get(0).split(",")).indexOf("seconds");
        return lines.stream().map(l -> {
            String[] p = l.split(",");
            p[col] = "";
            return String.join(",", p);
        }).toList();
    }
}
