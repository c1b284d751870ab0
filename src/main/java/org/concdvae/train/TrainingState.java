package org.concdvae.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.autodiff.Simd;
import org.concdvae.config.RetiredKeys;
import org.concdvae.io.Safetensors;
import org.concdvae.model.ModelDirectory;
import org.concdvae.nn.AdamOptimizer;
import org.concdvae.nn.DataParallel;
import org.concdvae.nn.ParameterStore;
import org.concdvae.nn.ReduceLROnPlateau;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The epoch bookkeeping shared by {@link Step1Trainer} and {@link PriorTrainer}: epoch and step counters,
 * ReduceLROnPlateau on {@code val_loss} and early stopping, with their checkpoint form (the keys {@code epoch},
 * {@code next_epoch}, {@code global_step}, {@code scheduler}, {@code early_stopping}) so that a resumed run continues
 * exactly as the uninterrupted one; plus the split of a checkpoint's tensors into weights and Adam state.
 */
final class TrainingState {
    private final ReduceLROnPlateau scheduler; // null: constant learning rate

    int epoch = 0;            // next epoch to run
    long globalStep = 0;
    double bestVal = Double.POSITIVE_INFINITY;
    int bestEpoch = -1, epochsSinceBest = 0;

    TrainingState(ReduceLROnPlateau scheduler) { this.scheduler = scheduler; }

    /**
     * Ends an epoch with its {@code val_loss}: updates best/early-stopping counters and steps the scheduler, which
     * sets Adam's learning rate for the next epoch. Returns whether the epoch is the best so far.
     */
    boolean endEpoch(double valLoss, AdamOptimizer adam) {
        boolean improved = valLoss < bestVal;
        if (improved) {
            bestVal = valLoss;
            bestEpoch = epoch;
            epochsSinceBest = 0;
        } else {
            epochsSinceBest++;
        }
        if (scheduler != null) adam.setLearningRate(scheduler.step(valLoss));
        return improved;
    }

    /** Early stopping: {@code val_loss} has not improved for {@code patience} epochs. */
    boolean shouldStop(int patience) { return epochsSinceBest >= patience; }

    /** Writes {@code epoch} (the last one run), {@code next_epoch} and {@code global_step}. */
    void putCounters(ObjectNode info) {
        info.put("epoch", epoch - 1);
        info.put("next_epoch", epoch);
        info.put("global_step", globalStep);
    }

    /** Writes the {@code scheduler} object (when a scheduler is used) and the {@code early_stopping} object. */
    void putSchedulerAndEarlyStopping(ObjectNode info) {
        if (scheduler != null) {
            ObjectNode s = info.putObject("scheduler");
            s.put("lr", scheduler.learningRate());
            s.put("best", scheduler.best());
            s.put("bad_epochs", scheduler.badEpochs());
            s.put("cooldown", scheduler.cooldownCounter());
        }
        ObjectNode es = info.putObject("early_stopping");
        es.put("best_val_loss", bestVal);
        es.put("best_epoch", bestEpoch);
        es.put("epochs_since_best", epochsSinceBest);
    }

    /** Restores what {@link #putCounters} and {@link #putSchedulerAndEarlyStopping} wrote. */
    void restore(JsonNode info) {
        if (scheduler != null && info.has("scheduler")) {
            JsonNode s = info.get("scheduler");
            scheduler.restore(s.path("lr").asDouble(), s.path("best").asDouble(), s.path("bad_epochs").asInt(), s.path("cooldown").asInt());
        }
        epoch = info.path("next_epoch").asInt();
        globalStep = info.path("global_step").asLong();
        JsonNode es = info.path("early_stopping");
        bestVal = es.path("best_val_loss").asDouble(Double.POSITIVE_INFINITY);
        bestEpoch = es.path("best_epoch").asInt(-1);
        epochsSinceBest = es.path("epochs_since_best").asInt();
    }

    /** The common head of a training run.json: command, version, command line, seed, threads, data, sizes. */
    static ObjectNode runHeader(String command, String version, String commandLine, long seed, int threads, TrainingData data,
                                int epochs, int batchSize, long parameters) {
        ObjectNode run = new ObjectMapper().createObjectNode();
        run.put("command", command);
        run.put("version", version);
        run.put("command_line", commandLine);
        run.put("seed", seed);
        run.put("threads", threads);
        run.put("kernels", Simd.describe());   // the SIMD path sums dW1 lane-wise: record which path ran
        run.put("data", data.source());
        run.put("data_checksum", data.checksum());
        run.put("train_crystals", data.train().size());
        run.put("val_crystals", data.val().size());
        run.put("epochs", epochs);
        run.put("batch_size", batchSize);
        run.put("parameters", parameters);
        return run;
    }

    /**
     * The data-parallel layout of a run: processes (ranks), replicas per process, their product, the gradient steps
     * per optimiser step and the MPI library ("none" without MPI).
     */
    static void putLayout(ObjectNode run, DataParallel dp, int accumulate) {
        ObjectNode l = run.putObject("parallel");
        l.put("ranks", dp.ranks());
        l.put("replicas", dp.replicas());
        l.put("total_replicas", dp.total());
        l.put("accumulate_grad_batches", accumulate);
        l.put("mpi_library", dp.collective().library());
    }

    /**
     * A configuration as compared on resume: {@code train.devices} (the replicas per process) is left out, because a
     * run may resume on a different layout; so are keys retired since the checkpoint was written (config.RetiredKeys).
     */
    static JsonNode resumeComparable(JsonNode config) {
        JsonNode c = config.deepCopy();
        if (c.path("train") instanceof ObjectNode t) t.remove("devices");
        // a checkpoint written before those keys were retired still lists them; they never changed training
        if (c instanceof ObjectNode o) RetiredKeys.strip(o);
        return c;
    }

    static void putResult(ObjectNode run, int lastEpoch, long steps, double bestValLoss, int bestEpoch, boolean earlyStopped) {
        ObjectNode r = run.putObject("result");
        r.put("last_epoch", lastEpoch);
        r.put("steps", steps);
        r.put("best_val_loss", bestValLoss);
        r.put("best_epoch", bestEpoch);
        r.put("early_stopped", earlyStopped);
    }

    /** The tensors of a checkpoint: the store's state, then (optionally) Adam's under {@link ModelDirectory#OPTIMIZER_PREFIX}. */
    static Map<String, INDArray> checkpointTensors(ParameterStore store, AdamOptimizer adam, boolean withOptimizer) {
        Map<String, INDArray> tensors = new LinkedHashMap<>(store.stateDict());
        if (withOptimizer) {
            for (Map.Entry<String, INDArray> e : adam.stateDict().entrySet()) tensors.put(ModelDirectory.OPTIMIZER_PREFIX + e.getKey(), e.getValue());
        }
        return tensors;
    }

    /** Loads a checkpoint's weights into the store (in each parameter's floating type) and its Adam state into adam. */
    static void loadCheckpointTensors(Safetensors st, ParameterStore store, AdamOptimizer adam, Path file) {
        String prefix = ModelDirectory.OPTIMIZER_PREFIX;
        Map<String, INDArray> weights = new LinkedHashMap<>(), optState = new LinkedHashMap<>();
        for (String name : st.names()) {
            if (name.startsWith(prefix)) optState.put(name.substring(prefix.length()), st.toNd(name));
            else {
                ParameterStore.Entry e = store.entry(name);
                weights.put(name, e != null && e.array().dataType().isFPType() ? st.toNd(name, e.array().dataType()) : st.toNd(name));
            }
        }
        store.load(weights, file.toString());
        adam.loadStateDict(optState, file.toString());
    }
}
