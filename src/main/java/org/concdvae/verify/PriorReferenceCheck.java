package org.concdvae.verify;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.io.Safetensors;
import org.concdvae.model.ConditionModel;
import org.concdvae.model.LatentPrior;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code prior_{default,full}_vectors.safetensors}: the step-two prior (prior.md) with the reference weights
 * {@code prior_{label}_weights.safetensors} loaded strictly by name, on the stored {@code z_t}, steps {@code t} and
 * condition values: sinusoidal and MLP time embeddings, every condition's Gaussian expansion and embedding, the mixed
 * condition vector, the predicted noise, one reverse-step mean, the posterior standard deviation and {@code q_sample}
 * (treating {@code z_t} as z0 with the stored {@code eps_q}). Extra comparisons {@code schedule.<buffer>} check our
 * own float32 schedule against the stored buffers. Tolerances (reference/README.md): time embedding atol 2e-5,
 * condition embeddings/heads rtol 1e-4 + atol 1e-6, bases atol 1e-5, pred_noise/z_mean rtol 1e-4 + atol 1e-6.
 */
public final class PriorReferenceCheck implements ReferenceCheck {
    public static final Tolerance TIME = new Tolerance(2e-5, 0);
    public static final Tolerance NET = new Tolerance(1e-6, 1e-4);
    public static final Tolerance BASES = new Tolerance(1e-5, 0);
    public static final Tolerance SCHEDULE = new Tolerance(0, 1e-5);
    private static final List<String> SCHEDULE_NAMES = List.of("betas", "sqrt_recip_alphas", "sqrt_alphas_cumprod",
            "sqrt_one_minus_alphas_cumprod", "posterior_variance");

    private final String label;
    private final String preset;

    /** {@code label} is {@code prior_default} (config defaults) or {@code prior_full} (preset mptest4conz). */
    private PriorReferenceCheck(String label, String preset) {
        this.label = label;
        this.preset = preset;
    }

    public static List<ReferenceCheck> all() {
        return List.of(new PriorReferenceCheck("prior_default", null), new PriorReferenceCheck("prior_full", "mptest4conz"));
    }

    @Override
    public String file() { return label + "_vectors.safetensors"; }

    /** The prior configuration the reference weights were built with. */
    public Config.Prior config() { return ConfigLoader.resolve(preset, List.of()).prior(); }

    @Override
    public List<Comparison> run(ReferenceSession s) {
        String file = file();
        Map<String, Comparison> c = new LinkedHashMap<>();
        LatentPrior prior = new LatentPrior(new ParameterStore(DataType.FLOAT), s.priorConfig(label, config()));
        Map<String, double[]> ours = new LinkedHashMap<>();
        for (String n : SCHEDULE_NAMES) {
            double[] v = new double[prior.steps()];
            for (int t = 0; t < v.length; t++) v[t] = prior.schedule(n, t);
            ours.put(n, v);
        }
        Path weights = s.weightsPath(label + "_weights.safetensors");
        Safetensors w = s.weights(label + "_weights.safetensors");
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> loaded = new LinkedHashMap<>();
        for (String n : w.names()) {
            ParameterStore.Entry e = prior.store().entry(n);
            loaded.put(n, e != null && e.array().dataType().isFPType() ? w.toNd(n, e.array().dataType()) : w.toNd(n));
        }
        prior.store().load(loaded, weights.toString());
        for (String n : SCHEDULE_NAMES) {
            double[] stored = new double[prior.steps()];
            for (int t = 0; t < stored.length; t++) stored[t] = prior.schedule(n, t);
            put(c, Comparison.of(file, "schedule." + n, stored, ours.get(n), SCHEDULE));
        }

        Safetensors ref = s.file(file);
        long[] tl = ref.longs("t");
        int b = tl.length;
        int[] levels = new int[b];
        for (int i = 0; i < b; i++) levels[i] = (int) tl[i];
        Map<String, double[]> values = new LinkedHashMap<>();
        for (String name : prior.conditionModel().names()) values.put(name, ref.doubles("cond_" + name));
        Map<String, INDArray> probe = new LinkedHashMap<>();
        try (Tape t = Tape.inference()) {
            Tensor zt = t.constant(ref.toNd("z_t", DataType.FLOAT));
            Tensor eps = t.constant(ref.toNd("eps_q", DataType.FLOAT));
            double[] dl = new double[b];
            for (int i = 0; i < b; i++) dl[i] = levels[i];
            put(c, s.compare(file, "time_sinusoidal", prior.timeEmbedding().sinusoidal(dl, DataType.FLOAT), TIME));
            Tensor tau = prior.timeEmbedding(t, levels);
            put(c, s.compare(file, "time_emb", tau.value(), TIME));
            Tensor cond = prior.conditionEmbedding(t, values, b, (name, v) -> probe.put(name, v.value().dup()));
            List<ConditionModel.ConditionEmbedding> embs = prior.conditionModel().embeddings();
            for (int k = 0; k < embs.size(); k++) {
                String name = embs.get(k).name();
                put(c, s.compare(file, "cond_emb" + k + "_" + name, probe.get("cond_emb." + name), NET));
                if (probe.containsKey("cond_rbf." + name)) {
                    put(c, s.compare(file, "cond_rbf" + k + "_" + name, probe.get("cond_rbf." + name), BASES));
                }
            }
            put(c, s.compare(file, "condition_emb", cond.value(), NET));
            Tensor epsHat = prior.denoise(t, zt, cond, tau);
            put(c, s.compare(file, "pred_noise", epsHat.value(), NET));
            put(c, s.compare(file, "z_mean", prior.reverseMean(t, zt, epsHat, levels).value(), NET));
            double[] std = new double[b];
            for (int i = 0; i < b; i++) std[i] = prior.posteriorStd(levels[i]);
            put(c, s.compare(file, "posterior_std", std, NET));
            put(c, s.compare(file, "q_sample", prior.qSample(t, zt, levels, eps).value(), NET));
        }
        put(c, Comparison.input(file, "z_t", "noisy latent fed to the denoiser"));
        put(c, Comparison.input(file, "t", "diffusion steps"));
        put(c, Comparison.input(file, "eps_q", "noise of q_sample"));
        for (String name : prior.conditionModel().names()) put(c, Comparison.input(file, "cond_" + name, "condition values"));
        return s.complete(file, c);
    }

    private static void put(Map<String, Comparison> m, Comparison c) { m.put(c.name(), c); }
}
