package org.concdvae.verify;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.ConfigLoader;
import org.concdvae.io.Safetensors;
import org.concdvae.model.ConCdvae;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One training-mode step of the whole model (model.md §10, §12; BatchNorm with batch statistics, teacher forcing on)
 * on the 8-crystal batch with the reference's fixed draws (ε of {@code batch8_train_losses}, noise levels, noisy
 * coordinates and types of {@code batch8_decoder}), compared with three reference files:
 * {@code batch8_train_losses} (every loss term and the total), {@code batch8_train_grads} (the gradient of the total
 * for every parameter, before clipping) and {@code batch8_train_bn_stats_after} (BatchNorm running statistics after
 * the pass). The step runs on a fresh copy of the reference weights, so the session's model is not changed.
 *
 * <p>Tolerances (reference/README.md): losses rtol 1e-5; gradients {@code atol 1e-6 + rtol 1e-3} of each tensor's
 * max (the README's float32-vs-float64 study saw up to 4.6e-5 relative, and 3.3e-6 absolute between two torch runs
 * from scatter order); running statistics rtol 1e-4 + atol 1e-6, {@code num_batches_tracked} exact.
 */
public final class TrainStepReferenceCheck implements ReferenceCheck {
    public static final String LOSSES = "batch8_train_losses.safetensors";
    public static final String GRADS = "batch8_train_grads.safetensors";
    public static final String BN = "batch8_train_bn_stats_after.safetensors";
    public static final Tolerance LOSS = new Tolerance(0, 1e-5);
    public static final Tolerance GRAD = new Tolerance(1e-6, 1e-3);
    public static final Tolerance STATS = new Tolerance(1e-6, 1e-4);

    private static final Map<String, String> LOSS_NAMES = Map.of(
            "num_atom_loss", "natom_loss", "lattice_loss", "lattice_loss", "composition_loss", "composition_loss",
            "coord_loss", "coord_loss", "type_loss", "type_loss", "kld_loss", "kld_loss", "predict_loss", "predict_loss");

    private final String file;

    private TrainStepReferenceCheck(String file) { this.file = file; }

    /** The three checks (losses, gradients, running statistics), sharing one computed step per session. */
    public static List<ReferenceCheck> all() {
        return List.of(new TrainStepReferenceCheck(LOSSES), new TrainStepReferenceCheck(GRADS), new TrainStepReferenceCheck(BN));
    }

    @Override
    public String file() { return file; }

    /** The session-cached results of the step: {@code loss.<name>}, {@code grad.<param>}, {@code state.<buffer>}. */
    private static INDArray result(ReferenceSession s, String key) {
        if (s.cached("train.done", () -> null) == null) {
            compute(s);
            s.cached("train.done", () -> Nd4j.scalar(1.0));
        }
        return s.cached("train." + key, () -> null);
    }

    /** Runs the step and puts its results into the session cache. */
    static void compute(ReferenceSession s) {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        ConCdvae model = new ConCdvae(store, s.modelConfig());
        Safetensors w = s.weights(ReferenceSession.WEIGHTS);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String name : w.names()) {
            ParameterStore.Entry e = store.entry(name);
            m.put(name, e != null && e.array().dataType().isFPType() ? w.toNd(name, e.array().dataType()) : w.toNd(name));
        }
        store.load(m, s.weightsPath(ReferenceSession.WEIGHTS).toString());

        Safetensors in = s.file(ReferenceSession.INPUTS), dec = s.file(DecoderReferenceCheck.FILE);
        Safetensors heads = s.file(HeadsReferenceCheck.FILE), losses = s.file(LOSSES);
        ConCdvae.Batch batch = new ConCdvae.Batch(s.numAtoms(), s.atomTypes(), in.doubles("frac_coords"),
                in.doubles("lengths"), in.doubles("angles"), s.lattices(), s.encoderGraph(), s.properties());
        ConCdvae.Draws draws = new ConCdvae.Draws(losses.toNd("eps", DataType.FLOAT), dec.ints("noise_level"),
                dec.ints("rand_atom_types"), dec.doubles("noisy_frac_coords"));
        try (Tape t = Tape.training()) {
            ConCdvae.Output o = model.forward(t, batch, true, new Random(0), draws, heads.doubles("lattice_scaler_means"),
                    heads.doubles("lattice_scaler_stds"), s.threads());
            t.backward(o.trainLoss());
            Map<String, Double> terms = o.terms();
            for (Map.Entry<String, String> e : LOSS_NAMES.entrySet()) {
                double v = terms.get(e.getValue());
                s.cached("train.loss." + e.getKey(), () -> Nd4j.scalar(v));
            }
            for (Map.Entry<String, Tensor> e : o.propertyLosses().entrySet()) {
                double v = e.getValue().item();
                s.cached("train.loss." + e.getKey() + "_loss", () -> Nd4j.scalar(v));
            }
            double total = o.trainLoss().item();
            s.cached("train.loss.total_loss", () -> Nd4j.scalar(total));
        }
        for (ParameterStore.Entry e : store.entries()) {
            if (e.trainable() && e.tensor().grad() != null) {
                INDArray g = e.tensor().grad().dup();
                s.cached("train.grad." + e.name(), () -> g);
            }
            if (e.name().contains("running_") || e.name().endsWith("num_batches_tracked")) {
                INDArray v = e.array().dup();
                s.cached("train.state." + e.name(), () -> v);
            }
        }
    }

    @Override
    public List<Comparison> run(ReferenceSession s) {
        Map<String, Comparison> c = new LinkedHashMap<>();
        Safetensors ref = s.file(file);
        switch (file) {
            case LOSSES -> {
                for (String name : ref.names()) {
                    if (name.equals("eps")) {
                        c.put(name, Comparison.input(file, name, "the reparameterisation noise used for the step"));
                        continue;
                    }
                    INDArray ours = result(s, "loss." + name);
                    c.put(name, ours == null ? Comparison.failed(file, name, "no such loss term")
                            : s.compare(file, name, new double[]{ours.getDouble(0)}, LOSS));
                }
            }
            case GRADS -> {
                for (String name : ref.names()) {
                    INDArray ours = result(s, "grad." + name);
                    c.put(name, ours == null ? Comparison.failed(file, name, "no gradient for this parameter")
                            : s.compare(file, name, ours, GRAD));
                }
                // every parameter we give a non-zero gradient must have one in the reference
                ParameterStore probe = new ParameterStore(DataType.FLOAT);
                new ConCdvae(probe, s.modelConfig());
                for (ParameterStore.Entry e : probe.entries()) {
                    if (!e.trainable() || ref.contains(e.name())) continue;
                    INDArray ours = result(s, "grad." + e.name());
                    if (ours != null && ours.amaxNumber().doubleValue() > 0) {
                        c.put(e.name(), Comparison.failed(file, e.name(), "we have a non-zero gradient, the reference none"));
                    }
                }
            }
            default -> {
                for (String name : ref.names()) {
                    INDArray ours = result(s, "state." + name);
                    if (ours == null) {
                        c.put(name, Comparison.failed(file, name, "no such buffer"));
                    } else if (name.endsWith("num_batches_tracked")) {
                        c.put(name, s.compareExact(file, name, new long[]{ours.getLong(0)}));
                    } else {
                        c.put(name, s.compare(file, name, ours, STATS));
                    }
                }
            }
        }
        return s.complete(file, c);
    }
}
