package org.concdvae.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.config.HydraTranslation;
import org.concdvae.data.LatticeScaler;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.CheckpointFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.Safetensors;
import org.concdvae.io.StagedDirectory;
import org.concdvae.io.TorchCheckpoint;
import org.concdvae.io.TorchTensor;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns official Con-CDVAE PyTorch checkpoints (a step-one Lightning {@code .ckpt} with its hydra {@code hparams.yaml},
 * the lattice scaler, optionally prior checkpoints) into a {@link ModelDirectory} that {@code sample} and
 * {@code train-prior} read. Weights are loaded strictly by their official state_dict names into the models built from
 * the translated configuration, so every missing, unexpected or mis-shaped tensor is reported in one error before
 * anything is written. The directory is assembled in a temporary sibling and renamed at the end: a failed import
 * leaves nothing behind.
 */
public final class OfficialImport {
    public static final String RECORD = "import.json";
    private static final String[] SCALER_NAMES = {"lattice_scaler.txt", "lattice_scaler.pt"};
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A prior checkpoint to import under {@code label}; {@code hparams} null uses the checkpoint's own. */
    public record PriorSource(Path checkpoint, String label, Path hparams) {}

    /**
     * What to import. {@code hparams} null uses the checkpoint's {@code hyper_parameters}; {@code latticeScaler} null
     * looks for {@code lattice_scaler.txt} / {@code .pt} beside the checkpoint.
     */
    public record Request(Path checkpoint, Path hparams, Path latticeScaler, List<PriorSource> priors, Path out) {}

    /** What was imported. */
    public record Summary(Path out, int stepOneTensors, List<String> priorLabels, List<String> droppedKeys, Path latticeScaler) {}

    private OfficialImport() {}

    public static Summary run(Request r, Consumer<String> log) {
        Path out = r.out().toAbsolutePath().normalize();
        return StagedDirectory.create(r.out(), dir -> build(r, dir, out, log));
    }

    private static Summary build(Request r, Path dir, Path out, Consumer<String> log) {
        // step one: config, weights
        TorchCheckpoint ck = TorchCheckpoint.read(r.checkpoint());
        ObjectNode hp;
        String origin;
        if (r.hparams() != null) {
            hp = HydraTranslation.read(r.hparams());
            origin = r.hparams().toString();
        } else {
            origin = r.checkpoint() + " (hyper_parameters)";
            hp = HydraTranslation.fromMap(ck.hyperParameters().orElseThrow(() -> new InvalidInputException(r.checkpoint()
                    + ": the checkpoint carries no hyper_parameters; pass the run's hparams.yaml with --hparams")), origin);
        }
        HydraTranslation.Result tr = HydraTranslation.stepOne(hp, origin);
        Config cfg = tr.config(origin);
        ConCdvae model = new ConCdvae(new ParameterStore(DataType.FLOAT), cfg.model());
        load(model.store(), ck);
        log.accept(String.format("step-one model: %d tensors from %s", model.store().entries().size(), r.checkpoint()));

        Path scalerFile = r.latticeScaler() != null ? r.latticeScaler() : findScaler(r.checkpoint());
        LatticeScaler scaler = readScaler(scalerFile);

        AtomicFiles.writeString(dir.resolve(ModelDirectory.CONFIG),
                "# imported from " + r.checkpoint().getFileName() + " (concdvae import)\n" + ConfigLoader.toYaml(cfg));
        scaler.write(dir.resolve(cfg.data().latticeScalerFile()));
        ObjectNode info = JSON.createObjectNode();
        info.put("kind", "imported-step1");
        info.put("source", r.checkpoint().getFileName().toString());
        info.put("source_sha256", Safetensors.sha256(r.checkpoint()));
        ck.epoch().ifPresent(e -> info.put("epoch", e));
        ck.globalStep().ifPresent(g -> info.put("global_step", g));
        write(dir.resolve(ModelDirectory.STEP1_WEIGHTS), model.store(), info);

        // priors
        List<String> labels = new ArrayList<>();
        List<String> dropped = new ArrayList<>(tr.dropped());
        ObjectNode record = JSON.createObjectNode();
        ArrayNode priorsNode = JSON.createArrayNode();
        for (PriorSource p : r.priors()) {
            String label = ModelDirectory.checkLabel(p.label());
            if (labels.contains(label)) throw new InvalidInputException("--prior-label " + label + " is given twice");
            TorchCheckpoint pck = TorchCheckpoint.read(p.checkpoint(), TorchCheckpoint.Options.prior());
            ObjectNode php;
            String porigin;
            if (p.hparams() != null) {
                php = HydraTranslation.read(p.hparams());
                porigin = p.hparams().toString();
            } else {
                porigin = p.checkpoint() + " (hyper_parameters)";
                php = HydraTranslation.fromMap(pck.hyperParameters().orElseThrow(() -> new InvalidInputException(p.checkpoint()
                        + ": the checkpoint carries no hyper_parameters; pass its hparams file with --prior-hparams")), porigin);
            }
            HydraTranslation.Result ptr = HydraTranslation.prior(php, label, porigin);
            ObjectNode merged = tr.tree().deepCopy();
            merged.set("prior", ptr.tree().get("prior"));
            Config pcfg = new HydraTranslation.Result(merged, ptr.dropped()).config(porigin);
            LatentPrior prior = new LatentPrior(new ParameterStore(DataType.FLOAT), pcfg.prior());
            load(prior.store(), pck);
            AtomicFiles.writeString(dir.resolve(label + "-config.yaml"),
                    "# configuration of prior '" + label + "' (imported by concdvae import from " + p.checkpoint().getFileName() + ")\n"
                            + ConfigLoader.toYaml(pcfg));
            ObjectNode pinfo = JSON.createObjectNode();
            pinfo.put("kind", "imported-prior");
            pinfo.put("label", label);
            pinfo.put("source", p.checkpoint().getFileName().toString());
            pinfo.put("source_sha256", Safetensors.sha256(p.checkpoint()));
            pinfo.put("skipped_frozen_model_tensors", pck.skippedStateDictEntries());
            write(dir.resolve(label + ".safetensors"), prior.store(), pinfo);
            labels.add(label);
            for (String d : ptr.dropped()) dropped.add(label + ":" + d);
            ObjectNode pn = priorsNode.addObject();
            pn.put("label", label);
            pn.put("checkpoint", p.checkpoint().toString());
            pn.put("skipped_frozen_model_tensors", pck.skippedStateDictEntries());
            log.accept(String.format("prior '%s': %d tensors from %s (%d frozen step-one tensors skipped)", label,
                    prior.store().entries().size(), p.checkpoint(), pck.skippedStateDictEntries()));
        }

        record.put("checkpoint", r.checkpoint().toString());
        record.put("hparams", r.hparams() == null ? "checkpoint hyper_parameters" : r.hparams().toString());
        record.put("lattice_scaler", scalerFile.toString());
        record.set("priors", priorsNode);
        ArrayNode dn = record.putArray("dropped_keys");
        dropped.forEach(dn::add);
        try {
            AtomicFiles.writeString(dir.resolve(RECORD), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(record) + "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new Summary(out, model.store().entries().size(), List.copyOf(labels), List.copyOf(dropped), scalerFile);
    }

    /** Strict load by the official names; one error lists every missing, unexpected or mis-shaped tensor. */
    static void load(ParameterStore store, TorchCheckpoint ck) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, TorchTensor> e : ck.stateDict().entrySet()) {
            ParameterStore.Entry target = store.entry(e.getKey());
            DataType type = target != null ? target.array().dataType() : DataType.FLOAT;
            m.put(e.getKey(), toNd(e.getValue(), type));
        }
        store.load(m, ck.file().toString());
    }

    private static INDArray toNd(TorchTensor t, DataType type) {
        long[] shape = new long[t.rank()];
        for (int k = 0; k < shape.length; k++) shape[k] = t.dim(k);
        INDArray a;
        if (t.dtype().isFloatingPoint()) {
            a = type == DataType.DOUBLE ? Nd4j.create(t.toDoubleArray(), shape, DataType.DOUBLE) : Nd4j.create(t.toFloatArray(), shape, 'c');
        } else {
            a = Nd4j.createFromArray(t.toLongArray()).reshape(shape);
        }
        return a.dataType() == type || !type.isNumerical() ? a : a.castTo(type);
    }

    private static void write(Path file, ParameterStore store, ObjectNode info) {
        try {
            CheckpointFiles.write(file, store.stateDict(), info);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }

    private static Path findScaler(Path checkpoint) {
        Path dir = checkpoint.toAbsolutePath().getParent();
        for (String n : SCALER_NAMES) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) return p;
        }
        throw new InvalidInputException("no lattice scaler beside " + checkpoint + " (looked for " + String.join(", ", SCALER_NAMES)
                + "); pass the run's scaler with --lattice-scaler FILE");
    }

    /** The official text layout, or a {@code torch.save}'d scaler object whose {@code means}/{@code stds} are read. */
    public static LatticeScaler readScaler(Path file) {
        if (!Files.isRegularFile(file)) throw new InvalidInputException(file + ": lattice scaler not found");
        byte[] head;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(2);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        // torch.save output starts with a zip header or, before PyTorch 1.6, a pickle; the official text starts with '#'
        boolean torch = head.length == 2 && ((head[0] == 'P' && head[1] == 'K') || (head[0] & 0xff) == 0x80);
        if (!torch) return LatticeScaler.read(file);
        TorchCheckpoint ck = TorchCheckpoint.read(file);
        return new LatticeScaler(six(ck, "means"), six(ck, "stds"));
    }

    private static double[] six(TorchCheckpoint ck, String key) {
        Object v = ck.root().get(key);
        if (!(v instanceof TorchTensor t) || t.numel() != 6) {
            throw new InvalidInputException(ck.file() + ": not a lattice scaler (no 6-element '" + key + "' tensor; found "
                    + ck.root().keySet() + ")");
        }
        double[] d = t.toDoubleArray();
        for (double x : d) if (!Double.isFinite(x)) throw new InvalidInputException(ck.file() + ": lattice scaler " + key + " holds a non-finite value");
        return d;
    }
}
