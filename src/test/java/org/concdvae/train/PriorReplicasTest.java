package org.concdvae.train;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.dist.Collective;
import org.concdvae.io.Safetensors;
import org.concdvae.model.ModelDirectory;
import org.concdvae.testutil.ThreadCollective;
import org.concdvae.testutil.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * train-prior data-parallel on the tiny step-one model: 2 ranks × 1 replica (a collective over threads) equal
 * 1 process × 2 replicas bit for bit, including the gathered validation loss; a run resumes on another layout.
 */
class PriorReplicasTest {
    @TempDir
    static Path root;
    static Path modelDir;
    static TrainingData small;

    @BeforeAll
    static void stepOne() throws IOException {
        small = TinyModels.stepOne(root);
        modelDir = root.resolve("model");
    }

    static Config config(String label) {
        return ConfigLoader.load(modelDir.resolve(ModelDirectory.CONFIG), List.of("prior.label=" + label));
    }

    static PriorTrainer.Options options(int epochs, boolean resume, int replicas) {
        return new PriorTrainer.Options(7, 2, epochs, 4, resume, 1, "test", "test", replicas);
    }

    static void assertSameWeights(String a, String b) {
        Safetensors x = Safetensors.read(modelDir.resolve(a + "-last.safetensors")), y = Safetensors.read(modelDir.resolve(b + "-last.safetensors"));
        assertEquals(x.names(), y.names());
        for (String n : x.names()) {
            if (x.entry(n).dtype() == Safetensors.DType.I64) assertArrayEquals(x.longs(n), y.longs(n), n);
            else assertArrayEquals(x.doubles(n), y.doubles(n), 0.0, n);
        }
    }

    @Test
    void twoRanksEqualTwoReplicasAndResumeTakesAnotherLayout() throws Exception {
        ModelDirectory dir = ModelDirectory.open(modelDir);
        PriorTrainer.Summary one = new PriorTrainer(config("x2"), dir, small, options(2, false, 2), null).run(dir.loadStepOne());
        List<Collective> job = ThreadCollective.group(2);
        ExecutorService ranks = Executors.newFixedThreadPool(2);
        List<Future<PriorTrainer.Summary>> f = new ArrayList<>();
        for (Collective c : job) {
            f.add(ranks.submit(() -> new PriorTrainer(config("r2"), dir, small, options(2, false, 1), null, c).run(dir.loadStepOne())));
        }
        PriorTrainer.Summary r0 = f.get(0).get(), r1 = f.get(1).get();
        ranks.shutdown();
        assertEquals(one.bestValLoss(), r0.bestValLoss(), 0.0);
        assertEquals(r0.bestValLoss(), r1.bestValLoss(), 0.0);
        assertSameWeights("x2", "r2");
        assertTrue(one.lastTrainLoss() < one.firstTrainLoss(), "the prior learns: " + one.firstTrainLoss() + " -> " + one.lastTrainLoss());
        assertTrue(Files.readString(modelDir.resolve("r2-run.json")).contains("\"ranks\" : 2"));

        // the first epoch on 2 replicas, the second resumed on 1: the checkpoint holds only global state
        new PriorTrainer(config("mix"), dir, small, options(1, false, 2), null).run(dir.loadStepOne());
        PriorTrainer.Summary s = new PriorTrainer(config("mix"), dir, small, options(2, true, 1), null).run(dir.loadStepOne());
        assertEquals(2, s.lastEpoch() + 1);
        assertEquals(one.steps(), s.steps());
    }
}
