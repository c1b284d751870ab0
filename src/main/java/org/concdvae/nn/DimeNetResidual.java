package org.concdvae.nn;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;

import java.util.Random;

/**
 * DimeNet++ {@code ResidualLayer} (torch_geometric): {@code h + act(lin2(act(lin1(h))))} with biases and
 * {@code act = silu}; keys {@code lin1.*}, {@code lin2.*} (model.md §3.4).
 */
public final class DimeNetResidual {
    public final Linear lin1, lin2;

    public DimeNetResidual(ParameterStore store, String name, int hidden) {
        ParameterStore s = store.scope(name);
        lin1 = new Linear(s, "lin1", hidden, hidden, true);
        lin2 = new Linear(s, "lin2", hidden, hidden, true);
    }

    public Tensor forward(Tape t, Tensor h) {
        return t.add(h, t.silu(lin2.forward(t, t.silu(lin1.forward(t, h)))));
    }

    /** DimeNet reset: glorot_orthogonal(W, 2), zero biases. */
    public DimeNetResidual initDimeNet(Random r) {
        Init.glorotOrthogonal(lin1.weight, 2.0, r);
        Init.constant(lin1.bias, 0);
        Init.glorotOrthogonal(lin2.weight, 2.0, r);
        Init.constant(lin2.bias, 0);
        return this;
    }
}
