package org.concdvae.model;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.io.InvalidInputException;
import org.concdvae.nn.Linear;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The step-two prior (prior.md): a DDPM over the step-one posterior mean μ, conditioned on the prior's own condition
 * embedding (the step-one {@link ConditionModel} blocks with separate weights, under {@code condition_model.*}).
 * Official state_dict names: the schedule {@code betas, sqrt_recip_alphas, sqrt_alphas_cumprod,
 * sqrt_one_minus_alphas_cumprod, posterior_variance} (frozen), {@code time_mlp.1.*}, {@code condition_model.*} and the
 * U-shaped residual MLP {@code decoder.{downmodel.i, middle_mpl, upmodel.i, output_mlp}.*} (prior.md §3.3, §6).
 */
public final class LatentPrior {
    private final Config.Prior cfg;
    private final ParameterStore store;
    private final int steps, latentDim;
    private final Tensor betas, sqrtRecipAlphas, sqrtAlphasCumprod, sqrtOneMinusAlphasCumprod, posteriorVariance;
    private final TimeEmbedding time;
    private final ConditionModel conditions;
    private final List<Linear> down = new ArrayList<>();
    private final List<Linear> up = new ArrayList<>();     // up.get(0) is the innermost (narrowest) layer
    private final Linear middle, output;

    /** Builds the prior in {@code store} (floating type = the store's); schedule buffers filled from the config. */
    public LatentPrior(ParameterStore store, Config.Prior cfg) {
        this.cfg = cfg;
        this.store = store;
        this.steps = cfg.ddpmNNoise();
        this.latentDim = cfg.hiddenDim();
        if (steps < 2) throw new InvalidInputException("prior.ddpm_n_noise must be at least 2, got " + steps);
        if (!(cfg.ddpmNoiseStart() > 0) || !(cfg.ddpmNoiseEnd() < 1) || !(cfg.ddpmNoiseEnd() >= cfg.ddpmNoiseStart())) {
            throw new InvalidInputException("prior: need 0 < ddpm_noise_start <= ddpm_noise_end < 1");
        }
        betas = store.frozen("betas", steps);
        sqrtRecipAlphas = store.frozen("sqrt_recip_alphas", steps);
        sqrtAlphasCumprod = store.frozen("sqrt_alphas_cumprod", steps);
        sqrtOneMinusAlphasCumprod = store.frozen("sqrt_one_minus_alphas_cumprod", steps);
        posteriorVariance = store.frozen("posterior_variance", steps);
        fillSchedule();
        time = new TimeEmbedding(store, "time_mlp", cfg.timeEmbDim());
        if (cfg.conditionmodel() == null) throw new InvalidInputException("prior.conditionmodel is required");
        conditions = new ConditionModel(store.scope("condition_model"), cfg.conditionmodel());
        int extra = conditions.features() + cfg.timeEmbDim();
        ParameterStore dec = store.scope("decoder");
        int now = latentDim, layers = cfg.nUNetLayers();
        if (layers < 1) throw new InvalidInputException("prior.n_UNet_layers must be at least 1, got " + layers);
        for (int l = 0; l < layers; l++) {
            if (now / 2.0 <= 2) throw new InvalidInputException("prior: hidden_dim " + latentDim + " is too small for " + layers + " UNet layers");
            int out = now / 2;
            down.add(new Linear(dec.scope("downmodel"), String.valueOf(l), now + extra, out, true));
            now = out;
        }
        // upmodel is the reversed list: upmodel.0 maps the narrowest width back up one level
        int w = now;
        for (int k = 0; k < layers; k++) {
            int target = k == layers - 1 ? latentDim : (int) down.get(layers - 2 - k).out();
            up.add(new Linear(dec.scope("upmodel"), String.valueOf(k), w + extra, target, true));
            w = target;
        }
        middle = new Linear(dec, "middle_mpl", now + extra, now, true);
        output = new Linear(dec, "output_mlp", latentDim + extra, latentDim, true);
    }

    /**
     * β = linspace(start, end, T), ᾱ = cumprod(1 − β), posterior variance β_t (1 − ᾱ_{t−1})/(1 − ᾱ_t), all in float32
     * arithmetic as torch computes them (prior.md §2); loading a state_dict overwrites them with the stored values.
     */
    private void fillSchedule() {
        float start = (float) cfg.ddpmNoiseStart(), end = (float) cfg.ddpmNoiseEnd();
        float step = (end - start) / (steps - 1);
        int half = steps / 2;
        float cum = 1f, prev;
        for (int t = 0; t < steps; t++) {
            float b = t < half ? start + step * t : end - step * (steps - t - 1);
            float a = 1f - b;
            prev = cum;
            cum = cum * a;
            betas.value().putScalar(t, b);
            sqrtRecipAlphas.value().putScalar(t, (float) Math.sqrt(1f / a));
            sqrtAlphasCumprod.value().putScalar(t, (float) Math.sqrt(cum));
            sqrtOneMinusAlphasCumprod.value().putScalar(t, (float) Math.sqrt(1f - cum));
            posteriorVariance.value().putScalar(t, b * (1f - prev) / (1f - cum));
        }
    }

    /** PyTorch default initialisation of every trainable tensor (prior.md §6), from {@code r}. */
    public void initialise(Random r) {
        time.initialise(r);
        conditions.initialise(r);
        for (Linear l : down) l.initPyTorch(r);
        for (Linear l : up) l.initPyTorch(r);
        middle.initPyTorch(r);
        output.initPyTorch(r);
    }

    public ParameterStore store() { return store; }

    public Config.Prior config() { return cfg; }

    /** T, the number of diffusion steps. */
    public int steps() { return steps; }

    public int latentDim() { return latentDim; }

    public ConditionModel conditionModel() { return conditions; }

    public TimeEmbedding timeEmbedding() { return time; }

    /** Schedule value {@code name}[t] (one of the five state_dict buffers). */
    public double schedule(String name, int t) {
        return switch (name) {
            case "betas" -> betas.value().getDouble(t);
            case "sqrt_recip_alphas" -> sqrtRecipAlphas.value().getDouble(t);
            case "sqrt_alphas_cumprod" -> sqrtAlphasCumprod.value().getDouble(t);
            case "sqrt_one_minus_alphas_cumprod" -> sqrtOneMinusAlphasCumprod.value().getDouble(t);
            case "posterior_variance" -> posteriorVariance.value().getDouble(t);
            default -> throw new IllegalArgumentException("unknown schedule tensor " + name);
        };
    }

    /** The condition vector {@code c [B, con_dim]} from per-crystal condition values (prior.md §3.2). */
    public Tensor conditionEmbedding(Tape t, Map<String, double[]> values, int batch, Probe probe) {
        return conditions.forward(t, values, batch, probe);
    }

    /** {@code τ(t) = ReLU(Linear(sinusoid(t)))}, {@code [B, time_emb_dim]}. */
    public Tensor timeEmbedding(Tape t, int[] levels) {
        double[] d = new double[levels.length];
        for (int i = 0; i < d.length; i++) d[i] = checkLevel(levels[i]);
        return time.forward(t, d);
    }

    /** The denoiser ε̂(z, c, τ) (prior.md §3.3): every layer sees {@code [features ; c ; τ]}. */
    public Tensor denoise(Tape t, Tensor z, Tensor c, Tensor tau) {
        Tensor h = t.concat(z, c, tau);
        List<Tensor> skips = new ArrayList<>();
        for (Linear l : down) {
            Tensor d = t.relu(l.forward(t, h));
            skips.add(d);
            h = t.concat(d, c, tau);
        }
        Tensor u = t.relu(middle.forward(t, h));
        for (int k = 0; k < up.size(); k++) {
            u = t.add(u, skips.get(skips.size() - 1 - k));
            u = t.relu(up.get(k).forward(t, t.concat(u, c, tau)));
        }
        return output.forward(t, t.concat(t.add(u, z), c, tau));
    }

    /** {@code z_t = √ᾱ_t z0 + √(1−ᾱ_t) ε} per row ({@code z0, eps: [B, D]}). */
    public Tensor qSample(Tape t, Tensor z0, int[] levels, Tensor eps) {
        return t.add(t.mul(z0, column(t, sqrtAlphasCumprod, levels)), t.mul(eps, column(t, sqrtOneMinusAlphasCumprod, levels)));
    }

    /** Noise-prediction loss {@code mean((ε − ε̂(z_t, c, τ(t)))²)} with given steps and noise (prior.md §4). */
    public Tensor loss(Tape t, Tensor z0, Tensor c, int[] levels, Tensor eps) {
        Tensor zt = qSample(t, z0, levels, eps);
        return t.mse(eps, denoise(t, zt, c, timeEmbedding(t, levels)));
    }

    /**
     * One training/validation loss with the official draws from {@code r}: the steps {@code t_b ~ U{0..T−1}} first,
     * then {@code ε ~ N(0, I) [B, D]}.
     */
    public Tensor loss(Tape t, Tensor z0, Map<String, double[]> values, Random r) {
        int b = (int) z0.size(0);
        int[] levels = new int[b];
        for (int i = 0; i < b; i++) levels[i] = r.nextInt(steps);
        Tensor eps = t.ownedConstant(Latent.standardNormal(b, latentDim, r, store.floatType()));
        Tensor c = conditionEmbedding(t, values, b, Probe.NONE);
        return loss(t, z0, c, levels, eps);
    }

    /** The reverse-step mean {@code m = √(1/α_t) (z − β_t ε̂ / √(1−ᾱ_t))} per row (prior.md §5). */
    public Tensor reverseMean(Tape t, Tensor z, Tensor epsHat, int[] levels) {
        double[] k = new double[levels.length];
        for (int i = 0; i < k.length; i++) {
            int l = checkLevel(levels[i]);
            k[i] = betas.value().getDouble(l) / sqrtOneMinusAlphasCumprod.value().getDouble(l);
        }
        Tensor inner = t.sub(z, t.mul(epsHat, t.ownedConstant(columnOf(k))));
        return t.mul(inner, column(t, sqrtRecipAlphas, levels));
    }

    /** {@code √posterior_variance[t]}, the reverse-step standard deviation. */
    public double posteriorStd(int level) { return Math.sqrt(posteriorVariance.value().getDouble(checkLevel(level))); }

    /**
     * Ancestral sampling (prior.md §5) from {@code zT [M, D]} with a fixed condition vector {@code c [M, con_dim]}:
     * for t = T−1..0, {@code m = reverseMean}, and for t > 0 {@code z = m + √var_t · N(0, I)} drawn from {@code r};
     * returns the t = 0 mean (no noise added). No gradients.
     */
    public INDArray sample(INDArray c, INDArray zT, Random r) {
        int m = (int) zT.size(0);
        INDArray z = zT.castTo(store.floatType()).dup();
        for (int level = steps - 1; level >= 0; level--) {
            // one step for all rows: the time embedding of a single row, repeated; scalar schedule factors
            try (Tape t = Tape.inference()) {
                INDArray tau1 = timeEmbedding(t, new int[]{level}).value();
                Tensor tau = t.ownedConstant(tau1.repeat(0, m));
                Tensor zt = t.constant(z);
                Tensor epsHat = denoise(t, zt, t.constant(c), tau);
                double k = betas.value().getDouble(level) / sqrtOneMinusAlphasCumprod.value().getDouble(level);
                INDArray next = z.sub(epsHat.value().mul(k)).muli(sqrtRecipAlphas.value().getDouble(level));
                if (level > 0) {
                    INDArray noise = Latent.standardNormal(m, latentDim, r, store.floatType());
                    next.addi(noise.muli(posteriorStd(level)));
                    noise.close();
                }
                z.close();
                z = next;
            }
        }
        return z;
    }

    /** Ancestral sampling with per-latent condition values ({@code values[name]} has M entries, vectors M·n_in). */
    public INDArray sample(Map<String, double[]> values, INDArray zT, Random r) {
        INDArray c;
        try (Tape t = Tape.inference()) {
            c = conditionEmbedding(t, values, (int) zT.size(0), Probe.NONE).value().dup();
        }
        INDArray z = sample(c, zT, r);
        c.close();
        return z;
    }

    private int checkLevel(int l) {
        if (l < 0 || l >= steps) throw new IllegalArgumentException("diffusion step " + l + " outside 0.." + (steps - 1));
        return l;
    }

    private Tensor column(Tape t, Tensor schedule, int[] levels) {
        double[] v = new double[levels.length];
        for (int i = 0; i < v.length; i++) v[i] = schedule.value().getDouble(checkLevel(levels[i]));
        return t.ownedConstant(columnOf(v));
    }

    private INDArray columnOf(double[] v) {
        return Nd4j.create(v, new long[]{v.length, 1}, DataType.DOUBLE).castTo(store.floatType());
    }
}
