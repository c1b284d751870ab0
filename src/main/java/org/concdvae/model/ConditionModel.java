package org.concdvae.model;

import org.concdvae.autodiff.Index;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.io.InvalidInputException;
import org.concdvae.nn.Embedding;
import org.concdvae.nn.GaussianExpansion;
import org.concdvae.nn.Mlp;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The condition embedding PropEmb ({@code ConditioningModule}, model.md §6): every configured condition is embedded
 * (scalar: Gaussian expansion + MLP; class: embedding table + MLP; vector: MLP), the embeddings are concatenated in
 * config order and mixed by {@code dense_net = build_mlp(Σ n_features, n, n_layers, n, norm=False)}, also for a
 * single condition. Keys {@code <scope>.condition_embModel.<k>.*} and {@code <scope>.dense_net.*}.
 *
 * <p>Condition values are given per crystal by name: scalars and classes one value per crystal (classes as
 * integral numbers, cast as the reference does), vectors {@code n_in} values per crystal, row-major.
 */
public final class ConditionModel {
    private final List<ConditionEmbedding> embeddings = new ArrayList<>();
    private final Mlp mixer;
    private final int features;

    /** One condition embedding. */
    public interface ConditionEmbedding {
        /** The condition (property) name, e.g. {@code formation_energy_per_atom}. */
        String name();

        /** Output width. */
        int features();

        /** {@code [B, features]} from the condition values of B crystals. */
        Tensor forward(Tape t, double[] values, int batch, Probe probe);

        void initialise(Random r);
    }

    /**
     * @param scope the module scope ({@code condition_model} in step one)
     * @param cfg   {@code model.conditionmodel}
     */
    public ConditionModel(ParameterStore scope, Config.ConditionModel cfg) {
        List<Config.ConditionEmbedding> list = cfg.conditionEmbeddings();
        if (list == null || list.isEmpty()) throw new InvalidInputException("model.conditionmodel.condition_embeddings: at least one condition is required");
        ParameterStore ce = scope.scope("condition_embModel");
        int sum = 0;
        for (int k = 0; k < list.size(); k++) {
            ConditionEmbedding e = create(ce.scope(String.valueOf(k)), list.get(k), "model.conditionmodel.condition_embeddings[" + k + "]");
            embeddings.add(e);
            sum += e.features();
        }
        this.features = cfg.nFeatures();
        this.mixer = new Mlp(scope, "dense_net", sum, cfg.nFeatures(), cfg.nLayers(), cfg.nFeatures(), -1, false);
    }

    private static ConditionEmbedding create(ParameterStore s, Config.ConditionEmbedding c, String key) {
        String type = c.type() == null ? "" : c.type();
        if (c.conditionName() == null) throw new InvalidInputException(key + ".condition_name is required");
        int nf = require(c.nFeatures(), key + ".n_features");
        int nl = require(c.nLayers(), key + ".n_layers");
        switch (type) {
            case "scalar":
                if (c.conditionMin() == null || c.conditionMax() == null || c.gridSpacing() == null) {
                    throw new InvalidInputException(key + ": scalar conditions need condition_min, condition_max and grid_spacing");
                }
                if (!(c.gridSpacing() > 0) || !(c.conditionMax() > c.conditionMin())) {
                    throw new InvalidInputException(key + ": need grid_spacing > 0 and condition_max > condition_min");
                }
                return new Scalar(s, c.conditionName(), c.conditionMin(), c.conditionMax(), c.gridSpacing(), nf, nl);
            case "class":
                return new ClassLabel(s, c.conditionName(), require(c.nType(), key + ".n_type"), require(c.nEmb(), key + ".n_emb"), nf, nl);
            case "vector":
                return new Vector(s, c.conditionName(), require(c.nIn(), key + ".n_in"), nf, nl);
            default:
                throw new InvalidInputException(key + ".type: unknown condition type '" + type + "' (expected scalar, class or vector)");
        }
    }

    private static int require(Integer v, String key) {
        if (v == null || v < 1) throw new InvalidInputException(key + " must be a positive integer");
        return v;
    }

    public List<ConditionEmbedding> embeddings() { return embeddings; }

    /** Output width (n_features of the mixer). */
    public int features() { return features; }

    /** Names of the conditions, in config order. */
    public List<String> names() {
        List<String> n = new ArrayList<>();
        for (ConditionEmbedding e : embeddings) n.add(e.name());
        return n;
    }

    public void initialise(Random r) {
        for (ConditionEmbedding e : embeddings) e.initialise(r);
        mixer.initPyTorch(r);
    }

    /**
     * The condition vector {@code c: [B, n_features]}. {@code values} maps every condition name to its values; a
     * missing name is an {@link InvalidInputException}. The probe receives {@code cond_emb.<name>} per condition and
     * {@code condition_emb}.
     */
    public Tensor forward(Tape t, Map<String, double[]> values, int batch, Probe probe) {
        Tensor[] parts = new Tensor[embeddings.size()];
        for (int k = 0; k < parts.length; k++) {
            ConditionEmbedding e = embeddings.get(k);
            double[] v = values.get(e.name());
            if (v == null) throw new InvalidInputException("condition '" + e.name() + "' has no values in the batch");
            parts[k] = e.forward(t, v, batch, probe);
            probe.accept("cond_emb." + e.name(), parts[k]);
        }
        Tensor c = mixer.forward(t, t.concat(parts));
        probe.accept("condition_emb", c);
        return c;
    }

    /**
     * {@code ScalarConditionEmbedding}: {@code n_rbf = ceil((max−min)/spacing) + 1} Gaussians with the frozen
     * {@code gaussian_expansion.offsets}/{@code .widths} loaded from the state_dict (nn.GaussianExpansion),
     * {@code g_k(y) = exp(−½ (y − μ_k)²/w_k²)}, then {@code dense_net}.
     */
    public static final class Scalar implements ConditionEmbedding {
        private final String name;
        private final GaussianExpansion expansion;
        private final Mlp dense;
        private final int features;

        Scalar(ParameterStore s, String name, double min, double max, double spacing, int nFeatures, int nLayers) {
            this.name = name;
            this.expansion = new GaussianExpansion(s, "gaussian_expansion", min, max, spacing);
            this.dense = new Mlp(s, "dense_net", expansion.size(), nFeatures, nLayers, nFeatures, -1, false);
            this.features = nFeatures;
        }

        public String name() { return name; }

        public int features() { return features; }

        public int numRbf() { return expansion.size(); }

        public void initialise(Random r) { dense.initPyTorch(r); }

        public Tensor forward(Tape t, double[] values, int batch, Probe probe) {
            if (values.length != batch) throw new InvalidInputException("condition '" + name + "': " + values.length + " values for " + batch + " crystals");
            Tensor g = t.ownedConstant(expansion.compute(values));
            probe.accept("cond_rbf." + name, g);
            return dense.forward(t, g);
        }
    }

    /** {@code ClassConditionEmbedding}: {@code embedding_layer [n_type, n_emb]} lookup of the integer label, then {@code dense_net}. */
    public static final class ClassLabel implements ConditionEmbedding {
        private final String name;
        private final Embedding table;
        private final Mlp dense;
        private final int features;

        ClassLabel(ParameterStore s, String name, int nType, int nEmb, int nFeatures, int nLayers) {
            this.name = name;
            this.table = new Embedding(s, "embedding_layer", nType, nEmb);
            this.dense = new Mlp(s, "dense_net", nEmb, nFeatures, nLayers, nFeatures, -1, false);
            this.features = nFeatures;
        }

        public String name() { return name; }

        public int features() { return features; }

        public void initialise(Random r) {
            table.initNormal(r);
            dense.initPyTorch(r);
        }

        public Tensor forward(Tape t, double[] values, int batch, Probe probe) {
            if (values.length != batch) throw new InvalidInputException("condition '" + name + "': " + values.length + " values for " + batch + " crystals");
            int[] ids = new int[batch];
            for (int b = 0; b < batch; b++) {
                ids[b] = (int) values[b];
                if (ids[b] < 0 || ids[b] >= table.num()) {
                    throw new InvalidInputException("condition '" + name + "': class " + values[b] + " of crystal " + b + " outside [0, " + table.num() + ")");
                }
            }
            return dense.forward(t, table.forward(t, Index.of(ids, table.num())));
        }
    }

    /** {@code VectorialConditionEmbedding}: {@code dense_net} on the {@code n_in}-vector of each crystal. */
    public static final class Vector implements ConditionEmbedding {
        private final String name;
        private final Mlp dense;
        private final int nIn, features;

        Vector(ParameterStore s, String name, int nIn, int nFeatures, int nLayers) {
            this.name = name;
            this.nIn = nIn;
            this.dense = new Mlp(s, "dense_net", nIn, nFeatures, nLayers, nFeatures, -1, false);
            this.features = nFeatures;
        }

        public String name() { return name; }

        public int features() { return features; }

        public void initialise(Random r) { dense.initPyTorch(r); }

        public Tensor forward(Tape t, double[] values, int batch, Probe probe) {
            if (values.length != (long) batch * nIn) {
                throw new InvalidInputException("condition '" + name + "': " + values.length + " values for " + batch + " crystals × " + nIn);
            }
            DataType type = dense.linears().get(0).weight.value().dataType();
            Tensor x = t.ownedConstant(Nd4j.create(values, new long[]{batch, nIn}, DataType.DOUBLE).castTo(type));
            return dense.forward(t, x);
        }
    }
}
