package org.concdvae.model;

import org.concdvae.autodiff.Index;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.nn.Mlp;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * The crystal-statistics heads on {@code z_con} (model.md §9, {@code decode_stats}): {@code fc_num_atoms}
 * (logits over 0..max_atoms), {@code fc_lattice} (standardised {@code [a,b,c]/n^⅓ ‖ [α,β,γ]}) and
 * {@code fc_composition} (per-atom logits over Z−1, z_con repeated per atom), each
 * {@code build_mlp(latent, hidden, fc_num_layers, out)} with BatchNorm.
 */
public final class CrystalStatsHeads {
    /** Composition classes: class c is atomic number c+1. */
    public static final int MAX_ATOMIC_NUM = 100;

    private final Mlp numAtoms;
    private final Mlp lattice;
    private final Mlp composition;

    /** Registers {@code fc_num_atoms}, {@code fc_lattice}, {@code fc_composition} in the model's top-level scope. */
    public CrystalStatsHeads(ParameterStore root, int latentDim, int hiddenDim, int fcNumLayers, int maxAtoms) {
        this.numAtoms = new Mlp(root, "fc_num_atoms", latentDim, hiddenDim, fcNumLayers, maxAtoms + 1);
        this.lattice = new Mlp(root, "fc_lattice", latentDim, hiddenDim, fcNumLayers, 6);
        this.composition = new Mlp(root, "fc_composition", latentDim, hiddenDim, fcNumLayers, MAX_ATOMIC_NUM);
    }

    public void initialise(Random r) {
        numAtoms.initPyTorch(r);
        lattice.initPyTorch(r);
        composition.initPyTorch(r);
    }

    /** {@code [B, max_atoms+1]} logits. */
    public Tensor numAtomsLogits(Tape t, Tensor zCon) { return numAtoms.forward(t, zCon); }

    /** {@code [B, 6]} lattice prediction in the scaler's standardised space. */
    public Tensor scaledLattice(Tape t, Tensor zCon) { return lattice.forward(t, zCon); }

    /** {@code [N, 100]} per-atom composition logits, z_con repeated {@code numAtoms[b]} times. */
    public Tensor compositionLogits(Tape t, Tensor zCon, int[] numAtomsPerCrystal) {
        if (numAtomsPerCrystal.length != zCon.size(0)) {
            throw new IllegalArgumentException(numAtomsPerCrystal.length + " atom counts for " + zCon.size(0) + " crystals");
        }
        return composition.forward(t, t.gather(zCon, Index.ofCounts(numAtomsPerCrystal)));
    }

    /**
     * Lengths and angles {@code [B, 6]} from the standardised prediction: {@code s = x·std + mean}, lengths
     * {@code s[:, :3]·n_b^{1/3}}, angles {@code s[:, 3:]} (degrees, unclamped). On the tape, so a lattice that is
     * passed on keeps its gradient.
     *
     * @param mean the lattice scaler's 6 means
     * @param std  the lattice scaler's 6 standard deviations
     */
    public static Tensor lengthsAndAngles(Tape t, Tensor scaled, int[] numAtomsPerCrystal, double[] mean, double[] std) {
        if (mean.length != 6 || std.length != 6) throw new IllegalArgumentException("the lattice scaler has 6 means and 6 stds");
        int b = (int) scaled.size(0);
        if (numAtomsPerCrystal.length != b) throw new IllegalArgumentException(numAtomsPerCrystal.length + " atom counts for " + b + " crystals");
        DataType type = scaled.value().dataType();
        Tensor s = t.add(t.mul(scaled, t.ownedConstant(row(std, type))), t.ownedConstant(row(mean, type)));
        double[] f = new double[6 * b];
        for (int c = 0; c < b; c++) {
            // num_atoms.float() ** (1/3) in float32
            double cube = (float) Math.pow((float) numAtomsPerCrystal[c], 1.0 / 3.0);
            for (int k = 0; k < 6; k++) f[6 * c + k] = k < 3 ? cube : 1.0;
        }
        return t.mul(s, t.ownedConstant(Nd4j.create(f, new long[]{b, 6}, DataType.DOUBLE).castTo(type)));
    }

    private static org.nd4j.linalg.api.ndarray.INDArray row(double[] v, DataType type) {
        return Nd4j.create(v, new long[]{1, v.length}, DataType.DOUBLE).castTo(type);
    }
}
