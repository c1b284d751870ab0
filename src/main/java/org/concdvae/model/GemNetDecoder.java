package org.concdvae.model;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.nn.CircularBasis;
import org.concdvae.nn.Dense;
import org.concdvae.nn.Embedding;
import org.concdvae.nn.GaussianBasis;
import org.concdvae.nn.GemNetBlocks;
import org.concdvae.nn.GemNetGraph;
import org.concdvae.nn.Init;
import org.concdvae.nn.Linear;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The score decoder: GemNet-T with latent injection (model.md §11), keys {@code decoder.gemnet.*} and
 * {@code decoder.fc_atom.*} (§15). Input: the per-crystal conditioning vector {@code [z_con ; time_emb]}
 * {@code [B, latent+time]}, noisy fractional coordinates, atom types (Z) and the lattice; output: the predicted
 * Cartesian coordinate differences {@code [N,3]} (direct forces aggregated onto atoms) and type logits {@code [N,100]}.
 * The graph and bases are built outside the tape ({@link #graph}); the forward pass is the tape part.
 */
public final class GemNetDecoder {
    /** Type classes: class k is atomic number k+1. */
    public static final int NUM_TYPES = 100;

    private final Config.Decoder cfg;
    private final GaussianBasis radialBasis;
    private final CircularBasis cbfBasis;
    private final Dense mlpRbf3, mlpRbfH, mlpRbfOut;
    private final Tensor mlpCbf3Weight;
    private final Embedding atomEmb;
    private final Linear atomLatentEmb;
    private final GemNetBlocks.EdgeConcat edgeEmb;
    private final List<GemNetBlocks.OutputBlock> outBlocks = new ArrayList<>();
    private final List<GemNetBlocks.InteractionBlock> intBlocks = new ArrayList<>();
    private final Linear fcAtom;

    /** Registers the decoder under {@code decoder} in the model's top-level store. */
    public GemNetDecoder(ParameterStore root, Config.Decoder cfg) {
        this.cfg = cfg;
        ParameterStore d = root.scope("decoder");
        ParameterStore g = d.scope("gemnet");
        int atom = cfg.hiddenDim(), edge = cfg.hiddenDim();
        int latentIn = cfg.latentDim() + cfg.timeEmbDim();
        radialBasis = new GaussianBasis(g, "radial_basis", cfg.numRadial(), cfg.radius(), cfg.envelopeExponent());
        cbfBasis = new CircularBasis(g, "cbf_basis3", cfg.numSpherical(), cfg.numRadial(), cfg.radius(), cfg.envelopeExponent());
        mlpRbf3 = new Dense(g, "mlp_rbf3", cfg.numRadial(), cfg.embSizeRbf(), false);
        mlpCbf3Weight = g.scope("mlp_cbf3").parameter("weight", cfg.numSpherical(), cfg.numRadial(), cfg.embSizeCbf());
        mlpRbfH = new Dense(g, "mlp_rbf_h", cfg.numRadial(), cfg.embSizeRbf(), false);
        mlpRbfOut = new Dense(g, "mlp_rbf_out", cfg.numRadial(), cfg.embSizeRbf(), false);
        atomEmb = new Embedding(g.scope("atom_emb"), "embeddings", NUM_TYPES, atom);
        atomLatentEmb = new Linear(g, "atom_latent_emb", atom + latentIn, atom, true);
        edgeEmb = new GemNetBlocks.EdgeConcat(g, "edge_emb", atom, cfg.numRadial(), edge);
        for (int i = 0; i <= cfg.numBlocks(); i++) {
            outBlocks.add(new GemNetBlocks.OutputBlock(g.scope("out_blocks"), String.valueOf(i), atom, edge, cfg.embSizeRbf(), cfg.numAtom()));
        }
        for (int i = 0; i < cfg.numBlocks(); i++) {
            intBlocks.add(new GemNetBlocks.InteractionBlock(g.scope("int_blocks"), String.valueOf(i), atom, edge,
                    cfg.embSizeTrip(), cfg.embSizeRbf(), cfg.embSizeCbf(), cfg.embSizeBilTrip(), cfg.numBeforeSkip(),
                    cfg.numAfterSkip(), cfg.numConcat(), cfg.numAtom()));
        }
        fcAtom = new Linear(d, "fc_atom", atom, NUM_TYPES, true);
        setDefaultScaleFactors();
    }

    public Config.Decoder config() { return cfg; }

    /** The decoder cutoff (Å). */
    public double radius() { return cfg.radius(); }

    /**
     * The scale factors of gemnet-dT.json (model.md §11.3 tables); loaded weights override them. Blocks beyond the
     * official three keep 1.
     */
    private void setDefaultScaleFactors() {
        double[][] inter = {{18.873615264892578, 7.996850490570068, 1.220463752746582},
                {16.10817527770996, 7.614634037017822, 0.9690994620323181},
                {15.01930046081543, 7.025179862976074, 0.8903237581253052}};
        double[][] out = {{1.6437848806381226, 16.161039352416992}, {1.1077653169631958, 13.54678726196289},
                {0.9477927684783936, 12.754337310791016}, {0.9059251546859741, 13.484951972961426}};
        for (int i = 0; i < intBlocks.size(); i++) {
            GemNetBlocks.InteractionBlock b = intBlocks.get(i);
            boolean known = i < inter.length;
            b.trip.scaleRbf.set(known ? inter[i][0] : 1);
            b.trip.scaleCbfSum.set(known ? inter[i][1] : 1);
            b.atomUpdate.scaleSum.set(known ? inter[i][2] : 1);
        }
        for (int i = 0; i < outBlocks.size(); i++) {
            boolean known = i < out.length;
            outBlocks.get(i).scaleSum.set(known ? out[i][0] : 1);
            outBlocks.get(i).scaleRbfF.set(known ? out[i][1] : 1);
        }
    }

    /** Initialisation for training from scratch (model.md §14): He-orthogonal GemNet weights, PyTorch defaults. */
    public void initialise(Random r) {
        mlpRbf3.initHeOrthogonal(r);
        Init.heOrthogonal(mlpCbf3Weight, r);
        mlpRbfH.initHeOrthogonal(r);
        mlpRbfOut.initHeOrthogonal(r);
        Init.uniform(atomEmb.weight, -Math.sqrt(3), Math.sqrt(3), r);
        atomLatentEmb.initPyTorch(r);
        edgeEmb.initHeOrthogonal(r);
        for (GemNetBlocks.OutputBlock b : outBlocks) b.initHeOrthogonal(r);
        for (GemNetBlocks.InteractionBlock b : intBlocks) b.initHeOrthogonal(r);
        fcAtom.initPyTorch(r);
    }

    /**
     * The decoder graph of a batch (model.md §2.2, §2.3, §11.1, §11.2), outside the tape.
     *
     * @param lattices 9 per crystal, rows = lattice vectors
     * @param cart     3 per atom, Cartesian positions (Å)
     */
    public GemNetGraph graph(double[] lattices, double[] cart, int[] numAtoms, DataType type, int threads) {
        return GemNetGraph.build(lattices, cart, numAtoms, cfg.radius(), cfg.maxNeighbors(), radialBasis, cbfBasis,
                cfg.numSpherical(), type, threads);
    }

    /** Decoder outputs: coordinate scores {@code [N,3]} and type logits {@code [N,100]}. */
    public record Output(Tensor coordDiff, Tensor typeLogits) {}

    /**
     * The forward pass (model.md §11.3).
     *
     * @param zTime     {@code [B, latent+time]} conditioning vector per crystal
     * @param atomTypes atomic numbers (1..100), one per atom
     * @param probe     receives the intermediates named as in {@code batch8_decoder} (and the output-block energies,
     *                  computed only when the probe is active)
     */
    public Output forward(Tape t, GemNetGraph g, Tensor zTime, int[] atomTypes, Probe probe) {
        int n = g.numAtoms();
        if (atomTypes.length != n) throw new IllegalArgumentException(atomTypes.length + " atom types for " + n + " atoms");
        if (zTime.rank() != 2 || zTime.size(0) != g.graph.numCrystals() || zTime.size(1) != cfg.latentDim() + cfg.timeEmbDim()) {
            throw new IllegalArgumentException("decoder latent input must be [" + g.graph.numCrystals() + ", "
                    + (cfg.latentDim() + cfg.timeEmbDim()) + "], got " + java.util.Arrays.toString(zTime.shape()));
        }
        int[] cls = new int[n];
        for (int i = 0; i < n; i++) {
            if (atomTypes[i] < 1 || atomTypes[i] > NUM_TYPES) {
                throw new IllegalArgumentException("atom type " + atomTypes[i] + " at atom " + i + " outside 1.." + NUM_TYPES);
            }
            cls[i] = atomTypes[i] - 1;
        }
        boolean probing = probe.active();
        Tensor rbf = t.constant(g.rbf);
        Tensor h = atomEmb.forward(t, cls);
        if (probing) probe.accept("h_atom_emb", h);
        h = atomLatentEmb.forward(t, t.concat(h, t.gather(zTime, g.crystalOfAtom)));
        if (probing) probe.accept("h_after_latent", h);
        Tensor m = edgeEmb.forward(t, h, rbf, g.source, g.target);
        if (probing) probe.accept("m_edge_emb", m);

        Tensor rbf3 = mlpRbf3.forward(t, rbf);
        Tensor w1 = t.matmul(t.constant(g.rad3), cbf3Matrix(t));                    // [E, C·S]
        Tensor rbfH = mlpRbfH.forward(t, rbf);
        Tensor rbfOut = mlpRbfOut.forward(t, rbf);

        int mark = t.mark();
        Tensor f = outBlocks.get(0).forces(t, m, rbfOut);
        if (!probing) t.releaseSince(mark, f);
        if (probing) {
            probe.accept("out0_F", f);
            probe.accept("out0_E", outBlocks.get(0).energy(t, m, rbfOut, g.target));
        }
        for (int i = 0; i < intBlocks.size(); i++) {
            mark = t.mark();
            Tensor[] hm = intBlocks.get(i).forward(t, h, m, rbf3, w1, rbfH, g);
            h = hm[0];
            m = hm[1];
            if (!probing) t.releaseSince(mark, h, m, f);
            if (probing) {
                probe.accept("int" + i + "_h", h);
                probe.accept("int" + i + "_m", m);
            }
            mark = t.mark();
            Tensor fi = outBlocks.get(i + 1).forces(t, m, rbfOut);
            if (probing) {
                probe.accept("out" + (i + 1) + "_F", fi);
                probe.accept("out" + (i + 1) + "_E", outBlocks.get(i + 1).energy(t, m, rbfOut, g.target));
            }
            f = t.add(f, fi);
            if (!probing) t.releaseSince(mark, f, h, m);
        }
        Tensor force = t.scatterSum(t.mul(t.constant(g.unitVectors), f), g.target);   // Σ_{e→a} F_e V_st[e]
        Tensor logits = fcAtom.forward(t, h);
        return new Output(force, logits);
    }

    /**
     * {@code mlp_cbf3.weight [S, R, C]} rearranged to {@code [R, C·S]} (layout (c,s)) on the tape, so that
     * {@code rad3 · it = W1[e,c,s] = Σ_r rad3[e,r] w[s,r,c]} (the EfficientInteractionDownProjection).
     */
    private Tensor cbf3Matrix(Tape t) {
        int s = cfg.numSpherical(), r = cfg.numRadial(), c = cfg.embSizeCbf();
        Tensor a = t.reshape(mlpCbf3Weight, s, (long) r * c);   // [S, R·C]
        Tensor b = t.transpose(a);                               // [R·C, S]
        return t.reshape(b, r, (long) c * s);                    // [R, C·S]
    }
}
