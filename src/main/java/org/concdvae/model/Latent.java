package org.concdvae.model;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.nn.Linear;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * The VAE latent (model.md §4, {@code CDVAE.encode/reparameterize/kld_loss}): optional tanh on the encoder output
 * ({@code model.smooth}), {@code μ = fc_mu(h)}, {@code log σ² = fc_var(h)}, {@code z = μ + exp(½ log σ²) ⊙ ε} and
 * {@code KL = mean_b[−½ Σ_d (1 + log σ² − μ² − exp(log σ²))]}. Keys {@code fc_mu.*}, {@code fc_var.*}.
 */
public final class Latent {
    private final Linear fcMu;
    private final Linear fcVar;
    private final boolean smooth;
    private final int dim;

    /** What {@link #encode} returns. */
    public record Encoded(Tensor mu, Tensor logVar, Tensor z) {}

    /** Registers {@code fc_mu} and {@code fc_var} in {@code root} (the model's top-level scope). */
    public Latent(ParameterStore root, int latentDim, boolean smooth) {
        this.fcMu = new Linear(root, "fc_mu", latentDim, latentDim, true);
        this.fcVar = new Linear(root, "fc_var", latentDim, latentDim, true);
        this.smooth = smooth;
        this.dim = latentDim;
    }

    public int dim() { return dim; }

    public void initialise(Random r) {
        fcMu.initPyTorch(r);
        fcVar.initPyTorch(r);
    }

    /**
     * μ, log σ² and z from the encoder output {@code hEnc [B, D]}. {@code eps} is the standard-normal draw
     * {@code [B, D]} (see {@link #standardNormal}); the reference always draws it, also when only μ is used.
     */
    public Encoded encode(Tape t, Tensor hEnc, INDArray eps, Probe probe) {
        Tensor h = smooth ? t.tanh(hEnc) : hEnc;
        if (smooth) probe.accept("hidden_tanh", h);
        Tensor mu = fcMu.forward(t, h);
        Tensor logVar = fcVar.forward(t, h);
        probe.accept("mu", mu);
        probe.accept("log_var", logVar);
        return new Encoded(mu, logVar, reparameterise(t, mu, logVar, eps));
    }

    /** {@code z = μ + exp(½ log σ²) ⊙ ε}. */
    public static Tensor reparameterise(Tape t, Tensor mu, Tensor logVar, INDArray eps) {
        if (!java.util.Arrays.equals(eps.shape(), mu.shape())) {
            throw new IllegalArgumentException("eps shape " + java.util.Arrays.toString(eps.shape()) + " differs from mu " + java.util.Arrays.toString(mu.shape()));
        }
        Tensor std = t.exp(t.mul(logVar, 0.5));
        return t.add(mu, t.mul(std, t.constant(eps)));
    }

    /** {@code KL = mean_b[−½ Σ_d (1 + log σ² − μ² − exp(log σ²))]}, a scalar. */
    public static Tensor kl(Tape t, Tensor mu, Tensor logVar) {
        Tensor inner = t.sub(t.sub(t.add(logVar, 1.0), t.mul(mu, mu)), t.exp(logVar));
        Tensor perCrystal = t.sum(inner, 1);
        return t.mul(t.mean(perCrystal), -0.5);
    }

    /** A seeded standard-normal draw {@code [rows, cols]} of the given type (the reparameterisation noise). */
    public static INDArray standardNormal(long rows, long cols, Random r, DataType type) {
        // One long from r seeds a SplittableRandom whose ziggurat nextGaussian is ~10x faster than Random's polar
        // method with its synchronised state: the DDPM prior draws rows·cols normals at each of its 300 steps.
        SplittableRandom g = new SplittableRandom(r.nextLong());
        double[] v = new double[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) v[i] = g.nextGaussian();
        return Nd4j.create(v, new long[]{rows, cols}, DataType.DOUBLE).castTo(type);
    }
}
