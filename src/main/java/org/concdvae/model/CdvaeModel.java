package org.concdvae.model;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.nn.Mlp;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The step-one Con-CDVAE modules other than the decoder (model.md §3–§10), configured from {@code model.*} and
 * registered in one {@link ParameterStore} under the official state_dict names (§15): {@code sigmas},
 * {@code type_sigmas}, {@code conditions_predict.*}, {@code condition_model.*}, {@code z_condition.*},
 * {@code time_mlp.*}, {@code encoder.*}, {@code fc_mu/fc_var}, {@code fc_num_atoms/fc_lattice/fc_composition}.
 * The GemNet-T decoder registers itself under {@code decoder.*} in the same store ({@link #store()}).
 */
public final class CdvaeModel {
    private final ParameterStore store;
    private final Config.Model cfg;
    private final Tensor sigmas;
    private final Tensor typeSigmas;
    private final List<PropertyPredictor> predictors = new ArrayList<>();
    private final ConditionModel conditionModel;
    private final Mlp zCondition;
    private final TimeEmbedding timeEmbedding;
    private final DimeNetPlusPlus encoder;
    private final Latent latent;
    private final CrystalStatsHeads heads;

    /** Builds the modules in {@code store} (floating type = the store's). */
    public CdvaeModel(ParameterStore store, Config.Model cfg) {
        this.store = store;
        this.cfg = cfg;
        this.sigmas = store.frozen("sigmas", cfg.numNoiseLevel());
        this.typeSigmas = store.frozen("type_sigmas", cfg.numNoiseLevel());
        geometricSchedule(sigmas, cfg.sigmaBegin(), cfg.sigmaEnd());
        geometricSchedule(typeSigmas, cfg.typeSigmaBegin(), cfg.typeSigmaEnd());
        List<Config.ConditionPredict> pre = cfg.conditionpre() == null || cfg.conditionpre().conditionPredict() == null
                ? List.of() : cfg.conditionpre().conditionPredict();
        ParameterStore cp = store.scope("conditions_predict");
        for (int k = 0; k < pre.size(); k++) {
            predictors.add(PropertyPredictor.create(cp.scope(String.valueOf(k)), pre.get(k), cfg.latentDim(),
                    "model.conditionpre.condition_predict[" + k + "]"));
        }
        this.conditionModel = new ConditionModel(store.scope("condition_model"), cfg.conditionmodel());
        this.zCondition = new Mlp(store, "z_condition", cfg.latentDim() + conditionModel.features(), cfg.hiddenDim(),
                cfg.fcNumLayers(), cfg.latentDim());
        this.timeEmbedding = new TimeEmbedding(store, "time_mlp", cfg.timeEmbDim());
        this.encoder = new DimeNetPlusPlus(store.scope("encoder"), cfg.encoder(), cfg.latentDim());
        this.latent = new Latent(store, cfg.latentDim(), cfg.smooth());
        this.heads = new CrystalStatsHeads(store, cfg.latentDim(), cfg.hiddenDim(), cfg.fcNumLayers(), cfg.maxAtoms());
    }

    /** {@code exp(linspace(ln begin, ln end, n))} in double, stored in the tensor's type (model.md §10). */
    private static void geometricSchedule(Tensor t, double begin, double end) {
        int n = (int) t.length();
        double[] v = new double[n];
        double a = Math.log(begin), b = Math.log(end);
        for (int i = 0; i < n; i++) v[i] = Math.exp(n == 1 ? a : a + (b - a) * i / (n - 1));
        t.value().assign(Nd4j.create(v, new long[]{n}, DataType.DOUBLE).castTo(t.value().dataType()));
    }

    /** Initialises every non-decoder parameter for training from scratch (model.md §14). */
    public void initialise(Random r) {
        for (PropertyPredictor p : predictors) p.initialise(r);
        conditionModel.initialise(r);
        zCondition.initPyTorch(r);
        timeEmbedding.initialise(r);
        encoder.initialise(r);
        latent.initialise(r);
        heads.initialise(r);
    }

    public ParameterStore store() { return store; }

    public Config.Model config() { return cfg; }

    public DimeNetPlusPlus encoder() { return encoder; }

    public Latent latent() { return latent; }

    public ConditionModel conditionModel() { return conditionModel; }

    public TimeEmbedding timeEmbedding() { return timeEmbedding; }

    public CrystalStatsHeads heads() { return heads; }

    public List<PropertyPredictor> predictors() { return Collections.unmodifiableList(predictors); }

    /** σ_i of the coordinate noise, i = 0..num_noise_level−1. */
    public INDArray sigmas() { return sigmas.value(); }

    /** σ^type_i of the type noise. */
    public INDArray typeSigmas() { return typeSigmas.value(); }

    /** Encoder + latent: {@code μ, log σ², z} (model.md §3–§4). */
    public Latent.Encoded encode(Tape t, EncoderGraph g, INDArray eps, Probe probe) {
        Tensor h = encoder.forward(t, g, probe);
        return latent.encode(t, h, eps, probe);
    }

    /** The condition vector {@code c} (model.md §6). */
    public Tensor conditions(Tape t, Map<String, double[]> values, int batch, Probe probe) {
        return conditionModel.forward(t, values, batch, probe);
    }

    /** {@code z_con = z_condition([z ; c])} (model.md §6). */
    public Tensor zCondition(Tape t, Tensor z, Tensor c) { return zCondition.forward(t, t.concat(z, c)); }
}
