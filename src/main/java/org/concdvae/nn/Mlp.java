package org.concdvae.nn;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Con-CDVAE {@code build_mlp(in, hidden, layers, out, drop, norm)} with the official sequential indexing
 * (model.md §5): {@code 0} Linear(in,hidden), {@code 1} BatchNorm1d (norm only), ReLU, then {@code layers−1} ×
 * [Linear(hidden,hidden), Dropout (only if 0&lt;drop&lt;1), ReLU], last Linear(hidden,out). Keys are
 * {@code <name>.<index>.weight} etc.; e.g. norm, 2 layers: {@code .0 .1 .3 .5}; no norm, 3 layers: {@code .0 .2 .4 .6}.
 */
public final class Mlp {
    private final List<Linear> linears = new ArrayList<>();
    private final BatchNorm1d norm;
    private final double drop;

    public Mlp(ParameterStore store, String name, int in, int hidden, int layers, int out, double drop, boolean norm) {
        if (layers < 1) throw new IllegalArgumentException("build_mlp needs at least 1 layer, got " + layers);
        ParameterStore s = store.scope(name);
        boolean useDrop = drop > 0 && drop < 1;
        this.drop = useDrop ? drop : 0;
        int idx = 0;
        linears.add(new Linear(s, String.valueOf(idx++), in, hidden, true));
        if (norm) {
            this.norm = new BatchNorm1d(s, String.valueOf(idx++), hidden);
        } else {
            this.norm = null;
        }
        idx++; // ReLU
        for (int l = 0; l < layers - 1; l++) {
            linears.add(new Linear(s, String.valueOf(idx++), hidden, hidden, true));
            if (useDrop) idx++;
            idx++; // ReLU
        }
        linears.add(new Linear(s, String.valueOf(idx), hidden, out, true));
    }

    /** {@code build_mlp(in, hidden, layers, out)} with the defaults drop = −1, norm = true. */
    public Mlp(ParameterStore store, String name, int in, int hidden, int layers, int out) {
        this(store, name, in, hidden, layers, out, -1, true);
    }

    public Tensor forward(Tape t, Tensor x) {
        Tensor h = linears.get(0).forward(t, x);
        if (norm != null) h = norm.forward(t, h);
        h = t.relu(h);
        for (int l = 1; l < linears.size() - 1; l++) {
            h = linears.get(l).forward(t, h);
            if (drop > 0 && t.isTraining()) h = t.dropout(h, drop);
            h = t.relu(h);
        }
        return linears.get(linears.size() - 1).forward(t, h);
    }

    public List<Linear> linears() { return linears; }

    public BatchNorm1d norm() { return norm; }

    /** PyTorch default initialisation of every Linear (BatchNorm weight 1, bias 0). */
    public Mlp initPyTorch(Random r) {
        for (Linear l : linears) l.initPyTorch(r);
        return this;
    }
}
