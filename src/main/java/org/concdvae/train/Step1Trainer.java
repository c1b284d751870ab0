package org.concdvae.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.autodiff.Engine;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.data.CrystalRecord;
import org.concdvae.data.LatticeScaler;
import org.concdvae.dist.Collective;
import org.concdvae.dist.SingleProcess;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.CheckpointFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.model.ConCdvae;
import org.concdvae.nn.AdamOptimizer;
import org.concdvae.nn.DataParallel;
import org.concdvae.nn.ParameterStore;
import org.concdvae.nn.ReduceLROnPlateau;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The step-one training loop (model.md §12–§13, the Lightning trainer of the reference): Adam with clipping by value,
 * ReduceLROnPlateau on {@code val_loss} once per epoch, teacher forcing while {@code epoch ≤ teacher_forcing_max_epoch},
 * validation every epoch (eval mode, teacher forcing off), early stopping on {@code val_loss}, best and last
 * checkpoints, per-epoch and per-N-step metrics CSVs, a loss-curve PNG and {@code run.json}.
 *
 * <p>Determinism: every random draw of a step comes from a generator seeded by {@code (seed, global step)}, the
 * epoch's shuffle by {@code (seed, epoch)} and validation by {@code (seed, epoch, batch)}, so the run is a function of
 * the seed and a resumed run continues exactly as the uninterrupted one (the checkpoint holds weights, BatchNorm
 * statistics, Adam moments and step counts, scheduler and early-stopping state, epoch and step).
 *
 * <p>NaN/Inf guard: a step whose loss or gradient is not finite is skipped (no update) and logged;
 * {@link Options#maxBadSteps} such steps in a row stop the run with {@link DivergedException}.
 */
public final class Step1Trainer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Step1Trainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String LAST = "last.safetensors", BEST = "best.safetensors";
    public static final String METRICS = "metrics.csv", STEP_METRICS = "metrics_steps.csv", PLOT = "loss_curves.png";
    public static final String RUN = "run.json", CONFIG = "config.yaml";

    /**
     * @param epochs      total epochs (overrides {@code data.train_max_epochs} when not null)
     * @param batchSize   training and validation batch size (overrides {@code data.batch_size} when not null)
     * @param logEvery    write a {@value #STEP_METRICS} row every this many steps
     * @param maxBadSteps consecutive non-finite steps that stop the run
     * @param replicas    model replicas in this process (data-parallel, see {@link DataParallel}); 0: one per thread,
     *                    as many as split the global batch evenly ({@link DataParallel#resolveReplicas})
     */
    public record Options(long seed, int threads, Integer epochs, Integer batchSize, boolean resume, int logEvery,
                          int maxBadSteps, String version, String commandLine, int replicas) {
        /** One replica: the plain single-threaded-step trainer. */
        public Options(long seed, int threads, Integer epochs, Integer batchSize, boolean resume, int logEvery,
                       int maxBadSteps, String version, String commandLine) {
            this(seed, threads, epochs, batchSize, resume, logEvery, maxBadSteps, version, commandLine, 1);
        }
    }

    /** Receives progress (the CLI shows a bar); all methods have empty defaults. */
    public interface Listener {
        default void start(int firstEpoch, int epochs, int stepsPerEpoch) {}

        default void step(int epoch, int step, Map<String, Double> terms) {}

        default void epoch(EpochResult r) {}

        default void message(String text) {}
    }

    /** One epoch's averages. */
    public record EpochResult(int epoch, Map<String, Double> train, Map<String, Double> val, double lr,
                              boolean best, int skippedSteps, double seconds) {}

    /** What a finished run reports. */
    public record Summary(int epochsRun, int lastEpoch, long steps, double bestValLoss, int bestEpoch,
                          boolean earlyStopped, double firstTrainLoss, double lastTrainLoss, Path outDir) {}

    /** The run stopped because too many consecutive steps were not finite. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) { super(message); }
    }

    private final Config cfg;
    private final TrainingData data;
    private final Path out;
    private final Options opt;
    private final Listener listener;
    private final ParameterStore store;
    private final ConCdvae model;
    private final AdamOptimizer adam;
    private final int epochs, batchSize, valBatchSize, accumulate, replicaThreads;
    private final Collective collective;
    private final DataParallel dp;
    private final List<String> needed;
    private final double[] scalerMean, scalerStd;

    // state saved in checkpoints
    private final TrainingState state;
    private int badInRow = 0;

    public Step1Trainer(Config cfg, TrainingData data, Path out, Options opt, Listener listener) {
        this(cfg, data, out, opt, listener, SingleProcess.INSTANCE);
    }

    /**
     * A trainer that is one process of the job {@code collective}: rank 0 alone writes; every collective call is made
     * in the same order on every rank.
     */
    public Step1Trainer(Config cfg, TrainingData data, Path out, Options opt, Listener listener, Collective collective) {
        this.cfg = cfg;
        this.collective = collective;
        this.data = data;
        this.out = out;
        this.opt = opt;
        this.listener = listener == null ? new Listener() {} : listener;
        if (cfg.train().precision() != 32) throw new InvalidInputException("train.precision: only 32 (float32) is supported");
        if (!"value".equals(cfg.train().gradientClipAlgorithm()) && cfg.train().gradientClipVal() > 0) {
            throw new InvalidInputException("train.gradient_clip_algorithm: only 'value' is supported");
        }
        this.epochs = opt.epochs() != null ? opt.epochs() : cfg.train().maxEpochs();
        this.batchSize = opt.batchSize() != null ? opt.batchSize() : cfg.data().batchSize().train();
        this.valBatchSize = opt.batchSize() != null ? opt.batchSize() : cfg.data().batchSize().val();
        if (epochs < 1) throw new InvalidInputException("epochs must be at least 1, got " + epochs);
        if (batchSize < 2 || valBatchSize < 1) throw new InvalidInputException("batch size must be at least 2 (BatchNorm needs 2 crystals), got " + batchSize);
        this.accumulate = cfg.train().accumulateGradBatches();
        if (accumulate < 1) throw new InvalidInputException("train.accumulate_grad_batches must be at least 1, got " + accumulate);
        int replicas = DataParallel.resolveReplicas(opt.replicas(), opt.threads(), batchSize, collective.size(), 2);
        DataParallel.checkSplit(opt.batchSize() != null ? "--batch-size" : "data.batch_size.train", batchSize,
                replicas * collective.size(), replicas, collective.size(), 2);
        this.replicaThreads = replicas == 1 ? opt.threads() : DataParallel.threadsPerReplica(opt.threads(), replicas);
        Engine.setThreads(replicaThreads);
        this.store = new ParameterStore(DataType.FLOAT);
        this.model = new ConCdvae(store, cfg.model());
        model.initialise(new Random(opt.seed()));
        Config.Optimizer o = cfg.optim().optimizer();
        if (!"adam".equalsIgnoreCase(o.name())) throw new InvalidInputException("optim.optimizer.name: only adam is supported, got " + o.name());
        if (o.weightDecay() != 0) throw new InvalidInputException("optim.optimizer.weight_decay: only 0 is supported");
        this.adam = new AdamOptimizer(store, o.lr(), o.betas().get(0), o.betas().get(1), o.eps(), cfg.train().gradientClipVal());
        Config.LrScheduler s = cfg.optim().lrScheduler();
        this.state = new TrainingState(cfg.optim().useLrScheduler() ? new ReduceLROnPlateau(o.lr(), s.factor(), s.patience(), s.minLr(), 1e-4, 0) : null);
        this.needed = Batches.neededProperties(model);
        this.dp = new DataParallel(store, replicas, collective);
        LatticeScaler sc = data.scaler();
        this.scalerMean = sc.means();
        this.scalerStd = sc.stds();
    }

    public ConCdvae model() { return model; }

    /** Replicas of this process. */
    public int replicas() { return dp.replicas(); }

    /** CPU time the replicas have spent side by side so far ({@link DataParallel#overlapNanos}), for benchmarks. */
    public long replicaOverlapNanos() { return dp.overlapNanos(); }

    /** Each replica's CPU time in side-by-side sections so far ({@link DataParallel#replicaCpuNanos}), for benchmarks. */
    public long[] replicaCpuNanos() { return dp.replicaCpuNanos(); }

    TrainingState state() { return state; }

    /** Runs (or resumes) the training; returns the summary. */
    public Summary run() throws IOException {
        try {
            return train();
        } finally {
            close();
        }
    }

    private Summary train() throws IOException {
        boolean root = collective.isRoot();
        if (root) Files.createDirectories(out);
        if (opt.resume()) restore(out.resolve(LAST));
        else if (Files.exists(out.resolve(LAST))) {
            throw new InvalidInputException(out + ": already holds a run (" + LAST + "); use --resume to continue it or choose another --out");
        }
        if (root) {
            writeRunRecord(null);
            AtomicFiles.writeString(out.resolve(CONFIG), ConfigLoader.toYaml(cfg));
            data.scaler().write(out.resolve(cfg.data().latticeScalerFile()));
        }
        MetricsLog metrics = new MetricsLog(out.resolve(METRICS), out.resolve(STEP_METRICS), state.epoch, root);

        int steps = stepsPerEpoch();
        listener.start(state.epoch, epochs, steps);
        int first = state.epoch;
        boolean early = false;
        int patience = cfg.train().earlyStopping().patience();
        while (state.epoch < epochs) {
            int epoch = state.epoch;
            long t0 = System.nanoTime();
            boolean tf = epoch <= cfg.model().teacherForcingMaxEpoch();
            Map<String, Double> trainAvg = new LinkedHashMap<>();
            int counted = 0, skipped = 0;
            List<List<CrystalRecord>> batches = trainBatches(epoch);
            for (int s = 0; s * accumulate < batches.size(); s++) {
                // one optimiser step over `accumulate` global batches (fewer at the end of the epoch)
                List<List<CrystalRecord>> group = batches.subList(s * accumulate, Math.min(batches.size(), (s + 1) * accumulate));
                Map<String, Double> terms = trainStep(group, tf);
                long globalStep = ++state.globalStep;
                if (terms == null) {
                    skipped++;
                    if (++badInRow >= opt.maxBadSteps()) {
                        throw new DivergedException("training diverged: " + badInRow + " consecutive steps with a non-finite loss or gradient (epoch "
                                + epoch + ", step " + globalStep + "); lower optim.optimizer.lr or check the data");
                    }
                    listener.message("skipped step " + globalStep + ": non-finite loss or gradient");
                    log.warn("epoch {} step {}: non-finite loss or gradient, step skipped", epoch, globalStep);
                    continue;
                }
                badInRow = 0;
                int w = 0;
                for (List<CrystalRecord> b : group) w += b.size();
                for (Map.Entry<String, Double> e : terms.entrySet()) trainAvg.merge(e.getKey(), e.getValue() * w, Double::sum);
                counted += w;
                if (globalStep % opt.logEvery() == 0) metrics.step(epoch, globalStep, terms, adam.learningRate());
                listener.step(epoch, s + 1, terms);
            }
            if (counted > 0) for (Map.Entry<String, Double> e : trainAvg.entrySet()) e.setValue(e.getValue() / counted);
            Map<String, Double> val = validate();
            double lrUsed = adam.learningRate();
            boolean improved = state.endEpoch(val.get("loss"), adam);
            EpochResult r = new EpochResult(epoch, trainAvg, val, lrUsed, improved, skipped, (System.nanoTime() - t0) / 1e9);
            metrics.epoch(r);
            state.epoch++;
            if (root) {
                if (improved) saveCheckpoint(out.resolve(BEST), false);   // best: the weights for sampling; last: everything --resume needs
                saveCheckpoint(out.resolve(LAST), true);
                LossPlot.write(out.resolve(PLOT), metrics.epochRows());
            }
            listener.epoch(r);
            if (state.shouldStop(patience)) {
                early = true;
                listener.message("early stopping: val_loss did not improve for " + patience + " epochs");
                break;
            }
        }
        Summary sum = new Summary(state.epoch - first, state.epoch - 1, state.globalStep, state.bestVal, state.bestEpoch, early,
                metrics.firstTrainLoss(), metrics.lastTrainLoss(), out);
        if (root) writeRunRecord(sum);
        return sum;
    }

    /** Optimiser steps per epoch: global batches, {@code train.accumulate_grad_batches} of them per step. */
    public int stepsPerEpoch() { return (trainBatches(0).size() + accumulate - 1) / accumulate; }

    /**
     * The epoch's global batches: the same shuffle on every rank from (seed, epoch), cut into chunks of the global
     * batch size. A trailing chunk that would give some replica fewer than 2 crystals is left out (BatchNorm needs two).
     */
    List<List<CrystalRecord>> trainBatches(int ep) {
        Random r = new Random(mix(opt.seed(), 0x5eedL, ep));
        List<List<CrystalRecord>> b = Batches.chunks(data.train(), Batches.order(data.train().size(), r), batchSize);
        if (b.size() > 0 && b.get(b.size() - 1).size() < 2 * dp.total()) b.remove(b.size() - 1);
        if (b.isEmpty()) throw new InvalidInputException("the training split needs at least " + Math.max(2, 2 * dp.total()) + " crystals");
        return b;
    }

    /**
     * The generator of micro-batch {@code u = j·N + g} (micro-step j, global replica g of N) of optimiser step
     * {@code step}. Micro-batch 0 draws exactly what the single-replica trainer draws; k accumulated batches on one
     * replica draw what k replicas draw for the same crystals.
     */
    long stepSeed(long step, int u) {
        long base = mix(opt.seed(), 0x7a11L, step);
        return u == 0 ? base : mix(base, 0x3c1L, u);
    }

    /**
     * One optimisation step on one global batch, as the training loop runs it (the step counter advances; a skipped
     * step returns null). For benchmarks: the crystals need not come from the training split.
     */
    public Map<String, Double> step(List<CrystalRecord> globalBatch, boolean teacherForcing) {
        Map<String, Double> terms = trainStep(List.of(globalBatch), teacherForcing);
        state.globalStep++;
        return terms;
    }

    /** Stops the replica threads (done by {@link #run()} at its end; for callers of {@link #step} alone). */
    @Override
    public void close() {
        dp.close();
        Engine.setThreads(opt.threads());   // the replicas shared the threads; give them back to the process
    }

    /**
     * One optimisation step over the global batches of {@code group} (one, or {@code accumulate_grad_batches}); the
     * loss terms averaged over every micro-batch of the job, or null when the step was skipped (non-finite).
     */
    Map<String, Double> trainStep(List<List<CrystalRecord>> group, boolean teacherForcing) {
        Map<String, Double> terms = gradients(group, teacherForcing);
        if (terms != null) adam.step(dp);
        return terms;
    }

    /**
     * The gradient of one optimiser step, left in the parameters' gradients: each replica of each process takes its
     * slice of each global batch, runs forward and backward on its own thread, then {@link DataParallel#reduce} sums
     * and averages. Returns the averaged loss terms, or null (gradients cleared) when any loss or gradient is not finite.
     */
    Map<String, Double> gradients(List<List<CrystalRecord>> group, boolean teacherForcing) {
        long step = state.globalStep;
        Map<String, Double> sums = new LinkedHashMap<>();
        boolean bad = false;
        for (int j = 0; j < group.size(); j++) {
            List<CrystalRecord> batch = group.get(j);
            final int micro = j;
            List<List<CrystalRecord>> shares = microBatches(batch, dp.total());
            List<Map<String, Double>> out = dp.map(r -> {
                int g = dp.global(r);
                return microStep(r, shares.get(g), teacherForcing, stepSeed(step, micro * dp.total() + g));
            });
            for (Map<String, Double> m : out) {
                if (!Double.isFinite(m.get("loss"))) bad = true;
                for (Map.Entry<String, Double> e : m.entrySet()) sums.merge(e.getKey(), e.getValue(), Double::sum);
            }
        }
        if (dp.ranks() > 1) {
            double[] v = new double[sums.size()];
            int i = 0;
            for (double x : sums.values()) v[i++] = x;
            collective.allreduceSum(v);
            i = 0;
            for (Map.Entry<String, Double> e : sums.entrySet()) e.setValue(v[i++]);
        }
        int parts = dp.total() * group.size();
        if (!dp.reduce(group.size(), bad)) return null;
        if (parts > 1) for (Map.Entry<String, Double> e : sums.entrySet()) e.setValue(e.getValue() / parts);
        return sums;
    }

    /**
     * The micro-batches of a global batch over {@code parts} replicas: equal counts (up to one crystal), balanced in
     * atoms ({@link DataParallel#balancedShares}), each in batch order. One replica takes the whole batch as it is.
     */
    public static List<List<CrystalRecord>> microBatches(List<CrystalRecord> batch, int parts) {
        if (parts == 1) return List.of(batch);
        int[] atoms = new int[batch.size()];
        for (int i = 0; i < atoms.length; i++) atoms[i] = batch.get(i).numAtoms();
        List<List<CrystalRecord>> out = new ArrayList<>();
        for (int[] share : DataParallel.balancedShares(atoms, parts)) {
            List<CrystalRecord> m = new ArrayList<>(share.length);
            for (int i : share) m.add(batch.get(i));
            out.add(m);
        }
        return out;
    }

    /**
     * Forward and (when the loss is finite) backward of replica {@code r} on {@code crystals} with the generator
     * {@code seed}; the gradient goes to the replica's buffers. Returns the loss terms ({@code loss} first).
     */
    Map<String, Double> microStep(int r, List<CrystalRecord> crystals, boolean teacherForcing, long seed) {
        ConCdvae.Batch b = Batches.collate(crystals, data.propertyNames(), needed, model, replicaThreads);
        try (Tape t = dp.tape(r, Tape.training())) {
            Random rng = new Random(seed);
            ConCdvae.Output o = model.forward(t, b, teacherForcing, rng, ConCdvae.Draws.NONE, scalerMean, scalerStd, replicaThreads);
            double loss = o.trainLoss().item();
            Map<String, Double> terms = new LinkedHashMap<>();
            terms.put("loss", loss);
            terms.putAll(o.terms());
            if (Double.isFinite(loss)) t.backward(o.trainLoss());
            return terms;
        } finally {
            b.encoderGraph().close();
        }
    }

    /**
     * Validation in eval mode with teacher forcing off; averages weighted by crystals. The validation batches (file
     * order, as in a single process) are dealt round-robin to the job's replicas: batch i to global replica i mod N,
     * with its generator seeded by (seed, epoch, i) as always. Each batch's numbers reach every rank through one
     * all-reduce in which every slot has a single non-zero addend, and are then summed in batch order, so the result
     * has the same bits as a single-process run and drives the same schedule and early-stopping decisions everywhere.
     */
    Map<String, Double> validate() {
        List<List<CrystalRecord>> batches = Batches.chunks(data.val(), Batches.order(data.val().size(), null), valBatchSize);
        dp.syncBuffers();
        int nb = batches.size(), total = dp.total();
        List<Map<String, Double>> results = new ArrayList<>();
        for (int i = 0; i < nb; i++) results.add(null);
        dp.map(r -> {
            for (int i = dp.global(r); i < nb; i += total) results.set(i, validationBatch(i, batches.get(i)));
            return null;
        });
        if (dp.ranks() > 1) gatherBatches(results);
        Map<String, Double> sum = new LinkedHashMap<>();
        int n = 0;
        for (int i = 0; i < nb; i++) {
            int w = batches.get(i).size();
            for (Map.Entry<String, Double> e : results.get(i).entrySet()) sum.merge(e.getKey(), e.getValue() * w, Double::sum);
            n += w;
        }
        for (Map.Entry<String, Double> e : sum.entrySet()) e.setValue(e.getValue() / n);
        return sum;
    }

    private Map<String, Double> validationBatch(int i, List<CrystalRecord> crystals) {
        ConCdvae.Batch b = Batches.collate(crystals, data.propertyNames(), needed, model, replicaThreads);
        try (Tape t = Tape.inference()) {
            Random rng = new Random(mix(opt.seed(), 0x0a1L + state.epoch, i));
            ConCdvae.Output o = model.forward(t, b, false, rng, ConCdvae.Draws.NONE, scalerMean, scalerStd, replicaThreads);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("loss", o.valLoss().item());
            m.putAll(o.terms());
            m.putAll(ConCdvae.metrics(o, b));
            return m;
        } finally {
            b.encoderGraph().close();
        }
    }

    /**
     * Fills the other ranks' batches into {@code results}: rank 0 (which always has batch 0) broadcasts the names, then
     * one all-reduce of [batch × name] slots, each written by the one rank that computed the batch.
     */
    private void gatherBatches(List<Map<String, Double>> results) {
        byte[] names = collective.isRoot() ? String.join("\n", results.get(0).keySet()).getBytes(java.nio.charset.StandardCharsets.UTF_8) : null;
        List<String> keys = List.of(new String(collective.broadcast(names), java.nio.charset.StandardCharsets.UTF_8).split("\n"));
        int k = keys.size();
        double[] v = new double[results.size() * k];
        boolean[] mine = new boolean[results.size()];
        for (int i = 0; i < results.size(); i++) {
            Map<String, Double> m = results.get(i);
            if (m == null) continue;
            mine[i] = true;
            for (int q = 0; q < k; q++) v[i * k + q] = m.get(keys.get(q));
        }
        collective.allreduceSum(v);
        for (int i = 0; i < results.size(); i++) {
            if (mine[i]) continue;
            Map<String, Double> m = new LinkedHashMap<>();
            for (int q = 0; q < k; q++) m.put(keys.get(q), v[i * k + q]);
            results.set(i, m);
        }
    }

    static long mix(long seed, long a, long b) {
        long h = seed * 0x9E3779B97F4A7C15L + a;
        h ^= (h >>> 29);
        h = h * 0xBF58476D1CE4E5B9L + b;
        h ^= (h >>> 32);
        return h * 0x94D049BB133111EBL;
    }

    // ------------------------------------------------------------------------------------------------ checkpoints

    private void saveCheckpoint(Path file, boolean withOptimizer) throws IOException {
        Map<String, INDArray> tensors = TrainingState.checkpointTensors(store, adam, withOptimizer);
        ObjectNode info = JSON.createObjectNode();
        info.put("kind", "concdvae-step1");
        state.putCounters(info);
        info.put("seed", opt.seed());
        info.put("rng", "per-step generators seeded from (seed, step); nothing else to restore");
        info.put("version", opt.version());
        info.set("config", ConfigLoader.toTree(cfg));
        info.set("lattice_scaler", scalerNode(data.scaler()));
        ObjectNode o = info.putObject("optimizer");
        o.put("lr", adam.learningRate());
        state.putSchedulerAndEarlyStopping(info);
        info.put("bad_steps_in_row", badInRow);
        info.put("data_checksum", data.checksum());
        CheckpointFiles.write(file, tensors, info);
    }

    static ObjectNode scalerNode(LatticeScaler s) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode m = n.putArray("means"), d = n.putArray("stds");
        for (double v : s.means()) m.add(v);
        for (double v : s.stds()) d.add(v);
        return n;
    }

    private void restore(Path file) {
        if (!Files.exists(file)) throw new InvalidInputException(out + ": nothing to resume (" + LAST + " not found)");
        CheckpointFiles.Checkpoint ck = CheckpointFiles.read(file);
        JsonNode info = ck.info();
        if (!"concdvae-step1".equals(info.path("kind").asText())) throw new InvalidInputException(file + ": not a step-one training checkpoint");
        String diff = org.concdvae.io.JsonDifference.first(TrainingState.resumeComparable(info.path("config")), TrainingState.resumeComparable(ConfigLoader.toTree(cfg)));
        if (diff != null) {
            throw new InvalidInputException(file + ": the configuration differs from the checkpoint's: " + diff
                    + " (resume with the same --config and --set)");
        }
        if (info.path("seed").asLong() != opt.seed()) {
            throw new InvalidInputException(file + ": the checkpoint was trained with --seed " + info.path("seed").asLong() + ", not " + opt.seed());
        }
        if (!data.checksum().equals(info.path("data_checksum").asText())) {
            throw new InvalidInputException(file + ": the data differ from the checkpoint's (checksum)");
        }
        TrainingState.loadCheckpointTensors(ck.tensors(), store, adam, file);
        adam.setLearningRate(info.path("optimizer").path("lr").asDouble());
        state.restore(info);
        badInRow = info.path("bad_steps_in_row").asInt();
        listener.message("resumed from " + file.getFileName() + " at epoch " + state.epoch + " (step " + state.globalStep + ")");
    }

    private void writeRunRecord(Summary s) {
        ObjectNode run = TrainingState.runHeader("train-step1", opt.version(), opt.commandLine(), opt.seed(), opt.threads(), data,
                epochs, batchSize, store.trainableCount());
        TrainingState.putLayout(run, dp, accumulate);
        run.put("updated", Instant.now().toString());
        run.set("lattice_scaler", scalerNode(data.scaler()));
        run.set("config", ConfigLoader.toTree(cfg));
        if (s != null) TrainingState.putResult(run, s.lastEpoch(), s.steps(), s.bestValLoss(), s.bestEpoch(), s.earlyStopped());
        try {
            AtomicFiles.writeString(out.resolve(RUN), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(run) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loss terms in the order of the metrics files. */
    static final List<String> TERMS = new ArrayList<>(List.of("loss", "natom_loss", "lattice_loss", "coord_loss",
            "type_loss", "kld_loss", "composition_loss", "predict_loss"));
}
