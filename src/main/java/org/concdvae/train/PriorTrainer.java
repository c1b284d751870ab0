package org.concdvae.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.autodiff.Engine;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.crystal.Composition;
import org.concdvae.data.CrystalRecord;
import org.concdvae.dist.Collective;
import org.concdvae.dist.SingleProcess;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.CheckpointFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.Safetensors;
import org.concdvae.model.ConCdvae;
import org.concdvae.model.ConditionModel;
import org.concdvae.model.ElementFeatures;
import org.concdvae.model.LatentPrior;
import org.concdvae.model.ModelDirectory;
import org.concdvae.model.Probe;
import org.concdvae.nn.AdamOptimizer;
import org.concdvae.nn.DataParallel;
import org.concdvae.nn.ParameterStore;
import org.concdvae.nn.ReduceLROnPlateau;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
 * Trains the step-two prior (prior.md §1, §4) next to a trained step-one model: the frozen step-one encoder gives
 * each crystal's target {@code z0 = μ} (posterior mean incl. tanh; the encoder is deterministic, so μ is computed once
 * before the first epoch instead of in every step — the same numbers), then the noise-prediction loss is minimised
 * with the prior's optimiser settings (Adam, clipping by value, ReduceLROnPlateau on {@code val_loss}, early-stopping
 * patience) and the step-one trainer's machinery: per-(seed, step) generators, best and last checkpoints with the
 * optimiser/scheduler state for an exact {@code --resume}, metrics CSVs and a run record.
 *
 * <p>Files in the model directory, for label L: {@code L.safetensors} (best by val_loss), {@code L-last.safetensors},
 * {@code L-config.yaml}, {@code L-metrics.csv}, {@code L-metrics_steps.csv}, {@code L-run.json} and
 * {@code L-reference.csv}: the condition values of every training crystal ({@code id} plus one column per condition,
 * derived ones such as {@code crystal_system} or {@code n_atom} included; {@code formula} as the reduced formula), the
 * table {@code sample --strategy less} fills missing conditions from.
 */
public final class PriorTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param epochs total epochs (null: prior.train.max_epochs); @param batchSize null: data.batch_size.train */
    /** @param replicas model replicas in this process (see {@link DataParallel}); 0: one per thread that splits the batch */
    public record Options(long seed, int threads, Integer epochs, Integer batchSize, boolean resume, int logEvery,
                          String version, String commandLine, int replicas) {
        /** One replica: the plain trainer. */
        public Options(long seed, int threads, Integer epochs, Integer batchSize, boolean resume, int logEvery,
                       String version, String commandLine) {
            this(seed, threads, epochs, batchSize, resume, logEvery, version, commandLine, 1);
        }
    }

    /** What a finished run reports. */
    public record Summary(int epochsRun, int lastEpoch, long steps, double bestValLoss, int bestEpoch,
                          boolean earlyStopped, double firstTrainLoss, double lastTrainLoss, Path weights) {}

    private final Config cfg;
    private final String label;
    private final ModelDirectory dir;
    private final TrainingData data;
    private final Options opt;
    private final Step1Trainer.Listener listener;
    private final ParameterStore store;
    private final LatentPrior prior;
    private final AdamOptimizer adam;
    private final int epochs, batchSize, replicaThreads;
    private final Collective collective;
    private final DataParallel dp;
    private final ElementFeatures formulaFeatures;
    private Encoded train, val;

    private final TrainingState state;

    /** Per-crystal targets and condition values. */
    private record Encoded(INDArray mu, Map<String, double[]> conditions, Map<String, Integer> widths) {
        int size() { return (int) mu.size(0); }
    }

    /**
     * @param cfg the step-one configuration with the prior section to train ({@code prior.label} = the file label)
     */
    public PriorTrainer(Config cfg, ModelDirectory dir, TrainingData data, Options opt, Step1Trainer.Listener listener) {
        this(cfg, dir, data, opt, listener, SingleProcess.INSTANCE);
    }

    /** A trainer that is one process of the job {@code collective} (rank 0 alone writes). */
    public PriorTrainer(Config cfg, ModelDirectory dir, TrainingData data, Options opt, Step1Trainer.Listener listener,
                        Collective collective) {
        this.cfg = cfg;
        this.collective = collective;
        this.label = ModelDirectory.checkLabel(cfg.prior().label());
        this.dir = dir;
        this.data = data;
        this.opt = opt;
        this.listener = listener == null ? new Step1Trainer.Listener() {} : listener;
        Config.Prior p = cfg.prior();
        if (p.hiddenDim() != cfg.model().latentDim()) {
            throw new InvalidInputException("prior.hidden_dim (" + p.hiddenDim() + ") must equal model.latent_dim (" + cfg.model().latentDim() + "): the prior models the step-one latent");
        }
        this.epochs = opt.epochs() != null ? opt.epochs() : p.train().maxEpochs();
        this.batchSize = opt.batchSize() != null ? opt.batchSize() : cfg.data().batchSize().train();
        if (epochs < 1) throw new InvalidInputException("epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new InvalidInputException("batch size must be at least 1, got " + batchSize);
        Config.Optimizer o = p.optim().optimizer();
        if (!"adam".equalsIgnoreCase(o.name())) throw new InvalidInputException("prior.optim.optimizer.name: only adam is supported, got " + o.name());
        if (o.weightDecay() != 0) throw new InvalidInputException("prior.optim.optimizer.weight_decay: only 0 is supported");
        if (!"value".equals(p.train().gradientClipAlgorithm()) && p.train().gradientClipVal() > 0) {
            throw new InvalidInputException("prior.train.gradient_clip_algorithm: only 'value' is supported");
        }
        int replicas = DataParallel.resolveReplicas(opt.replicas(), opt.threads(), batchSize, collective.size(), 2);
        DataParallel.checkSplit(opt.batchSize() != null ? "--batch-size" : "data.batch_size.train", batchSize,
                replicas * collective.size(), replicas, collective.size(), 1);
        this.replicaThreads = replicas == 1 ? opt.threads() : DataParallel.threadsPerReplica(opt.threads(), replicas);
        Engine.setThreads(opt.threads());
        this.store = new ParameterStore(DataType.FLOAT);
        this.prior = new LatentPrior(store, p);
        prior.initialise(new Random(opt.seed()));
        this.adam = new AdamOptimizer(store, o.lr(), o.betas().get(0), o.betas().get(1), o.eps(), p.train().gradientClipVal());
        Config.LrScheduler s = p.optim().lrScheduler();
        this.state = new TrainingState(p.optim().useLrScheduler() ? new ReduceLROnPlateau(o.lr(), s.factor(), s.patience(), s.minLr(), 1e-4, 0) : null);
        boolean needsFormula = prior.conditionModel().embeddings().stream().anyMatch(e -> e instanceof ConditionModel.Vector);
        this.formulaFeatures = needsFormula ? ElementFeatures.resolve(p.formulaFeatures()) : null;
        this.dp = new DataParallel(store, replicas, collective);
    }

    /** Replicas of this process. */
    public int replicas() { return dp.replicas(); }

    public LatentPrior prior() { return prior; }

    public Path weights() { return dir.priorWeights(label); }

    private Path last() { return dir.path().resolve(label + "-last.safetensors"); }

    /** Encodes the data with the frozen step-one model, then trains (or resumes); returns the summary. */
    public Summary run(ConCdvae stepOne) throws IOException {
        try {
            return train(stepOne);
        } finally {
            dp.close();
            Engine.setThreads(opt.threads());
        }
    }

    private Summary train(ConCdvae stepOne) throws IOException {
        boolean root = collective.isRoot();
        if (opt.resume()) restore(last());
        else if (Files.exists(last())) {
            throw new InvalidInputException(dir.path() + ": already holds prior '" + label + "' (" + last().getFileName()
                    + "); use --resume to continue it or choose another --label");
        }
        listener.message("encoding " + data.train().size() + " training and " + data.val().size() + " validation crystals with the step-one encoder");
        train = encode(stepOne, data.train());
        val = encode(stepOne, data.val());
        Engine.setThreads(replicaThreads);   // the encoder ran on every thread; the replicas share them from here
        if (root) {
            writeReference(data.train(), train);
            AtomicFiles.writeString(dir.priorConfig(label), "# configuration of prior '" + label + "' (concdvae train-prior)\n" + ConfigLoader.toYaml(cfg));
            writeRunRecord(null);
        }
        MetricsLog metrics = new MetricsLog(dir.path().resolve(label + "-metrics.csv"), dir.path().resolve(label + "-metrics_steps.csv"), state.epoch, root);
        int steps = (train.size() + batchSize - 1) / batchSize;
        // a trailing batch too small to give every replica of the job a crystal is left out
        if (steps > 1 && train.size() - (steps - 1) * batchSize < dp.total()) steps--;
        listener.start(state.epoch, epochs, steps);
        int first = state.epoch, patience = cfg.prior().train().earlyStopping().patience();
        boolean early = false;
        while (state.epoch < epochs) {
            int epoch = state.epoch;
            long t0 = System.nanoTime();
            int[] order = Batches.order(train.size(), new Random(Step1Trainer.mix(opt.seed(), 0x5eedL, epoch)));
            double sum = 0;
            int counted = 0, skipped = 0;
            for (int s = 0; s < steps; s++) {
                int from = s * batchSize, to = Math.min(train.size(), from + batchSize);
                int[] idx = java.util.Arrays.copyOfRange(order, from, to);
                double loss = trainStep(idx);
                long globalStep = ++state.globalStep;
                if (Double.isNaN(loss)) {
                    skipped++;
                    continue;
                }
                sum += loss * idx.length;
                counted += idx.length;
                Map<String, Double> terms = Map.of("loss", loss);
                if (globalStep % opt.logEvery() == 0) metrics.step(epoch, globalStep, terms, adam.learningRate());
                listener.step(epoch, s + 1, terms);
            }
            double valLoss = validate();
            double lrUsed = adam.learningRate();
            boolean improved = state.endEpoch(valLoss, adam);
            Map<String, Double> tr = new LinkedHashMap<>();
            tr.put("loss", counted > 0 ? sum / counted : Double.NaN);
            Step1Trainer.EpochResult r = new Step1Trainer.EpochResult(epoch, tr, Map.of("loss", valLoss), lrUsed, improved,
                    skipped, (System.nanoTime() - t0) / 1e9);
            metrics.epoch(r);
            state.epoch++;
            if (root) {
                if (improved) saveCheckpoint(weights(), false);
                saveCheckpoint(last(), true);
            }
            listener.epoch(r);
            if (state.shouldStop(patience)) {
                early = true;
                listener.message("early stopping: val_loss did not improve for " + patience + " epochs");
                break;
            }
        }
        Summary sum = new Summary(state.epoch - first, state.epoch - 1, state.globalStep, state.bestVal, state.bestEpoch, early,
                metrics.firstTrainLoss(), metrics.lastTrainLoss(), weights());
        if (root) writeRunRecord(sum);
        return sum;
    }

    /** μ of every crystal (eval mode, no gradient) and the prior's condition values. */
    private Encoded encode(ConCdvae stepOne, List<CrystalRecord> crystals) {
        List<INDArray> parts = new ArrayList<>();
        int chunk = 256;
        for (int from = 0; from < crystals.size(); from += chunk) {
            List<CrystalRecord> part = crystals.subList(from, Math.min(crystals.size(), from + chunk));
            ConCdvae.Batch b = Batches.collate(part, data.propertyNames(), List.of(), stepOne, opt.threads());
            try (Tape t = Tape.inference()) {
                INDArray eps = Nd4j.zeros(DataType.FLOAT, part.size(), cfg.model().latentDim());
                parts.add(stepOne.cdvae().encode(t, b.encoderGraph(), eps, Probe.NONE).mu().value().dup());
            } finally {
                b.encoderGraph().close();
            }
        }
        INDArray mu = parts.size() == 1 ? parts.get(0) : Nd4j.vstack(parts.toArray(new INDArray[0]));
        Map<String, double[]> cond = new LinkedHashMap<>();
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (ConditionModel.ConditionEmbedding e : prior.conditionModel().embeddings()) {
            String name = e.name();
            if (e instanceof ConditionModel.Vector) {
                if (!name.equals("formula")) {
                    throw new InvalidInputException("prior condition '" + name + "': vector conditions other than 'formula' are not supported");
                }
                int w = formulaFeatures.width();
                double[] v = new double[crystals.size() * w];
                for (int i = 0; i < crystals.size(); i++) {
                    System.arraycopy(formulaFeatures.mean(Composition.of(crystals.get(i).atomTypes())), 0, v, i * w, w);
                }
                cond.put(name, v);
                widths.put(name, w);
                continue;
            }
            int k = data.propertyNames().indexOf(name);
            if (k < 0) {
                throw new InvalidInputException("prior condition '" + name + "' is not in the data (cached properties: "
                        + data.propertyNames() + "); add it to data.prelo_prop and rerun 'concdvae preprocess'");
            }
            double[] v = new double[crystals.size()];
            for (int i = 0; i < v.length; i++) {
                CrystalRecord r = crystals.get(i);
                v[i] = r.properties()[k];
                if (!Double.isFinite(v[i])) throw new InvalidInputException(r.file() + ": row " + r.row() + " (" + r.id() + "): property '" + name + "' is missing");
            }
            cond.put(name, v);
            widths.put(name, 1);
        }
        return new Encoded(mu, cond, widths);
    }

    /** {@code L-reference.csv}: id and condition values of the training crystals (see the class comment). */
    private void writeReference(List<CrystalRecord> crystals, Encoded e) throws IOException {
        List<String> names = prior.conditionModel().names();
        StringBuilder sb = new StringBuilder("id");
        for (String n : names) sb.append(',').append(n);
        sb.append('\n');
        for (int i = 0; i < crystals.size(); i++) {
            CrystalRecord r = crystals.get(i);
            sb.append(csvField(r.id()));
            for (String n : names) {
                sb.append(',');
                if (e.widths().get(n) == 1) sb.append(number(e.conditions().get(n)[i]));
                else sb.append(Composition.of(r.atomTypes()).reducedFormula());
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(dir.priorReference(label), sb.toString());
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private Map<String, double[]> select(Encoded e, int[] idx) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> c : e.conditions().entrySet()) {
            int w = e.widths().get(c.getKey());
            double[] v = new double[idx.length * w];
            for (int i = 0; i < idx.length; i++) System.arraycopy(c.getValue(), idx[i] * w, v, i * w, w);
            m.put(c.getKey(), v);
        }
        return m;
    }

    private static INDArray rows(INDArray a, int[] idx) {
        INDArray out = Nd4j.create(a.dataType(), idx.length, a.size(1));
        for (int i = 0; i < idx.length; i++) out.putRow(i, a.getRow(idx[i]));
        return out;
    }

    /**
     * One optimisation step over the global batch {@code idx}: global replica g of the job's N takes the contiguous
     * slice g (see {@link DataParallel#slice}) and its own generator; the gradients are averaged by
     * {@link DataParallel#reduce}. The mean of the replicas' losses, or NaN when the step was skipped (non-finite loss
     * or gradient).
     */
    private double trainStep(int[] idx) {
        long step = state.globalStep;
        int total = dp.total();
        List<Double> losses = dp.map(r -> {
            int g = dp.global(r);
            int[] sl = DataParallel.slice(idx.length, total, g);
            int[] mine = java.util.Arrays.copyOfRange(idx, sl[0], sl[1]);
            try (Tape t = dp.tape(r, Tape.training())) {
                long base = Step1Trainer.mix(opt.seed(), 0x9a10L, step);
                Random rng = new Random(g == 0 ? base : Step1Trainer.mix(base, 0x3c1L, g));
                Tensor loss = prior.loss(t, t.ownedConstant(rows(train.mu(), mine)), select(train, mine), rng);
                double v = loss.item();
                if (Double.isFinite(v)) t.backward(loss);
                return v;
            }
        });
        DataParallel.LossSum sum = dp.sumLosses(losses);
        if (!dp.reduce(1, sum.nonFinite())) return Double.NaN;
        adam.step(dp);
        return total == 1 ? sum.sum() : sum.sum() / total;
    }

    /**
     * val_loss: the same noise-prediction loss on the validation crystals, draws seeded by (seed, epoch, batch). The
     * batches are dealt round-robin to the job's replicas and gathered exactly (see {@link Step1Trainer#validate}), so
     * the value is the single-process one on every rank.
     */
    private double validate() {
        dp.syncBuffers();
        int nb = (val.size() + batchSize - 1) / batchSize, total = dp.total();
        double[] loss = new double[nb];
        dp.map(r -> {
            for (int i = dp.global(r); i < nb; i += total) {
                int from = i * batchSize;
                int[] idx = new int[Math.min(val.size(), from + batchSize) - from];
                for (int k = 0; k < idx.length; k++) idx[k] = from + k;
                try (Tape t = Tape.inference()) {
                    Random rng = new Random(Step1Trainer.mix(opt.seed(), 0x0a1L + state.epoch, i));
                    loss[i] = prior.loss(t, t.ownedConstant(rows(val.mu(), idx)), select(val, idx), rng).item();
                }
            }
            return null;
        });
        if (dp.ranks() > 1) collective.allreduceSum(loss);
        double sum = 0;
        int n = 0;
        for (int i = 0; i < nb; i++) {
            int len = Math.min(val.size(), (i + 1) * batchSize) - i * batchSize;
            sum += loss[i] * len;
            n += len;
        }
        return sum / n;
    }

    private void saveCheckpoint(Path file, boolean withOptimizer) throws IOException {
        Map<String, INDArray> tensors = TrainingState.checkpointTensors(store, adam, withOptimizer);
        ObjectNode info = JSON.createObjectNode();
        info.put("kind", "concdvae-prior");
        info.put("label", label);
        state.putCounters(info);
        info.put("seed", opt.seed());
        info.put("version", opt.version());
        info.set("config", ConfigLoader.toTree(cfg));
        info.put("optimizer_lr", adam.learningRate());
        state.putSchedulerAndEarlyStopping(info);
        info.put("data_checksum", data.checksum());
        info.put("step1_sha256", Safetensors.sha256(dir.path().resolve(ModelDirectory.STEP1_WEIGHTS)));
        CheckpointFiles.write(file, tensors, info);
    }

    private void restore(Path file) {
        if (!Files.exists(file)) throw new InvalidInputException(dir.path() + ": nothing to resume (" + file.getFileName() + " not found)");
        CheckpointFiles.Checkpoint ck = CheckpointFiles.read(file);
        JsonNode info = ck.info();
        if (!"concdvae-prior".equals(info.path("kind").asText())) throw new InvalidInputException(file + ": not a prior training checkpoint");
        String diff = org.concdvae.io.JsonDifference.first(TrainingState.resumeComparable(info.path("config")), TrainingState.resumeComparable(ConfigLoader.toTree(cfg)));
        if (diff != null) {
            throw new InvalidInputException(file + ": the configuration differs from the checkpoint's: " + diff
                    + " (resume with the same --label, --conditions and --set)");
        }
        if (info.path("seed").asLong() != opt.seed()) {
            throw new InvalidInputException(file + ": the checkpoint was trained with --seed " + info.path("seed").asLong() + ", not " + opt.seed());
        }
        if (!data.checksum().equals(info.path("data_checksum").asText())) throw new InvalidInputException(file + ": the data differ from the checkpoint's (checksum)");
        if (!Safetensors.sha256(dir.path().resolve(ModelDirectory.STEP1_WEIGHTS)).equals(info.path("step1_sha256").asText())) {
            throw new InvalidInputException(file + ": the step-one weights changed since this prior was trained");
        }
        TrainingState.loadCheckpointTensors(ck.tensors(), store, adam, file);
        adam.setLearningRate(info.path("optimizer_lr").asDouble());
        state.restore(info);
        listener.message("resumed prior '" + label + "' at epoch " + state.epoch + " (step " + state.globalStep + ")");
    }

    private void writeRunRecord(Summary s) {
        ObjectNode run = TrainingState.runHeader("train-prior", opt.version(), opt.commandLine(), opt.seed(), opt.threads(), data,
                epochs, batchSize, store.trainableCount());
        run.put("label", label);
        run.put("conditions", String.join(",", prior.conditionModel().names()));
        if (formulaFeatures != null) run.put("formula_features", formulaFeatures.source());
        TrainingState.putLayout(run, dp, 1);
        run.put("updated", Instant.now().toString());
        if (s != null) TrainingState.putResult(run, s.lastEpoch(), s.steps(), s.bestValLoss(), s.bestEpoch(), s.earlyStopped());
        try {
            AtomicFiles.writeString(dir.path().resolve(label + "-run.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(run) + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
