package org.concdvae.nn;

import org.concdvae.autodiff.Index;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The blocks of GemNet-T (direct forces, triplets only) under the official module names (model.md §11.3, §15).
 * Dense layers are bias-free; {@code Dense_act} applies ScaledSiLU. Scale factors are frozen scalars
 * {@code <name>.scale_factor} loaded from the state_dict.
 */
public final class GemNetBlocks {
    static final double INV_SQRT_2 = 1 / Math.sqrt(2.0);

    private GemNetBlocks() {}

    /** GemNet {@code ScaleFactor}: a frozen scalar {@code <name>.scale_factor}, multiplied in. */
    public static final class ScaleFactor {
        public final Tensor value;

        public ScaleFactor(ParameterStore store, String name) {
            this.value = store.scope(name).frozen("scale_factor");
        }

        public Tensor forward(Tape t, Tensor x) { return t.mul(x, value.value().getDouble(0)); }

        public void set(double v) { value.value().assign(v); }
    }

    /**
     * {@code Dense_act(in → out)([h[s] ; h[t] ; x])} (EdgeEmbedding, concat_layer; key {@code <name>.dense}),
     * evaluated as {@code (h·W_sᵀ)[s] + (h·W_tᵀ)[t] + x·W_xᵀ}: the atom parts are multiplied once per atom
     * instead of once per edge (exact).
     */
    public static final class EdgeConcat {
        public final Dense dense;
        private final int atomDim;

        public EdgeConcat(ParameterStore store, String name, int atomDim, int edgeDim, int out) {
            this.dense = new Dense(store.scope(name), "dense", 2 * atomDim + edgeDim, out, true);
            this.atomDim = atomDim;
        }

        public Tensor forward(Tape t, Tensor h, Tensor x, Index source, Index target) {
            Tensor w = dense.weight;
            Tensor ws = t.slice(w, 0, atomDim), wt = t.slice(w, atomDim, 2L * atomDim), wx = t.slice(w, 2L * atomDim, w.size(1));
            Tensor y = t.addScaledReusing(t.gather(t.linear(h, ws, null), source), t.gather(t.linear(h, wt, null), target), 1.0);
            return t.scaledSiluReusing(t.addScaledReusing(t.linear(x, wx, null), y, 1.0));
        }

        public void initHeOrthogonal(Random r) { dense.initHeOrthogonal(r); }
    }

    /** {@code Dense_act} followed by {@code n} residual layers (atom update / output block {@code layers}). */
    static final class DenseStack {
        final Dense first;
        final List<GemNetResidual> residuals = new ArrayList<>();

        DenseStack(ParameterStore store, int in, int units, int numResidual) {
            first = new Dense(store, "0", in, units, true);
            for (int i = 1; i <= numResidual; i++) residuals.add(new GemNetResidual(store, String.valueOf(i), units));
        }

        Tensor forward(Tape t, Tensor x) {
            Tensor y = first.forward(t, x);
            for (GemNetResidual r : residuals) y = r.forward(t, y);
            return y;
        }

        void initHeOrthogonal(Random r) {
            first.initHeOrthogonal(r);
            for (GemNetResidual res : residuals) res.initHeOrthogonal(r);
        }
    }

    /**
     * Triplet interaction with the efficient bilinear layer: {@code dense_ba}, {@code mlp_rbf}, {@code scale_rbf},
     * {@code down_projection}, {@code mlp_cbf} ({@code weight [K, C, O]}), {@code scale_cbf_sum},
     * {@code up_projection_ca/ac} and the swap of the reverse edge.
     */
    public static final class TripletInteraction {
        public final Dense denseBa, mlpRbf, downProjection, upProjectionCa, upProjectionAc;
        public final Tensor mlpCbfWeight;
        public final ScaleFactor scaleRbf, scaleCbfSum;
        private final int embTrip, embCbf, embBil;

        public TripletInteraction(ParameterStore root, String name, int embEdge, int embTrip, int embRbf, int embCbf, int embBil) {
            ParameterStore s = root.scope(name);
            denseBa = new Dense(s, "dense_ba", embEdge, embEdge, true);
            mlpRbf = new Dense(s, "mlp_rbf", embRbf, embEdge, false);
            scaleRbf = new ScaleFactor(s, "scale_rbf");
            mlpCbfWeight = s.scope("mlp_cbf").parameter("weight", embTrip, embCbf, embBil);
            scaleCbfSum = new ScaleFactor(s, "scale_cbf_sum");
            downProjection = new Dense(s, "down_projection", embEdge, embTrip, true);
            upProjectionCa = new Dense(s, "up_projection_ca", embBil, embEdge, true);
            upProjectionAc = new Dense(s, "up_projection_ac", embBil, embEdge, true);
            this.embTrip = embTrip;
            this.embCbf = embCbf;
            this.embBil = embBil;
        }

        /**
         * @param rbf3 {@code [E, embRbf]} = mlp_rbf3(rbf)
         * @param w1   {@code [E, C·S]} = rad3 · mlp_cbf3 (layout (c,s))
         */
        public Tensor forward(Tape t, Tensor m, Tensor rbf3, Tensor w1, GemNetGraph g) {
            Tensor x = t.mulReusing(denseBa.forward(t, m), mlpRbf.forward(t, rbf3));
            x = scaleRbf.forward(t, x);
            x = downProjection.forward(t, x);
            Tensor z = g.bilinear.forward(t, x, w1);                                   // [E, C·K]
            Tensor wb = t.reshape(t.permute(mlpCbfWeight, 1, 0, 2), (long) embCbf * embTrip, embBil);  // [C·K, O]
            Tensor y = scaleCbfSum.forward(t, t.matmul(z, wb));
            Tensor xCa = upProjectionCa.forward(t, y);
            Tensor xAc = t.gather(upProjectionAc.forward(t, y), g.swap);
            return t.addScaledReusing(xCa, xAc, INV_SQRT_2);
        }

        public void initHeOrthogonal(Random r) {
            for (Dense d : new Dense[]{denseBa, mlpRbf, downProjection, upProjectionCa, upProjectionAc}) d.initHeOrthogonal(r);
            Init.heOrthogonal(mlpCbfWeight, r);
        }
    }

    /** Atom update: {@code scale_sum · Σ_{edges→a} m ⊙ dense_rbf(rbf_h)}, then {@code layers} (Dense_act + residuals). */
    public static final class AtomUpdate {
        public final Dense denseRbf;
        public final ScaleFactor scaleSum;
        final DenseStack layers;

        public AtomUpdate(ParameterStore root, String name, int embEdge, int embAtom, int embRbf, int numResidual) {
            ParameterStore s = root.scope(name);
            denseRbf = new Dense(s, "dense_rbf", embRbf, embEdge, false);
            scaleSum = new ScaleFactor(s, "scale_sum");
            layers = new DenseStack(s.scope("layers"), embEdge, embAtom, numResidual);
        }

        public Tensor forward(Tape t, Tensor m, Tensor rbfH, Index target) {
            Tensor x = t.scatterSum(t.mulReusing(denseRbf.forward(t, rbfH), m), target);
            return layers.forward(t, scaleSum.forward(t, x));
        }

        public void initHeOrthogonal(Random r) {
            denseRbf.initHeOrthogonal(r);
            layers.initHeOrthogonal(r);
        }
    }

    /** Interaction block (InteractionBlockTripletsOnly). */
    public static final class InteractionBlock {
        public final Dense denseCa;
        public final TripletInteraction trip;
        final List<GemNetResidual> beforeSkip = new ArrayList<>(), afterSkip = new ArrayList<>(), residualM = new ArrayList<>();
        public final AtomUpdate atomUpdate;
        public final EdgeConcat concat;

        public InteractionBlock(ParameterStore root, String name, int embAtom, int embEdge, int embTrip, int embRbf,
                                int embCbf, int embBil, int numBeforeSkip, int numAfterSkip, int numConcat, int numAtom) {
            ParameterStore s = root.scope(name);
            denseCa = new Dense(s, "dense_ca", embEdge, embEdge, true);
            trip = new TripletInteraction(s, "trip_interaction", embEdge, embTrip, embRbf, embCbf, embBil);
            for (int i = 0; i < numBeforeSkip; i++) beforeSkip.add(new GemNetResidual(s.scope("layers_before_skip"), String.valueOf(i), embEdge));
            for (int i = 0; i < numAfterSkip; i++) afterSkip.add(new GemNetResidual(s.scope("layers_after_skip"), String.valueOf(i), embEdge));
            atomUpdate = new AtomUpdate(s, "atom_update", embEdge, embAtom, embRbf, numAtom);
            concat = new EdgeConcat(s, "concat_layer", embAtom, embEdge, embEdge);
            for (int i = 0; i < numConcat; i++) residualM.add(new GemNetResidual(s.scope("residual_m"), String.valueOf(i), embEdge));
        }

        /** Returns {@code {h, m}}. */
        public Tensor[] forward(Tape t, Tensor h, Tensor m, Tensor rbf3, Tensor w1, Tensor rbfH, GemNetGraph g) {
            Tensor x = t.addScaledReusing(denseCa.forward(t, m), trip.forward(t, m, rbf3, w1, g), INV_SQRT_2);
            for (GemNetResidual r : beforeSkip) x = r.forward(t, x);
            m = t.addScaledReusing(x, m, INV_SQRT_2);
            for (GemNetResidual r : afterSkip) m = r.forward(t, m);
            Tensor a = atomUpdate.forward(t, m, rbfH, g.target);
            h = t.addScaledReusing(a, h, INV_SQRT_2);
            Tensor m2 = concat.forward(t, h, m, g.source, g.target);
            for (GemNetResidual r : residualM) m2 = r.forward(t, m2);
            m = t.addScaledReusing(m2, m, INV_SQRT_2);
            return new Tensor[]{h, m};
        }

        public void initHeOrthogonal(Random r) {
            denseCa.initHeOrthogonal(r);
            trip.initHeOrthogonal(r);
            for (GemNetResidual x : beforeSkip) x.initHeOrthogonal(r);
            for (GemNetResidual x : afterSkip) x.initHeOrthogonal(r);
            atomUpdate.initHeOrthogonal(r);
            concat.initHeOrthogonal(r);
            for (GemNetResidual x : residualM) x.initHeOrthogonal(r);
        }
    }

    /**
     * Output block with direct forces: the energy branch ({@code dense_rbf}, {@code scale_sum}, {@code layers} =
     * alias {@code seq_energy}, {@code out_energy}) and the force branch ({@code seq_forces}, {@code dense_rbf_F},
     * {@code scale_rbf_F}, {@code out_forces}). The decoder uses only the forces; the energy is computed on request.
     */
    public static final class OutputBlock {
        public final Dense denseRbf, denseRbfF, outEnergy, outForces;
        public final ScaleFactor scaleSum, scaleRbfF;
        final DenseStack layers, seqForces;

        public OutputBlock(ParameterStore root, String name, int embAtom, int embEdge, int embRbf, int numAtom) {
            ParameterStore s = root.scope(name);
            denseRbf = new Dense(s, "dense_rbf", embRbf, embEdge, false);
            scaleSum = new ScaleFactor(s, "scale_sum");
            layers = new DenseStack(s.scope("layers"), embEdge, embAtom, numAtom);
            s.aliasScope("seq_energy", "layers");
            outEnergy = new Dense(s, "out_energy", embAtom, 1, false);
            seqForces = new DenseStack(s.scope("seq_forces"), embEdge, embEdge, numAtom);
            denseRbfF = new Dense(s, "dense_rbf_F", embRbf, embEdge, false);
            scaleRbfF = new ScaleFactor(s, "scale_rbf_F");
            outForces = new Dense(s, "out_forces", embEdge, 1, false);
        }

        /** Edge forces {@code [E, 1]}. */
        public Tensor forces(Tape t, Tensor m, Tensor rbfOut) {
            Tensor f = seqForces.forward(t, m);
            f = scaleRbfF.forward(t, t.mulReusing(denseRbfF.forward(t, rbfOut), f));
            return outForces.forward(t, f);
        }

        /** Atom energies {@code [N, 1]} (unused by the decoder). */
        public Tensor energy(Tape t, Tensor m, Tensor rbfOut, Index target) {
            Tensor x = t.scatterSum(t.mulReusing(denseRbf.forward(t, rbfOut), m), target);
            return outEnergy.forward(t, layers.forward(t, scaleSum.forward(t, x)));
        }

        public void initHeOrthogonal(Random r) {
            denseRbf.initHeOrthogonal(r);
            layers.initHeOrthogonal(r);
            outEnergy.initHeOrthogonal(r);
            seqForces.initHeOrthogonal(r);
            denseRbfF.initHeOrthogonal(r);
            outForces.initHeOrthogonal(r);
        }
    }
}
