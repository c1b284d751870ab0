package org.concdvae.verify;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.io.Safetensors;
import org.concdvae.model.CdvaeModel;
import org.concdvae.model.CrystalStatsHeads;
import org.concdvae.model.Latent;
import org.concdvae.model.Probe;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The non-decoder part of the reference's training-mode pass (batch8_train_losses, reference/README.md): BatchNorm
 * with batch statistics, z = μ + exp(½ log σ²)·ε with the saved ε (μ, log σ² from the encoder check's forward pass), the property loss on z, z_con, the
 * crystal-statistics heads with the true atom counts, and the natom, lattice, composition and KL losses
 * (model.md §12). Returns the loss values and the BatchNorm buffers after the pass (and optionally gradients); the
 * session's buffers are restored and gradients zeroed afterwards so other checks see the loaded weights.
 */
final class ReferenceTrainingPass {
    static final String LOSSES = "batch8_train_losses.safetensors";

    /**
     * Loss values, BatchNorm buffers after the pass, and (when requested) the gradients of the non-decoder part of the
     * total loss {@code 1·natom + 10·lattice + 1·composition + 0.01·KL + 3·predict} by parameter name.
     */
    record Result(Map<String, Double> losses, Map<String, INDArray> buffersAfter, Map<String, INDArray> gradients) {}

    private ReferenceTrainingPass() {}

    static Result run(ReferenceSession s) { return run(s, false); }

    /** μ or log σ² of the encoder's forward pass (computed once per session). */
    static INDArray encoded(ReferenceSession s, String name) {
        if (name.equals("mu")) return s.cached("mu", () -> EncoderReferenceCheck.forward(s).get("mu").dup());
        return s.cached(name, () -> {
            Map<String, INDArray> v = EncoderReferenceCheck.forward(s);
            s.cached("mu", () -> v.get("mu").dup());
            return v.get(name).dup();
        });
    }

    static Result run(ReferenceSession s, boolean gradients) {
        CdvaeModel m = s.model();
        ParameterStore store = s.store();
        Map<String, INDArray> saved = new LinkedHashMap<>();
        for (ParameterStore.Entry e : store.entries()) if (e.kind() == ParameterStore.Kind.BUFFER) saved.put(e.name(), e.array().dup());
        Safetensors losses = s.file(LOSSES);
        Safetensors in = s.file(ReferenceSession.INPUTS);
        double[] mean = s.file(HeadsReferenceCheck.FILE).doubles("lattice_scaler_means");
        double[] std = s.file(HeadsReferenceCheck.FILE).doubles("lattice_scaler_stds");
        int[] numAtoms = s.numAtoms();
        int b = numAtoms.length;
        Map<String, Double> out = new LinkedHashMap<>();
        Map<String, INDArray> after = new LinkedHashMap<>();
        Map<String, INDArray> grads = new LinkedHashMap<>();
        store.zeroGrad();
        try {
            try (Tape t = Tape.of(gradients, true)) {
                Tensor c = m.conditions(t, s.properties(), b, Probe.NONE);
                INDArray eps = losses.toNd("eps", DataType.FLOAT);
                // the encoder has no BatchNorm or dropout, so its eval-mode μ, log σ² are the training values; the
                // gradients compared here (heads, predictor) do not reach it
                Tensor mu = t.constant(encoded(s, "mu")), logVar = t.constant(encoded(s, "log_var"));
                Latent.Encoded e = new Latent.Encoded(mu, logVar, Latent.reparameterise(t, mu, logVar, eps));
                Map<String, Tensor> heads = new LinkedHashMap<>();
                Tensor pre = m.propertyLoss(t, e.z(), s.properties(), heads::put);
                Tensor zCon = m.zCondition(t, e.z(), c);
                CrystalStatsHeads h = m.heads();
                Tensor natom = CrystalStatsHeads.numAtomsLoss(t, h.numAtomsLogits(t, zCon), numAtoms);
                Tensor lattice = CrystalStatsHeads.latticeLoss(t, h.scaledLattice(t, zCon), in.doubles("lengths"), in.doubles("angles"),
                        numAtoms, mean, std);
                Tensor comp = CrystalStatsHeads.compositionLoss(t, h.compositionLogits(t, zCon, numAtoms), s.atomTypes(), numAtoms);
                out.put("num_atom_loss", natom.item());
                out.put("lattice_loss", lattice.item());
                out.put("composition_loss", comp.item());
                out.put("kld_loss", Latent.kl(t, e.mu(), e.logVar()).item());
                for (Map.Entry<String, Tensor> x : heads.entrySet()) out.put(x.getKey(), x.getValue().item());
                out.put("predict_loss", pre.item());
                if (gradients) {
                    Tensor kl = Latent.kl(t, e.mu(), e.logVar());
                    Tensor total = t.add(t.add(t.add(natom, t.mul(lattice, m.config().costLattice())), t.mul(comp, m.config().costComposition())),
                            t.add(t.mul(kl, m.config().beta()), t.mul(pre, m.propertyLossWeight())));
                    t.backward(total);
                    for (ParameterStore.Entry p : store.entries()) {
                        if (p.trainable() && p.tensor().grad() != null) grads.put(p.name(), p.tensor().grad().dup());
                    }
                }
            }
            for (String name : saved.keySet()) after.put(name, store.entry(name).array().dup());
        } finally {
            for (Map.Entry<String, INDArray> e : saved.entrySet()) store.entry(e.getKey()).array().assign(e.getValue());
            store.zeroGrad();
        }
        return new Result(out, after, grads);
    }
}
