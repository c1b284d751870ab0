package org.concdvae.eval;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.nn.BatchNorm1d;
import org.concdvae.nn.Linear;
import org.concdvae.nn.ParameterStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * The crystal graph convolutional network of Xie &amp; Grossman (official {@code cgcnn/model.py
 * CrystalGraphConvNet}; generation.md §6.1), with its parameters under the official state_dict names
 * ({@code embedding}, {@code convs.k.fc_full}, {@code convs.k.bn1}, {@code convs.k.bn2}, {@code conv_to_fc},
 * {@code fcs.k}, {@code fc_out}):
 * <pre>
 * v = embedding(x)
 * repeat n_conv: g = bn1(fc_full([v_i ; v_nbr ; u_i,nbr])); f, c = halves of g
 *                v_i = softplus(v_i + bn2(Σ_nbr sigmoid(f)·softplus(c)))
 * h = softplus(conv_to_fc(softplus(mean over the crystal's atoms of v)))
 * [classification: dropout 0.5 in training]; h = softplus(fcs.k(h)) for k &lt; n_h − 1
 * out = fc_out(h)   (regression: 1 value in the normalised space; classification: log-softmax over 2 classes)
 * </pre>
 * {@code fc_full} over the concatenation is computed as {@code v·W_aᵀ} gathered at the centre plus {@code v·W_bᵀ}
 * gathered at the neighbour plus {@code u·W_cᵀ + b} (exact algebra, N instead of 12·N rows for the atom parts).
 */
public final class Cgcnn {
    /** The architecture (CGCNN's {@code args} plus the input widths). */
    public record Args(int origAtomFeaLen, int nbrFeaLen, int atomFeaLen, int nConv, int hFeaLen, int nH, boolean classification) {
        public Args {
            if (origAtomFeaLen < 1 || nbrFeaLen < 1 || atomFeaLen < 1 || nConv < 0 || hFeaLen < 1 || nH < 1) {
                throw new IllegalArgumentException("invalid CGCNN arguments " + this);
            }
        }

        /** The official defaults: 92 atom features, 41 bond features, 64, 3 convolutions, 128, 1 hidden layer. */
        public static Args defaults(boolean classification) {
            return new Args(92, CgcnnGraph.GAUSS_CENTERS, 64, 3, 128, 1, classification);
        }
    }

    /** One {@code ConvLayer}. */
    public static final class ConvLayer {
        final int width;
        final Linear fcFull;
        final BatchNorm1d bn1, bn2;

        ConvLayer(ParameterStore store, String name, int atomFeaLen, int nbrFeaLen) {
            ParameterStore s = store.scope(name);
            width = atomFeaLen;
            fcFull = new Linear(s, "fc_full", 2 * atomFeaLen + nbrFeaLen, 2 * atomFeaLen, true);
            bn1 = new BatchNorm1d(s, "bn1", 2 * atomFeaLen);
            bn2 = new BatchNorm1d(s, "bn2", atomFeaLen);
        }

        /** {@code v [N, F]} atom features, {@code u} the batch's bond features → {@code [N, F]}. */
        public Tensor forward(Tape t, Tensor v, Tensor u, CgcnnBatch b) {
            int f = width;
            Tensor wSelf = t.slice(fcFull.weight, 0, f);
            Tensor wNbr = t.slice(fcFull.weight, f, 2L * f);
            Tensor wBond = t.slice(fcFull.weight, 2L * f, fcFull.weight.size(1));
            Tensor g = t.add(t.add(t.gather(t.linear(v, wSelf, null), b.centers()),
                    t.gather(t.linear(v, wNbr, null), b.neighbors())), t.linear(u, wBond, fcFull.bias));
            g = bn1.forward(t, g);
            Tensor gated = t.mul(t.sigmoid(t.slice(g, 0, f)), t.softplus(t.slice(g, f, 2L * f)));
            Tensor summed = bn2.forward(t, t.segmentSum(gated, b.centers()));
            return t.softplus(t.add(v, summed));
        }
    }

    private final Args args;
    private final ParameterStore store;
    private final Linear embedding, convToFc, fcOut;
    private final List<ConvLayer> convs = new ArrayList<>();
    private final List<Linear> fcs = new ArrayList<>();

    public Cgcnn(ParameterStore store, Args args) {
        this.args = args;
        this.store = store;
        embedding = new Linear(store, "embedding", args.origAtomFeaLen(), args.atomFeaLen(), true);
        for (int k = 0; k < args.nConv(); k++) {
            convs.add(new ConvLayer(store.scope("convs"), String.valueOf(k), args.atomFeaLen(), args.nbrFeaLen()));
        }
        convToFc = new Linear(store, "conv_to_fc", args.atomFeaLen(), args.hFeaLen(), true);
        for (int k = 0; k < args.nH() - 1; k++) fcs.add(new Linear(store.scope("fcs"), String.valueOf(k), args.hFeaLen(), args.hFeaLen(), true));
        fcOut = new Linear(store, "fc_out", args.hFeaLen(), args.classification() ? 2 : 1, true);
    }

    public Args args() { return args; }

    public ParameterStore store() { return store; }

    public List<ConvLayer> convs() { return convs; }

    /** PyTorch's default initialisation of every Linear (U(±1/√in)); BatchNorm starts at γ = 1, β = 0. */
    public Cgcnn initialise(Random r) {
        embedding.initPyTorch(r);
        for (ConvLayer c : convs) c.fcFull.initPyTorch(r);
        convToFc.initPyTorch(r);
        for (Linear l : fcs) l.initPyTorch(r);
        fcOut.initPyTorch(r);
        return this;
    }

    /** The output {@code [B, 1]} (regression, normalised space) or {@code [B, 2]} log-probabilities. */
    public Tensor forward(Tape t, CgcnnBatch b) { return forward(t, b, null); }

    /**
     * As {@link #forward(Tape, CgcnnBatch)}; {@code probe} (may be null) receives {@code embedding_out},
     * {@code conv<k>_out} and {@code pooled}.
     */
    public Tensor forward(Tape t, CgcnnBatch b, BiConsumer<String, Tensor> probe) {
        Tensor u = t.constant(b.bondFeatures());
        Tensor v = embedding.forward(t, t.constant(b.atomFeatures()));
        if (probe != null) probe.accept("embedding_out", v);
        for (int k = 0; k < convs.size(); k++) {
            v = convs.get(k).forward(t, v, u, b);
            if (probe != null) probe.accept("conv" + k + "_out", v);
        }
        Tensor h = t.segmentMean(v, b.crystalOfAtom());
        if (probe != null) probe.accept("pooled", h);
        h = t.softplus(convToFc.forward(t, t.softplus(h)));
        if (args.classification() && t.isTraining()) h = t.dropout(h, 0.5);
        for (Linear fc : fcs) h = t.softplus(fc.forward(t, h));
        Tensor out = fcOut.forward(t, h);
        return args.classification() ? t.logSoftmax(out) : out;
    }
}
