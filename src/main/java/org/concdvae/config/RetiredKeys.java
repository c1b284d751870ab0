package org.concdvae.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.io.InvalidInputException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Official hydra keys that have no meaning in this tool (dataloader plumbing, paths of the authors' machines, keys the
 * official code never reads). They are not part of {@link Config}: a config file that sets one is an error naming the
 * key and what to do instead, {@code import} drops them (HydraTranslation reports every dropped key), and a model
 * directory's saved {@code config.yaml} written by an earlier version, which still lists them, loads with them
 * removed (they had no effect on that model either).
 */
public final class RetiredKeys {
    private RetiredKeys() {}

    /** Key path → why it has no effect here and what to use instead. */
    public static final Map<String, String> WHY = new LinkedHashMap<>();

    static {
        WHY.put("data.num_targets", "the targets are the columns of data.prop");
        WHY.put("data.eval_model_name", "a model name of the official evaluation scripts; use 'concdvae evaluate'");
        WHY.put("data.n_delta", "the official code never reads it");
        WHY.put("data.tolerance", "symprec of the official space-group preprocessing, which is not implemented (data.use_space_group must be false)");
        WHY.put("data.load_old", "train-step1 uses the preprocessed caches of the data directory when present; run 'concdvae preprocess' again to rebuild them");
        WHY.put("data.num_workers", "data loading runs in the training threads; use --threads");
        WHY.put("model.cost_edge", "the official model has no edge loss and never reads it");
        WHY.put("model.n_delta", "the official code never reads it");
        WHY.put("train.num_sanity_val_steps", "a Lightning check that does not change training; there is none here");
        WHY.put("prior.data", "train-prior trains on the data: section's settings and its --data directory");
        WHY.put("gen.model_path", "use 'concdvae sample --model DIR'");
        WHY.put("gen.model_file", "use 'concdvae sample --model DIR' (its best.safetensors)");
        WHY.put("gen.prior_path", "priors are read from the --model directory");
        WHY.put("gen.prior_file", "use gen.prior_label or 'concdvae sample --prior LABEL'");
        WHY.put("gen.label", "output files are named by 'concdvae sample --out DIR'");
        WHY.put("gen.deterministic", "sampling is always reproducible for a --seed");
        WHY.put("gen.seed", "use 'concdvae sample --seed N'");
        WHY.put("gen.num_batches_to_samples", "use 'concdvae sample -n N' (crystals per target)");
        WHY.put("gen.use_one", "use 'concdvae sample --less-fill' (or gen.less_mode)");
        WHY.put("gen.input_path", "use 'concdvae sample --targets CSV'");
        WHY.put("gen.refdata_path", "use 'concdvae sample --reference CSV'");
    }

    /** The error for a retired key set in {@code origin} (a file, a preset, or {@code --set}). */
    static InvalidInputException error(String key, String origin) {
        return new InvalidInputException(key + ": not used by concdvae (" + WHY.get(key) + "); remove it from " + origin);
    }

    /** The retired key that {@code path} is or lies below, or null. */
    static String covering(String path) {
        for (String key : WHY.keySet()) {
            if (path.equals(key) || path.startsWith(key + ".")) return key;
        }
        return null;
    }

    /** Throws {@link #error} for the first retired key that {@code tree} sets. */
    static void reject(ObjectNode tree, String origin) {
        for (String key : WHY.keySet()) {
            if (at(tree, key) != null) throw error(key, origin);
        }
    }

    /** Removes every retired key from {@code tree} (a saved config of an earlier version). */
    public static void strip(ObjectNode tree) {
        for (String key : WHY.keySet()) {
            int dot = key.lastIndexOf('.');
            if (at(tree, key.substring(0, dot)) instanceof ObjectNode parent) parent.remove(key.substring(dot + 1));
        }
    }

    private static JsonNode at(JsonNode tree, String key) {
        JsonNode n = tree;
        for (String k : key.split("\\.")) n = n == null ? null : n.get(k);
        return n;
    }
}
