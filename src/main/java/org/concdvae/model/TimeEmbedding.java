package org.concdvae.model;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.nn.Linear;
import org.concdvae.nn.ParameterStore;
import org.concdvae.nn.SinusoidalEmbedding;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Random;

/**
 * The noise-level embedding {@code time_mlp = [SinusoidalPositionEmbeddings(D), Linear(D, D), ReLU]} (model.md §7):
 * {@code ω_k = exp(−k·ln(10000)/(D/2 − 1))}, {@code sin_emb(t) = [sin(t ω) ; cos(t ω)]}, then
 * {@code ReLU(Linear(sin_emb))}. Keys {@code time_mlp.1.*}.
 */
public final class TimeEmbedding {
    private final SinusoidalEmbedding sinusoidal;
    private final Linear linear;

    /** Registers {@code <name>.1.weight/bias} in {@code root}. */
    public TimeEmbedding(ParameterStore root, String name, int dim) {
        this.sinusoidal = new SinusoidalEmbedding(dim);
        this.linear = new Linear(root.scope(name), "1", dim, dim, true);
    }

    public int dim() { return sinusoidal.dim(); }

    public void initialise(Random r) { linear.initPyTorch(r); }

    /** The sinusoidal features {@code [B, D]} of the noise-level indices {@code t} (all sines first). */
    public INDArray sinusoidal(double[] t, DataType type) { return sinusoidal.compute(t, type); }

    /** {@code time_emb = ReLU(Linear(sin_emb(t)))}: {@code [B, D]}. */
    public Tensor forward(Tape t, double[] levels) {
        Tensor s = t.ownedConstant(sinusoidal(levels, linear.weight.value().dataType()));
        return t.relu(linear.forward(t, s));
    }
}
