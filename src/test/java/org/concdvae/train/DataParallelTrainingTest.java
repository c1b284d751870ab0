package org.concdvae.train;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.data.CrystalRecord;
import org.concdvae.dist.Collective;
import org.concdvae.io.Safetensors;
import org.concdvae.model.ConCdvae;
import org.concdvae.nn.AdamOptimizer;
import org.concdvae.nn.ParameterStore;
import org.concdvae.testutil.SharedData;
import org.concdvae.testutil.ThreadCollective;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel training (tiny config, mptest, global batch 16): one replica is the plain single-tape loop bit for
 * bit; 2 and 4 replicas give the same bits for any thread count (1, 2, 4); the averaged gradient is the mean of the replicas'
 * gradients computed one by one; 2 "processes" × 1 replica equal 1 process × 2 replicas bit for bit (a collective over
 * threads stands in for MPI); k accumulated batches on one replica equal k replicas.
 */
class DataParallelTrainingTest {
    static Config tiny;
    static TrainingData mptest;

    @BeforeAll
    static void load() {
        tiny = ConfigLoader.resolve("tiny", List.of());
        mptest = TrainingData.load(SharedData.path("data/mptest"), tiny, 42, 2);
    }

    static Step1Trainer.Options options(int threads, int batch, int replicas) {
        return new Step1Trainer.Options(42, threads, 1, batch, false, 1, 5, "test", "test", replicas);
    }

    static Step1Trainer trainer(Config cfg, int threads, int batch, int replicas, Collective c) {
        return new Step1Trainer(cfg, mptest, Path.of("unused"), options(threads, batch, replicas), null, c);
    }

    static Step1Trainer trainer(int threads, int batch, int replicas) {
        return new Step1Trainer(tiny, mptest, Path.of("unused"), options(threads, batch, replicas), null);
    }

    /** Runs {@code steps} optimiser steps over the first global batches of epoch 0 (teacher forcing on). */
    static void steps(Step1Trainer t, int steps, int perStep) {
        List<List<CrystalRecord>> b = t.trainBatches(0);
        for (int s = 0; s < steps; s++) {
            assertNotNull(t.trainStep(b.subList(s * perStep, (s + 1) * perStep), true), "step " + s + " not finite");
            t.state().globalStep++;
        }
    }

    static Map<String, int[]> bits(ParameterStore store, boolean trainableOnly) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (ParameterStore.Entry e : store.entries()) {
            if (trainableOnly && !e.trainable()) continue;
            if (!e.array().dataType().isFPType()) continue;
            float[] f = e.array().dup().castTo(DataType.FLOAT).data().asFloat();
            int[] b = new int[f.length];
            for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
            m.put(e.name(), b);
        }
        return m;
    }

    static void assertSameBits(Map<String, int[]> a, Map<String, int[]> b, String what) {
        assertEquals(a.keySet(), b.keySet(), what);
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), what + ": " + k);
    }

    static Map<String, float[]> grads(ParameterStore store) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (ParameterStore.Entry e : store.entries()) {
            if (!e.trainable()) continue;
            INDArray g = e.tensor().grad();
            m.put(e.name(), g == null ? null : g.dup().data().asFloat());
        }
        return m;
    }

    @Test
    void oneReplicaIsThePlainSingleTapeLoop() {
        Step1Trainer t = trainer(2, 16, 1);
        steps(t, 3, 1);
        // the loop of the trainer before data parallelism: one tape, gradients into the parameters, Adam
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        ConCdvae model = new ConCdvae(store, tiny.model());
        model.initialise(new Random(42));
        Config.Optimizer o = tiny.optim().optimizer();
        AdamOptimizer adam = new AdamOptimizer(store, o.lr(), o.betas().get(0), o.betas().get(1), o.eps(), tiny.train().gradientClipVal());
        List<String> needed = Batches.neededProperties(model);
        List<List<CrystalRecord>> batches = t.trainBatches(0);
        for (int s = 0; s < 3; s++) {
            ConCdvae.Batch b = Batches.collate(batches.get(s), mptest.propertyNames(), needed, model, 2);
            try (Tape tape = Tape.training()) {
                ConCdvae.Output out = model.forward(tape, b, true, new Random(Step1Trainer.mix(42, 0x7a11L, s)), ConCdvae.Draws.NONE,
                        mptest.scaler().means(), mptest.scaler().stds(), 2);
                tape.backward(out.trainLoss());
                adam.step();
            } finally {
                b.encoderGraph().close();
            }
        }
        assertSameBits(bits(store, false), bits(t.model().store(), false), "R = 1 vs the plain loop");
    }

    @Test
    void replicasGiveTheSameBitsForAnyThreadCount() {
        for (int replicas : new int[]{2, 4}) {
            Map<String, int[]> ref = null;
            for (int threads : replicas == 2 ? new int[]{1, 4} : new int[]{1, 2, 4}) {
                Step1Trainer t = trainer(threads, 16, replicas);
                steps(t, 2, 1);
                Map<String, int[]> w = bits(t.model().store(), false);
                if (ref == null) ref = w;
                else assertSameBits(ref, w, replicas + " replicas, " + threads + " threads");
            }
        }
    }

    @Test
    void averagedGradientIsTheMeanOfTheReplicaGradients() {
        for (int replicas : new int[]{2, 4}) {
            Step1Trainer t = trainer(2, 16, replicas);
            List<CrystalRecord> batch = t.trainBatches(0).get(0);
            assertNotNull(t.gradients(List.of(batch), true));
            Map<String, float[]> avg = grads(t.model().store());
            // each micro-batch alone on a one-replica trainer with the same weights and the same generator
            Step1Trainer one = trainer(2, 16, 1);
            List<Map<String, float[]>> each = new ArrayList<>();
            List<List<CrystalRecord>> micro = Step1Trainer.microBatches(batch, replicas);
            for (int g = 0; g < replicas; g++) {
                one.microStep(0, micro.get(g), true, one.stepSeed(0, g));
                each.add(grads(one.model().store()));
                one.model().store().zeroGrad();
            }
            int checked = 0;
            for (String k : avg.keySet()) {
                float[] a = avg.get(k);
                if (a == null) continue;
                float[] sum = each.get(0).get(k).clone();
                for (int g = 1; g < replicas; g++) for (int i = 0; i < sum.length; i++) sum[i] += each.get(g).get(k)[i];
                for (int i = 0; i < sum.length; i++) {
                    assertEquals(sum[i] / replicas, a[i], Math.ulp(a[i]) * 2 + 1e-12f, replicas + " replicas: " + k + "[" + i + "]");
                }
                checked++;
            }
            assertTrue(checked > 50, "parameters with a gradient: " + checked);
        }
    }

    @Test
    void accumulatedBatchesEqualReplicas() {
        Config acc = ConfigLoader.resolve("tiny", List.of("train.accumulate_grad_batches=2"));
        Step1Trainer k2 = trainer(acc, 2, 8, 1, org.concdvae.dist.SingleProcess.INSTANCE);
        Step1Trainer r2 = trainer(2, 16, 2);
        List<List<CrystalRecord>> b8 = k2.trainBatches(0), b16 = r2.trainBatches(0);
        assertEquals(b16.get(0), concat(b8.get(0), b8.get(1)), "the same crystals");
        assertEquals((b8.size() + 1) / 2, k2.stepsPerEpoch());
        // 2 replicas take the atom-balanced micro-batches of each global batch of 16; one replica accumulating those
        // two micro-batches as its 2 batches of a step draws the same generators and adds the same gradients
        for (int s = 0; s < 2; s++) {
            List<CrystalRecord> global = b16.get(s);
            List<List<CrystalRecord>> micro = Step1Trainer.microBatches(global, 2);
            assertNotNull(k2.trainStep(micro, true), "step " + s);
            assertNotNull(r2.trainStep(List.of(global), true), "step " + s);
            k2.state().globalStep++;
            r2.state().globalStep++;
        }
        assertSameBits(bits(r2.model().store(), true), bits(k2.model().store(), true), "2 accumulated batches vs 2 replicas");
    }

    @Test
    void microBatchesAreBalancedInAtomsAndKeepBatchOrder() {
        Step1Trainer t = trainer(1, 16, 1);
        List<CrystalRecord> global = t.trainBatches(0).get(0);
        List<List<CrystalRecord>> micro = Step1Trainer.microBatches(global, 2);
        assertEquals(2, micro.size());
        assertEquals(8, micro.get(0).size());
        assertEquals(8, micro.get(1).size());
        java.util.Set<CrystalRecord> all = new java.util.HashSet<>(micro.get(0));
        all.addAll(micro.get(1));
        assertEquals(new java.util.HashSet<>(global), all, "every crystal once");
        for (List<CrystalRecord> m : micro) {
            for (int i = 1; i < m.size(); i++) assertTrue(global.indexOf(m.get(i - 1)) < global.indexOf(m.get(i)), "batch order");
        }
        int a0 = micro.get(0).stream().mapToInt(CrystalRecord::numAtoms).sum(), a1 = micro.get(1).stream().mapToInt(CrystalRecord::numAtoms).sum();
        int c0 = global.subList(0, 8).stream().mapToInt(CrystalRecord::numAtoms).sum(), c1 = global.subList(8, 16).stream().mapToInt(CrystalRecord::numAtoms).sum();
        assertTrue(Math.abs(a0 - a1) <= Math.abs(c0 - c1), "balanced " + a0 + "/" + a1 + ", contiguous halves " + c0 + "/" + c1);
        assertEquals(List.of(global), Step1Trainer.microBatches(global, 1), "one replica: the batch as it is");
    }

    static List<CrystalRecord> concat(List<CrystalRecord> a, List<CrystalRecord> b) {
        List<CrystalRecord> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    /** A run started on 2 replicas (train.devices = 2) resumes on 1: the checkpoint holds only global state. */
    @Test
    void resumeTakesAnotherLayout(@TempDir Path dir) throws Exception {
        TrainingData small = new TrainingData(mptest.train().subList(0, 8), mptest.val().subList(0, 4), mptest.propertyNames(),
                mptest.scaler(), mptest.checksum(), mptest.source());
        Config two = ConfigLoader.resolve("tiny", List.of("train.devices=2"));
        new Step1Trainer(two, small, dir, new Step1Trainer.Options(42, 2, 1, 4, false, 1, 5, "test", "test", 2), null).run();
        Step1Trainer.Summary s = new Step1Trainer(tiny, small, dir, new Step1Trainer.Options(42, 2, 2, 4, true, 1, 5, "test", "test", 1), null).run();
        assertEquals(1, s.lastEpoch());
        assertEquals(4, s.steps(), "2 epochs x 2 steps");
        assertEquals(3, Files.readAllLines(dir.resolve(Step1Trainer.METRICS)).size(), "header + 2 epochs");
    }

    /** 1 epoch, small data: 2 ranks × 1 replica over a collective of threads vs 1 process × 2 replicas. */
    @Test
    void twoRanksOfOneReplicaEqualOneProcessOfTwo(@TempDir Path dir) throws Exception {
        TrainingData small = new TrainingData(mptest.train().subList(0, 8), mptest.val().subList(0, 8), mptest.propertyNames(),
                mptest.scaler(), mptest.checksum(), mptest.source());
        Path one = dir.resolve("one"), two = dir.resolve("two");
        Step1Trainer.Summary s1 = new Step1Trainer(tiny, small, one, new Step1Trainer.Options(42, 2, 2, 4, false, 1, 5, "test", "test", 2), null).run();
        List<Collective> job = ThreadCollective.group(2);
        ExecutorService ranks = Executors.newFixedThreadPool(2);
        List<Future<Step1Trainer.Summary>> f = new ArrayList<>();
        for (Collective c : job) {
            f.add(ranks.submit(() -> new Step1Trainer(tiny, small, two, new Step1Trainer.Options(42, 1, 2, 4, false, 1, 5, "test", "test", 1), null, c).run()));
        }
        Step1Trainer.Summary r0 = f.get(0).get(), r1 = f.get(1).get();
        ranks.shutdown();
        assertEquals(s1.bestValLoss(), r0.bestValLoss(), 0.0, "validation gathered over ranks");
        assertEquals(r0.bestValLoss(), r1.bestValLoss(), 0.0, "the same decision on every rank");
        assertEquals(s1.steps(), r0.steps());
        Safetensors a = Safetensors.read(one.resolve(Step1Trainer.LAST)), b = Safetensors.read(two.resolve(Step1Trainer.LAST));
        assertEquals(a.names(), b.names());
        for (String n : a.names()) {
            if (!a.toNd(n).dataType().isFPType()) continue;
            assertArrayEquals(a.toNd(n).data().asFloat(), b.toNd(n).data().asFloat(), n);
        }
        assertEquals(Files.readString(one.resolve(Step1Trainer.METRICS)).lines().count(), Files.readString(two.resolve(Step1Trainer.METRICS)).lines().count());
        String run = Files.readString(two.resolve(Step1Trainer.RUN));
        assertTrue(run.contains("\"ranks\" : 2") && run.contains("threads (test)"), run);
    }
}
