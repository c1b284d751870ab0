package org.concdvae.nn;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;

import java.util.Random;

/** PyTorch {@code nn.Linear}: {@code y = x Wᵀ + b}, keys {@code <name>.weight [out,in]} and {@code <name>.bias [out]}. */
public final class Linear {
    public final Tensor weight;
    public final Tensor bias;

    /** Registers {@code name.weight} (and {@code name.bias} if {@code bias}) in {@code store}. */
    public Linear(ParameterStore store, String name, int in, int out, boolean bias) {
        ParameterStore s = store.scope(name);
        this.weight = s.parameter("weight", out, in);
        this.bias = bias ? s.parameter("bias", out) : null;
    }

    public Tensor forward(Tape t, Tensor x) { return t.linear(x, weight, bias); }

    public int in() { return (int) weight.size(1); }

    public int out() { return (int) weight.size(0); }

    /** PyTorch default initialisation U(±1/√in). */
    public Linear initPyTorch(Random r) {
        Init.pytorchLinear(weight, bias, r);
        return this;
    }
}
