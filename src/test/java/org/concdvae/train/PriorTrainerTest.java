package org.concdvae.train;

import org.concdvae.cli.Main;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.io.Safetensors;
import org.concdvae.model.LatentPrior;
import org.concdvae.model.ModelDirectory;
import org.concdvae.testutil.TinyModels;
import org.junit.jupiter.api.BeforeAll;
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

/**
 * train-prior on a tiny step-one model trained for one epoch on a subset of data/mptest4conz (all six 'full'
 * properties cached; the first 10 training and 4 validation rows): the prior trains and its best weights reload strictly, a resumed run equals the uninterrupted
 * one exactly, the CLI trains prior_full, and a condition the data lack is a one-line error.
 */
class PriorTrainerTest {
    @TempDir
    static Path root;
    static Path modelDir;
    static TrainingData small;

    @BeforeAll
    static void stepOne() throws IOException {
        small = TinyModels.stepOne(root);
        modelDir = root.resolve("model");
    }

    static Config priorConfig(String label) {
        return ConfigLoader.load(modelDir.resolve(ModelDirectory.CONFIG), List.of("prior.label=" + label));
    }

    static PriorTrainer.Options options(int epochs, boolean resume) {
        return new PriorTrainer.Options(7, 2, epochs, 4, resume, 1, "test", "test");
    }

    @Test
    void trainsAndReloads() throws IOException {
        ModelDirectory dir = ModelDirectory.open(modelDir);
        PriorTrainer.Summary s = new PriorTrainer(priorConfig("p1"), dir, small, options(3, false), null).run(dir.loadStepOne());
        System.out.printf("prior on 10 crystals: %d steps, train loss %.4g -> %.4g, best val_loss %.4g%n", s.steps(),
                s.firstTrainLoss(), s.lastTrainLoss(), s.bestValLoss());
        assertEquals(9, s.steps(), "3 epochs x ceil(10/4) steps");
        assertTrue(Double.isFinite(s.bestValLoss()) && s.bestValLoss() > 0);
        for (String f : new String[]{"p1.safetensors", "p1.json", "p1-last.safetensors", "p1-config.yaml", "p1-metrics.csv", "p1-run.json"}) {
            assertTrue(Files.size(modelDir.resolve(f)) > 0, f);
        }
        LatentPrior p = dir.loadPrior("p1");
        assertEquals(ConfigLoader.load(modelDir.resolve(ModelDirectory.CONFIG), List.of()).model().latentDim(), p.latentDim());
        // the 'less' reference table: id and the condition values of every training crystal
        List<String> ref = Files.readAllLines(dir.priorReference("p1"));
        assertEquals("id," + String.join(",", p.conditionModel().names()), ref.get(0));
        assertEquals(small.train().size() + 1, ref.size());
        String[] first = ref.get(1).split(",");
        assertEquals(small.train().get(0).id(), first[0]);
        int k = small.propertyNames().indexOf(p.conditionModel().names().get(0));
        assertEquals(small.train().get(0).properties()[k], Double.parseDouble(first[1]), 0.0);
    }

    @Test
    void resumeReproducesTheUninterruptedRun() throws IOException {
        ModelDirectory dir = ModelDirectory.open(modelDir);
        new PriorTrainer(priorConfig("ra"), dir, small, options(2, false), null).run(dir.loadStepOne());
        new PriorTrainer(priorConfig("rb"), dir, small, options(1, false), null).run(dir.loadStepOne());
        // same label needed for resume: the config holds the label, so compare ra with rb resumed
        new PriorTrainer(priorConfig("rb"), dir, small, options(2, true), null).run(dir.loadStepOne());
        Safetensors a = Safetensors.read(modelDir.resolve("ra-last.safetensors")), b = Safetensors.read(modelDir.resolve("rb-last.safetensors"));
        assertEquals(a.names(), b.names());
        for (String n : a.names()) {
            if (a.entry(n).dtype() == Safetensors.DType.I64) assertArrayEquals(a.longs(n), b.longs(n), n);
            else assertArrayEquals(a.doubles(n), b.doubles(n), 0.0, n);
        }
        assertEquals(Files.readAllLines(modelDir.resolve("ra-metrics_steps.csv")), Files.readAllLines(modelDir.resolve("rb-metrics_steps.csv")));
    }

    @Test
    void cliTrainsTheFullPriorAndRejectsMissingConditions(@TempDir Path tmp) throws IOException {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("train-prior", "--model", modelDir.toString(), "--label", "prior_full", "--epochs", "1",
                "--batch-size", "8", "--quiet");
        assertEquals(0, code, err.toString());
        LatentPrior full = ModelDirectory.open(modelDir).loadPrior("prior_full");
        assertEquals(List.of("crystal_system", "spacegroup", "formation_energy_per_atom", "band_gap", "e_above_hull", "n_atom"),
                full.conditionModel().names());

        Path cond = tmp.resolve("c.yaml");
        Files.writeString(cond, "conditionmodel:\n  n_features: 8\n  n_layers: 1\n  condition_embeddings:\n"
                + "    - {type: scalar, condition_name: density, condition_min: 0, condition_max: 24, grid_spacing: 2, n_features: 8, n_layers: 1}\n");
        StringWriter err2 = new StringWriter();
        cl.setErr(new PrintWriter(err2));
        code = cl.execute("train-prior", "--model", modelDir.toString(), "--label", "dens", "--conditions", cond.toString(), "--epochs", "1", "--quiet");
        assertEquals(2, code);
        String e = err2.toString().strip();
        assertEquals(1, e.split("\n").length, e);
        assertTrue(e.contains("density"), e);
    }
}
