package org.concdvae.model;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.nn.Linear;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * The noise-level embedding {@code time_mlp = [SinusoidalPositionEmbeddings(D), Linear(D, D), ReLU]} (model.md §7):
 * {@code ω_k = exp(−k·ln(10000)/(D/2 − 1))}, {@code sin_emb(t) = [sin(t ω) ; cos(t ω)]}, then
 * {@code ReLU(Linear(sin_emb))}. Keys {@code time_mlp.1.*}.
 */
public final class TimeEmbedding {
    private final Linear linear;
    private final int dim;

    /** Registers {@code <name>.1.weight/bias} in {@code root}. */
    public TimeEmbedding(ParameterStore root, String name, int dim) {
        if (dim < 4 || dim % 2 != 0) throw new IllegalArgumentException("time embedding size must be even and >= 4, got " + dim);
        this.linear = new Linear(root.scope(name), "1", dim, dim, true);
        this.dim = dim;
    }

    public int dim() { return dim; }

    public void initialise(Random r) { linear.initPyTorch(r); }

    /**
     * The sinusoidal features {@code [B, D]} of the noise-level indices {@code t} (all sines first). The reference
     * forms {@code ω} and {@code t·ω} in float32; they are rounded the same way here so large t match too.
     */
    public INDArray sinusoidal(double[] t, DataType type) {
        int h = dim / 2;
        float step = (float) (Math.log(10000) / (h - 1));
        float[] omega = new float[h];
        for (int k = 0; k < h; k++) omega[k] = (float) Math.exp((float) (k * -step));
        double[] out = new double[t.length * dim];
        for (int b = 0; b < t.length; b++) {
            float tb = (float) t[b];
            for (int k = 0; k < h; k++) {
                float arg = tb * omega[k];
                out[b * dim + k] = Math.sin(arg);
                out[b * dim + h + k] = Math.cos(arg);
            }
        }
        return Nd4j.create(out, new long[]{t.length, dim}, DataType.DOUBLE).castTo(type);
    }

    /** {@code time_emb = ReLU(Linear(sin_emb(t)))}: {@code [B, D]}. */
    public Tensor forward(Tape t, double[] levels) {
        Tensor s = t.ownedConstant(sinusoidal(levels, linear.weight.value().dataType()));
        return t.relu(linear.forward(t, s));
    }
}
