package org.concdvae.nn;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;

import java.util.Random;

/**
 * GemNet {@code Dense(in, out, bias=False, activation)}: bias-free linear layer (key {@code <name>.linear.weight}),
 * optionally followed by ScaledSiLU {@code silu(x)/0.6} (model.md §11).
 */
public final class Dense {
    public final Tensor weight;
    private final boolean activation;

    public Dense(ParameterStore store, String name, int in, int out, boolean activation) {
        this.weight = store.scope(name).scope("linear").parameter("weight", out, in);
        this.activation = activation;
    }

    public Tensor forward(Tape t, Tensor x) {
        return activation ? t.linearScaledSilu(x, weight) : t.linear(x, weight, null);
    }

    public Dense initHeOrthogonal(Random r) {
        Init.heOrthogonal(weight, r);
        return this;
    }
}
