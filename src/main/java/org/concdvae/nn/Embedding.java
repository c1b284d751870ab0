package org.concdvae.nn;

import org.concdvae.autodiff.Index;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;

import java.util.Random;

/** PyTorch {@code nn.Embedding(num, dim)}: key {@code <name>.weight [num, dim]}, lookup = row gather. */
public final class Embedding {
    public final Tensor weight;

    public Embedding(ParameterStore store, String name, int num, int dim) {
        this.weight = store.scope(name).parameter("weight", num, dim);
    }

    public int num() { return (int) weight.size(0); }

    /** Rows {@code ids[i]}; ids must lie in {@code [0, num)}. */
    public Tensor forward(Tape t, int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= num()) {
                throw new IllegalArgumentException("embedding index " + ids[i] + " at position " + i + " outside [0, " + num() + ")");
            }
        }
        return t.gather(weight, Index.of(ids, num()));
    }

    /** Lookup with a prebuilt index (its size must equal {@link #num()}). */
    public Tensor forward(Tape t, Index ids) { return t.gather(weight, ids); }

    /** PyTorch default N(0, 1). */
    public Embedding initNormal(Random r) {
        Init.normal(weight, 0, 1, r);
        return this;
    }
}
