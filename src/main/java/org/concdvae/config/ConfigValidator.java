package org.concdvae.config;

import org.concdvae.graph.GraphMethods;
import org.concdvae.io.InvalidInputException;

import java.util.List;

/** Semantic checks after binding (design/config.md §4): one clear message naming the key. */
final class ConfigValidator {
    private ConfigValidator() {}

    static void validate(Config c, String origin) {
        for (String section : new String[]{"data", "model", "optim", "train", "prior", "gen"}) {
            Object v = switch (section) {
                case "data" -> c.data();
                case "model" -> c.model();
                case "optim" -> c.optim();
                case "train" -> c.train();
                case "prior" -> c.prior();
                default -> c.gen();
            };
            if (v == null) fail(section, "missing section", origin);
        }
        Config.Data d = c.data();
        if (!GraphMethods.KNOWN.contains(d.graphMethod())) {
            fail("data.graph_method", "unknown graph method '" + d.graphMethod() + "' (expected one of "
                    + String.join(", ", GraphMethods.KNOWN) + ")", origin);
        }
        // accepted official values with one implementation only: any other value would be ignored
        oneOf("data.lattice_scale_method", d.latticeScaleMethod(), List.of("scale_length"), origin);
        if (d.useSpaceGroup()) fail("data.use_space_group", "true is not supported (space-group preprocessing is not implemented); set false", origin);
        if (d.usePosIndex()) fail("data.use_pos_index", "true is not supported (not implemented); set false", origin);
        if (d.preprocessWorkers() < 1) fail("data.preprocess_workers", "must be at least 1, got " + d.preprocessWorkers(), origin);
        oneOf("data.readout", d.readout(), List.of("mean", "sum"), origin);
        if (d.maxAtoms() < 1) fail("data.max_atoms", "must be at least 1, got " + d.maxAtoms(), origin);
        if (d.batchSize() != null) {
            if (d.batchSize().train() == null || d.batchSize().train() < 1) fail("data.batch_size.train", "must be at least 1", origin);
            if (d.batchSize().val() == null || d.batchSize().val() < 1) fail("data.batch_size.val", "must be at least 1", origin);
            if (d.batchSize().test() == null || d.batchSize().test() < 1) fail("data.batch_size.test", "must be at least 1", origin);
        }
        if (d.prop() == null || d.preloProp() == null) fail("data.prop", "must be a list of property columns", origin);
        for (String p : d.prop()) {
            if (!d.preloProp().contains(p)) fail("data.prop", "'" + p + "' is not in data.prelo_prop", origin);
        }
        if (d.split() == null || d.split().train() == null || d.split().val() == null || d.split().test() == null) {
            fail("data.split", "needs train, val and test fractions", origin);
        }
        double sum = d.split().train() + d.split().val() + d.split().test();
        if (d.split().train() <= 0 || d.split().val() < 0 || d.split().test() < 0 || Math.abs(sum - 1.0) > 1e-9) {
            fail("data.split", "fractions must be non-negative, train positive, and sum to 1 (got " + sum + ")", origin);
        }
        Config.Filter f = d.filter();
        if (f == null) fail("data.filter", "missing", origin);
        Config.Model m = c.model();
        if (m.radius() < 1.0) fail("model.radius", "must be at least 1 Å so no atom is isolated, got " + m.radius(), origin);
        if (m.maxNeighbors() < 1) fail("model.max_neighbors", "must be at least 1", origin);
        if (m.encoder().cutoff() <= 0) fail("model.encoder.cutoff", "must be positive", origin);
        if (m.encoder().maxNumNeighbors() < 1) fail("model.encoder.max_num_neighbors", "must be at least 1", origin);
        oneOf("model.decoder.scale_file", m.decoder().scaleFile(), List.of("gemnet-dT.json"), origin);
        oneOf("model.encoder.readout", m.encoder().readout(), List.of("mean", "sum"), origin);
        if (m.sigmaBegin() <= m.sigmaEnd() || m.sigmaEnd() <= 0) fail("model.sigma_begin", "needs sigma_begin > sigma_end > 0", origin);
        if (m.numNoiseLevel() < 1) fail("model.num_noise_level", "must be at least 1", origin);
        embeddings("model.conditionmodel", m.conditionmodel(), d.prop(), origin);
        embeddings("prior.conditionmodel", c.prior().conditionmodel(), null, origin);
        List<Config.ConditionPredict> pre = m.conditionpre() == null ? null : m.conditionpre().conditionPredict();
        if (pre == null) fail("model.conditionpre.condition_predict", "must be a list", origin);
        for (int i = 0; i < pre.size(); i++) {
            Config.ConditionPredict p = pre.get(i);
            String key = "model.conditionpre.condition_predict[" + i + "]";
            oneOf(key + ".type", p.type(), List.of("scalar", "class"), origin);
            if (p.conditionName() == null) fail(key + ".condition_name", "missing", origin);
            if (!d.prop().contains(p.conditionName())) {
                fail(key + ".condition_name", "'" + p.conditionName() + "' is not in data.prop", origin);
            }
            if (p.type().equals("class") && (p.nType() == null || p.nType() < 2)) fail(key + ".n_type", "class predictors need n_type >= 2", origin);
        }
        oneOf("gen.less_mode", c.gen().lessMode(), List.of("random_rows", "filtered_rows", "one_row"), origin);
        Config.Train t = c.train();
        if (t.devices() < -1 || t.devices() == 0) {
            fail("train.devices", "model replicas per process: -1 (one per thread) or at least 1, got " + t.devices(), origin);
        }
        if (t.accumulateGradBatches() < 1) fail("train.accumulate_grad_batches", "must be at least 1, got " + t.accumulateGradBatches(), origin);
    }

    private static void embeddings(String key, Config.ConditionModel cm, List<String> props, String origin) {
        if (cm == null || cm.conditionEmbeddings() == null) fail(key + ".condition_embeddings", "must be a list", origin);
        for (int i = 0; i < cm.conditionEmbeddings().size(); i++) {
            Config.ConditionEmbedding e = cm.conditionEmbeddings().get(i);
            String k = key + ".condition_embeddings[" + i + "]";
            oneOf(k + ".type", e.type(), List.of("scalar", "class", "vector"), origin);
            if (e.conditionName() == null) fail(k + ".condition_name", "missing", origin);
            if (props != null && !props.contains(e.conditionName())) {
                fail(k + ".condition_name", "'" + e.conditionName() + "' is not in data.prop", origin);
            }
            if (e.nFeatures() == null || e.nLayers() == null) fail(k, "needs n_features and n_layers", origin);
            switch (e.type()) {
                case "scalar" -> {
                    if (e.conditionMin() == null || e.conditionMax() == null || e.gridSpacing() == null) {
                        fail(k, "scalar conditions need condition_min, condition_max and grid_spacing", origin);
                    }
                    if (!(e.conditionMax() > e.conditionMin()) || !(e.gridSpacing() > 0)) {
                        fail(k, "needs condition_max > condition_min and grid_spacing > 0", origin);
                    }
                }
                case "class" -> {
                    if (e.nType() == null || e.nType() < 2 || e.nEmb() == null) fail(k, "class conditions need n_type >= 2 and n_emb", origin);
                }
                default -> {
                    if (e.nIn() == null) fail(k, "vector conditions need n_in", origin);
                }
            }
        }
    }

    private static void oneOf(String key, String v, List<String> allowed, String origin) {
        if (v == null || !allowed.contains(v)) {
            fail(key, "'" + v + "' is not one of " + String.join(", ", allowed), origin);
        }
    }

    private static void fail(String key, String why, String origin) {
        throw new InvalidInputException(key + ": " + why + " (" + origin + ")");
    }
}
