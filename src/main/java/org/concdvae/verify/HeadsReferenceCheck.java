package org.concdvae.verify;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.model.CdvaeModel;
import org.concdvae.model.CrystalStatsHeads;
import org.concdvae.model.PropertyPredictor;
import org.concdvae.io.Safetensors;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code batch8_heads.safetensors}: with z = our μ and eval-mode BatchNorm, the condition Gaussian expansion and
 * embeddings, the mixer output, {@code z_con}, the crystal-statistics heads (num-atoms logits and argmax, scaled
 * lattice, lengths/angles with the true atom counts, per-atom composition logits) and the property predictor and its
 * loss (model.md §6, §8, §9). The lattice scaler is the file's (the official one). Tolerances from
 * reference/README.md: rtol 1e-4 + atol 1e-6 for embeddings and heads, lengths atol 1e-4 Å, angles atol 1e-3°,
 * losses rtol 1e-5, bases atol 1e-5.
 */
public final class HeadsReferenceCheck implements ReferenceCheck {
    public static final String FILE = "batch8_heads.safetensors";
    public static final Tolerance HEADS = new Tolerance(1e-6, 1e-4);
    public static final Tolerance LENGTHS = new Tolerance(1e-4, 0);
    public static final Tolerance ANGLES = new Tolerance(1e-3, 0);
    public static final Tolerance LOSS = new Tolerance(0, 1e-5);

    @Override
    public String file() { return FILE; }

    @Override
    public List<Comparison> run(ReferenceSession s) {
        INDArray mu = s.cached("mu", () -> EncoderReferenceCheck.forward(s).get("mu").dup());
        Safetensors ref = s.file(FILE);
        double[] mean = ref.doubles("lattice_scaler_means"), std = ref.doubles("lattice_scaler_stds");
        CdvaeModel m = s.model();
        int[] numAtoms = s.numAtoms();
        int b = numAtoms.length;
        Map<String, Comparison> c = new LinkedHashMap<>();
        Map<String, INDArray> probe = new LinkedHashMap<>();
        try (Tape t = Tape.inference()) {
            Tensor z = t.constant(mu);
            Tensor cond = m.conditions(t, s.properties(), b, (name, value) -> probe.put(name, value.value().dup()));
            Tensor zCon = m.zCondition(t, z, cond);
            CrystalStatsHeads h = m.heads();
            Tensor numLogits = h.numAtomsLogits(t, zCon);
            Tensor scaled = h.scaledLattice(t, zCon);
            Tensor la = CrystalStatsHeads.lengthsAndAngles(t, scaled, numAtoms, mean, std);
            Tensor comp = h.compositionLogits(t, zCon, numAtoms);

            put(c, s.compare(FILE, "z", mu, HEADS));
            var embs = m.conditionModel().embeddings();
            if (embs.size() == 1) {
                String name = embs.get(0).name();
                INDArray rbf = probe.get("cond_rbf." + name);
                put(c, rbf == null ? Comparison.failed(FILE, "cond_rbf", "condition '" + name + "' is not scalar")
                        : s.compare(FILE, "cond_rbf", rbf, EncoderReferenceCheck.BASES));
                put(c, s.compare(FILE, "cond_scalar_emb", probe.get("cond_emb." + name), HEADS));
            }
            put(c, s.compare(FILE, "condition_emb", cond.value(), HEADS));
            put(c, s.compare(FILE, "z_con", zCon.value(), HEADS));
            put(c, s.compare(FILE, "num_atoms_logits", numLogits.value(), HEADS));
            put(c, s.compare(FILE, "lattice_scaled_pred", scaled.value(), HEADS));
            INDArray lav = la.value();
            put(c, s.compare(FILE, "pred_lengths_gt_natoms", columns(lav, 0, 3), LENGTHS));
            put(c, s.compare(FILE, "pred_angles", columns(lav, 3, 6), ANGLES));
            put(c, s.compare(FILE, "composition_logits_per_atom", comp.value(), HEADS));
            long[] argmax = new long[b];
            INDArray nl = numLogits.value();
            for (int i = 0; i < b; i++) argmax[i] = nl.getRow(i).argMax().getLong(0);
            put(c, s.compareExact(FILE, "num_atoms_argmax", argmax));
            List<PropertyPredictor> preds = m.predictors();
            if (!preds.isEmpty()) {
                PropertyPredictor p = preds.get(0);
                Tensor y = p.forward(t, z);
                put(c, s.compare(FILE, "property_pred", y.value(), HEADS));
                Tensor loss = p.loss(t, y, s.properties().get(p.name()));
                put(c, s.compare(FILE, "property_loss", new double[]{loss.item()}, LOSS));
            }
        }
        put(c, Comparison.input(FILE, "lattice_scaler_means", "the official lattice scaler used for the lattice heads"));
        put(c, Comparison.input(FILE, "lattice_scaler_stds", "the official lattice scaler used for the lattice heads"));
        return s.complete(FILE, c);
    }

    private static void put(Map<String, Comparison> m, Comparison c) { m.put(c.name(), c); }

    private static double[] columns(INDArray a, int from, int to) {
        int rows = (int) a.size(0), cols = (int) a.size(1);
        double[] all = a.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).reshape((long) rows * cols).toDoubleVector();
        double[] out = new double[rows * (to - from)];
        for (int r = 0; r < rows; r++) for (int k = from; k < to; k++) out[r * (to - from) + k - from] = all[r * cols + k];
        return out;
    }
}
