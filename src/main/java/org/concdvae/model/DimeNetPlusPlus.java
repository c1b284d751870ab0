package org.concdvae.model;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.graph.RadiusGraph;
import org.concdvae.nn.BesselBasis;
import org.concdvae.nn.DimeNetResidual;
import org.concdvae.nn.Embedding;
import org.concdvae.nn.Init;
import org.concdvae.nn.Linear;
import org.concdvae.nn.ParameterStore;
import org.concdvae.nn.SphericalBasis;

import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The Con-CDVAE encoder: DimeNet++ ({@code DimeNetPlusPlusWrap}, model.md §3) with mean readout. Parameters are
 * registered under {@code encoder.*} with the official names (model.md §15).
 *
 * <p>Exact algebraic savings (engine.md): the embedding block's linear layer over {@code [emb[Z_i]; emb[Z_j]; rbf']}
 * is split into three column blocks; the two atom blocks are applied to the 95-row embedding table and gathered per
 * edge. Because the readout is a mean, the output blocks' final bias-free layer is applied after the readout
 * ({@code mean_b(Σ_k a_k W_kᵀ) = Σ_k mean_b(a_k) W_kᵀ}), on B rows instead of N; with an active {@link Probe} the
 * per-atom outputs {@code P_k} are materialised as in the reference.
 */
public final class DimeNetPlusPlus {
    /** Rows of the atom embedding table (indexed by Z directly, model.md §16). */
    public static final int EMBEDDING_ROWS = 95;

    private final int hidden;
    private final int outChannels;
    private final boolean otfGraph;
    private final double cutoff;
    private final int maxNumNeighbors;
    private final boolean meanReadout;
    private final BesselBasis rbf;
    private final SphericalBasis sbf;
    private final Embedding emb;
    private final Linear embLinRbf;
    private final Linear embLin;
    private final List<Interaction> interactions = new ArrayList<>();
    private final List<Output> outputs = new ArrayList<>();

    /**
     * @param store       scope of the encoder ({@code encoder})
     * @param cfg         {@code model.encoder}
     * @param outChannels encoder output size (the model passes {@code latent_dim})
     */
    public DimeNetPlusPlus(ParameterStore store, Config.Encoder cfg, int outChannels) {
        this(store, cfg.hiddenChannels(), cfg.numBlocks(), cfg.intEmbSize(), cfg.basisEmbSize(), cfg.outEmbChannels(),
                cfg.numSpherical(), cfg.numRadial(), cfg.cutoff(), cfg.envelopeExponent(), cfg.numBeforeSkip(),
                cfg.numAfterSkip(), cfg.numOutputLayers(), outChannels, cfg.readout(), cfg.otfGraph(), cfg.maxNumNeighbors());
    }

    public DimeNetPlusPlus(ParameterStore store, int hidden, int numBlocks, int intEmb, int basisEmb, int outEmb,
                           int numSpherical, int numRadial, double cutoff, int envelopeExponent, int numBeforeSkip,
                           int numAfterSkip, int numOutputLayers, int outChannels, String readout, boolean otfGraph,
                           int maxNumNeighbors) {
        if (!"mean".equals(readout) && !"sum".equals(readout)) {
            throw new IllegalArgumentException("model.encoder.readout must be 'mean' or 'sum', got '" + readout + "'");
        }
        this.hidden = hidden;
        this.outChannels = outChannels;
        this.meanReadout = "mean".equals(readout);
        this.otfGraph = otfGraph;
        this.cutoff = cutoff;
        this.maxNumNeighbors = maxNumNeighbors;
        this.rbf = new BesselBasis(store, "rbf", numRadial, cutoff, envelopeExponent);
        this.sbf = new SphericalBasis(numSpherical, numRadial, cutoff, envelopeExponent);
        ParameterStore e = store.scope("emb");
        this.emb = new Embedding(e, "emb", EMBEDDING_ROWS, hidden);
        this.embLinRbf = new Linear(e, "lin_rbf", numRadial, hidden, true);
        this.embLin = new Linear(e, "lin", 3 * hidden, hidden, true);
        ParameterStore ob = store.scope("output_blocks");
        for (int k = 0; k <= numBlocks; k++) {
            outputs.add(new Output(ob.scope(String.valueOf(k)), numRadial, hidden, outEmb, outChannels, numOutputLayers));
        }
        ParameterStore ib = store.scope("interaction_blocks");
        for (int k = 0; k < numBlocks; k++) {
            interactions.add(new Interaction(ib.scope(String.valueOf(k)), hidden, intEmb, basisEmb, numSpherical, numRadial,
                    numBeforeSkip, numAfterSkip));
        }
    }

    /** Whether the encoder builds its own radius graph ({@code otf_graph}) instead of using the batch's edges. */
    public boolean otfGraph() { return otfGraph; }

    /**
     * The encoder inputs of a batch (model.md §2.1–§2.2): the batch's precomputed graph (CrystalNN / MinimumDistanceNN
     * bonds with their images), or with {@code otf_graph} the periodic radius graph (cutoff, {@code max_num_neighbors})
     * built from the positions; then triplets and bases.
     *
     * @param lattices    9 per crystal, rows = lattice vectors
     * @param cart        3 per atom, Cartesian positions
     * @param numAtoms    atoms per crystal
     * @param atomTypes   Z per atom
     * @param precomputed the batch's graph (may be null when {@code otf_graph})
     */
    public EncoderGraph prepare(double[] lattices, double[] cart, int[] numAtoms, int[] atomTypes, CrystalGraph precomputed,
                                DataType type, int threads) {
        CrystalGraph g;
        if (otfGraph) {
            g = RadiusGraph.build(lattices, cart, numAtoms, cutoff, maxNumNeighbors, threads);
        } else {
            if (precomputed == null) throw new IllegalArgumentException("the encoder needs the batch's graph (otf_graph is false)");
            g = precomputed;
        }
        return EncoderGraph.build(g, atomTypes, EMBEDDING_ROWS, sbf, type, threads);
    }

    /** The geometry-only spherical basis (for building {@link EncoderGraph}s). */
    public SphericalBasis sphericalBasis() { return sbf; }

    public int outChannels() { return outChannels; }

    /**
     * DimeNet++ {@code reset_parameters} (model.md §14): glorot-orthogonal(2) weights, zero biases for the DimeNet
     * layers, PyTorch defaults for {@code emb.lin_rbf}, {@code emb.lin} and the output {@code lin_up} bias,
     * {@code U(±√3)} embedding, zero output {@code lin}, {@code freq = nπ}.
     */
    public void initialise(Random r) {
        rbf.resetFrequencies();
        Init.uniform(emb.weight, -Math.sqrt(3), Math.sqrt(3), r);
        embLinRbf.initPyTorch(r);
        embLin.initPyTorch(r);
        for (Output o : outputs) o.initialise(r);
        for (Interaction i : interactions) i.initialise(r);
    }

    /** Encoder output {@code h_enc: [B, outChannels]} (before the optional tanh of the model). */
    public Tensor forward(Tape t, EncoderGraph g) { return forward(t, g, Probe.NONE); }

    /**
     * Forward pass; {@code probe} receives {@code rbf}, {@code sbf}, {@code emb_out}, {@code P_block<k>},
     * {@code x_after_interaction<k>}, {@code P_total} (Σ_k P_k per atom) and {@code hidden}.
     */
    public Tensor forward(Tape t, EncoderGraph g, Probe probe) {
        if (g.numEdges() == 0) return forwardWithoutEdges(t, g, probe);
        Tensor rbf = this.rbf.forward(t, g.distances());
        Tensor sbf = t.constant(g.sphericalBasis());
        probe.accept("rbf", rbf);
        probe.accept("sbf", sbf);
        Tensor x = embedding(t, g, rbf);
        probe.accept("emb_out", x);
        boolean perAtom = probe.active();
        // Σ_k of the last layer's inputs (readout-first form) or of the per-atom outputs (probe form)
        Tensor acc = null;
        for (int k = 0; k < outputs.size(); k++) {
            if (k > 0) {
                x = interactions.get(k - 1).forward(t, x, rbf, sbf, g);
                probe.accept("x_after_interaction" + (k - 1), x);
            }
            Output o = outputs.get(k);
            Tensor a = o.beforeLast(t, x, rbf, g);
            Tensor contribution;
            if (perAtom) {
                contribution = o.last(t, a);
                probe.accept("P_block" + k, contribution);
            } else {
                contribution = o.last(t, readout(t, a, g));
            }
            acc = acc == null ? contribution : t.add(acc, contribution);
        }
        if (perAtom) probe.accept("P_total", acc);
        Tensor h = perAtom ? readout(t, acc, g) : acc;
        probe.accept("hidden", h);
        return h;
    }

    /**
     * A batch without any edge: every output block's edge sum is zero (the reference's scatter gives zero rows), so
     * only the layers after it contribute. Handled apart because the matrix products of empty edge arrays fail.
     */
    private Tensor forwardWithoutEdges(Tape t, EncoderGraph g, Probe probe) {
        Tensor zero = t.ownedConstant(org.nd4j.linalg.factory.Nd4j.zeros(emb.weight.value().dataType(), g.numAtoms(), hidden));
        Tensor acc = null;
        for (int k = 0; k < outputs.size(); k++) {
            Tensor p = outputs.get(k).last(t, outputs.get(k).afterSum(t, zero));
            probe.accept("P_block" + k, p);
            acc = acc == null ? p : t.add(acc, p);
        }
        probe.accept("P_total", acc);
        Tensor h = readout(t, acc, g);
        probe.accept("hidden", h);
        return h;
    }

    private Tensor readout(Tape t, Tensor perAtom, EncoderGraph g) {
        return meanReadout ? t.segmentMean(perAtom, g.atomCrystal()) : t.segmentSum(perAtom, g.atomCrystal());
    }

    /**
     * {@code x_e = act(W [emb[Z_i]; emb[Z_j]; act(W_rbf rbf_e + b_rbf)] + b)}, with the atom column blocks of W
     * applied to the embedding table first: {@code (E·W_aᵀ)[Z_i] + (E·W_bᵀ)[Z_j]}.
     */
    private Tensor embedding(Tape t, EncoderGraph g, Tensor rbf) {
        Tensor r = t.silu(embLinRbf.forward(t, rbf));
        Tensor wa = t.slice(embLin.weight, 0, hidden);
        Tensor wb = t.slice(embLin.weight, hidden, 2L * hidden);
        Tensor wc = t.slice(embLin.weight, 2L * hidden, 3L * hidden);
        Tensor ta = t.linear(emb.weight, wa, null);
        Tensor tb = t.linear(emb.weight, wb, null);
        Tensor y = t.linear(r, wc, embLin.bias);
        y = t.add(y, t.gather(ta, g.typeOfTarget()));
        y = t.add(y, t.gather(tb, g.typeOfSource()));
        return t.silu(y);
    }

    /** {@code InteractionPPBlock} (model.md §3.4). */
    static final class Interaction {
        final Linear linRbf1, linRbf2, linSbf1, linSbf2, linKj, linJi, linDown, linUp, lin;
        final List<DimeNetResidual> before = new ArrayList<>(), after = new ArrayList<>();

        Interaction(ParameterStore s, int hidden, int intEmb, int basisEmb, int numSpherical, int numRadial,
                    int numBeforeSkip, int numAfterSkip) {
            linRbf1 = new Linear(s, "lin_rbf1", numRadial, basisEmb, false);
            linRbf2 = new Linear(s, "lin_rbf2", basisEmb, hidden, false);
            linSbf1 = new Linear(s, "lin_sbf1", numSpherical * numRadial, basisEmb, false);
            linSbf2 = new Linear(s, "lin_sbf2", basisEmb, intEmb, false);
            linKj = new Linear(s, "lin_kj", hidden, hidden, true);
            linJi = new Linear(s, "lin_ji", hidden, hidden, true);
            linDown = new Linear(s, "lin_down", hidden, intEmb, false);
            linUp = new Linear(s, "lin_up", intEmb, hidden, false);
            ParameterStore bs = s.scope("layers_before_skip");
            for (int k = 0; k < numBeforeSkip; k++) before.add(new DimeNetResidual(bs, String.valueOf(k), hidden));
            lin = new Linear(s, "lin", hidden, hidden, true);
            ParameterStore as = s.scope("layers_after_skip");
            for (int k = 0; k < numAfterSkip; k++) after.add(new DimeNetResidual(as, String.valueOf(k), hidden));
        }

        void initialise(Random r) {
            for (Linear l : new Linear[]{linRbf1, linRbf2, linSbf1, linSbf2, linKj, linJi, linDown, linUp, lin}) {
                Init.glorotOrthogonal(l.weight, 2.0, r);
                if (l.bias != null) Init.constant(l.bias, 0);
            }
            for (DimeNetResidual res : before) res.initDimeNet(r);
            for (DimeNetResidual res : after) res.initDimeNet(r);
        }

        Tensor forward(Tape t, Tensor x, Tensor rbf, Tensor sbf, EncoderGraph g) {
            Tensor xji = t.silu(linJi.forward(t, x));
            Tensor xkj = t.silu(linKj.forward(t, x));
            xkj = t.mul(xkj, linRbf2.forward(t, linRbf1.forward(t, rbf)));
            xkj = t.silu(linDown.forward(t, xkj));
            Tensor s = linSbf2.forward(t, linSbf1.forward(t, sbf));
            Tensor m = t.mul(t.gather(xkj, g.tripletKj()), s);
            Tensor agg = t.scatterSum(m, g.tripletJi());
            xkj = t.silu(linUp.forward(t, agg));
            Tensor h = t.add(xji, xkj);
            for (DimeNetResidual res : before) h = res.forward(t, h);
            h = t.add(t.silu(lin.forward(t, h)), x);
            for (DimeNetResidual res : after) h = res.forward(t, h);
            return h;
        }
    }

    /** {@code OutputPPBlock} (model.md §3.4), split so the final layer can follow the readout. */
    static final class Output {
        final Linear linRbf, linUp, lin;
        final List<Linear> lins = new ArrayList<>();

        Output(ParameterStore s, int numRadial, int hidden, int outEmb, int outChannels, int numLayers) {
            linRbf = new Linear(s, "lin_rbf", numRadial, hidden, false);
            linUp = new Linear(s, "lin_up", hidden, outEmb, true);
            ParameterStore ls = s.scope("lins");
            for (int k = 0; k < numLayers; k++) lins.add(new Linear(ls, String.valueOf(k), outEmb, outEmb, true));
            lin = new Linear(s, "lin", outEmb, outChannels, false);
        }

        void initialise(Random r) {
            Init.glorotOrthogonal(linRbf.weight, 2.0, r);
            Init.glorotOrthogonal(linUp.weight, 2.0, r);
            // the Con-CDVAE copy adds a bias that reset_parameters leaves at the nn.Linear default U(±1/√in)
            double b = 1.0 / Math.sqrt(linUp.in());
            Init.uniform(linUp.bias, -b, b, r);
            for (Linear l : lins) {
                Init.glorotOrthogonal(l.weight, 2.0, r);
                Init.constant(l.bias, 0);
            }
            Init.constant(lin.weight, 0);
        }

        /** {@code act(lins(lin_up(scatter_i(lin_rbf(rbf) ⊙ x))))}: per-atom {@code [N, outEmb]}. */
        Tensor beforeLast(Tape t, Tensor x, Tensor rbf, EncoderGraph g) {
            return afterSum(t, t.scatterSum(t.mul(linRbf.forward(t, rbf), x), g.edgeTarget()));
        }

        /** {@code act(lins(lin_up(a)))} from the per-atom edge sums {@code a [N, hidden]}. */
        Tensor afterSum(Tape t, Tensor a) {
            a = linUp.forward(t, a);
            for (Linear l : lins) a = t.silu(l.forward(t, a));
            return a;
        }

        Tensor last(Tape t, Tensor a) { return lin.forward(t, a); }
    }
}
