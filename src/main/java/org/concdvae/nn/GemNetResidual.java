package org.concdvae.nn;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;

import java.util.Random;

/**
 * GemNet {@code ResidualLayer(units, nLayers=2)}: {@code (x + Dense_act(Dense_act(x))) · (1/√2)}, keys
 * {@code <name>.dense_mlp.{0,1}.linear.weight} (model.md §11).
 */
public final class GemNetResidual {
    private static final double INV_SQRT_2 = 1 / Math.sqrt(2.0);
    public final Dense dense0, dense1;

    public GemNetResidual(ParameterStore store, String name, int units) {
        ParameterStore s = store.scope(name).scope("dense_mlp");
        dense0 = new Dense(s, "0", units, units, true);
        dense1 = new Dense(s, "1", units, units, true);
    }

    public Tensor forward(Tape t, Tensor x) {
        return t.addScaledReusing(dense1.forward(t, dense0.forward(t, x)), x, INV_SQRT_2);
    }

    public GemNetResidual initHeOrthogonal(Random r) {
        dense0.initHeOrthogonal(r);
        dense1.initHeOrthogonal(r);
        return this;
    }
}
