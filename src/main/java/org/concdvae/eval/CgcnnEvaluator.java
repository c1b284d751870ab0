package org.concdvae.eval;

import com.fasterxml.jackson.databind.JsonNode;
import org.concdvae.autodiff.Tape;
import org.concdvae.io.CheckpointFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.TorchCheckpoint;
import org.concdvae.io.TorchTensor;
import org.concdvae.model.ElementFeatures;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A trained CGCNN property model ready to predict (official {@code cgcnn/predict.py}): the network built from the
 * checkpoint's {@code args}, its state_dict loaded strictly by the official names, the target normaliser and the
 * element-feature table. Reads CGCNN's {@code model_best.pth.tar} (through {@link TorchCheckpoint}, both the zip and
 * the legacy format) and the project's own checkpoints written by {@link CgcnnTrainer}.
 *
 * <p>The element features are CGCNN's published {@code atom_init.json}, which this project does not ship: it is read
 * from an explicit file, or found next to the checkpoint or in the checkpoint directory's parent
 * ({@link #locateAtomFeatures}).
 */
public final class CgcnnEvaluator {
    public static final String ATOM_INIT = "atom_init.json";
    public static final String CGCNN_CHECKPOINT = "model_best.pth.tar";
    public static final String PUBLISHED = "CGCNN's published element features are data/sample-regression/atom_init.json"
            + " in CGCNN's repository (github.com/txie-93/cgcnn)";
    /** Crystals per forward pass (as the reference's predictions; eval-mode results do not depend on it). */
    public static final int BATCH = 256;

    private final String name;
    private final Path checkpoint;
    private final Cgcnn model;
    private final double mean, std;
    private final ElementFeatures features;

    private CgcnnEvaluator(String name, Path checkpoint, Cgcnn model, double mean, double std, ElementFeatures features) {
        this.name = name;
        this.checkpoint = checkpoint;
        this.model = model;
        this.mean = mean;
        this.std = std;
        this.features = features;
    }

    /**
     * Loads an evaluator. {@code evaluator} is a {@code .pth.tar} file, one of our {@code .safetensors} checkpoints, or
     * a directory holding {@code model_best.pth.tar} (else {@code best.safetensors}). {@code atomFeatures} null means
     * {@link #locateAtomFeatures search next to the checkpoint}.
     */
    public static CgcnnEvaluator load(Path evaluator, Path atomFeatures) {
        Path file = resolveCheckpoint(evaluator);
        ElementFeatures feats = ElementFeatures.load(locateAtomFeatures(file, atomFeatures));
        String name = file.getParent() != null && Files.isDirectory(evaluator) || file.getFileName().toString().equals(CGCNN_CHECKPOINT)
                ? String.valueOf(file.toAbsolutePath().getParent().getFileName()) : file.getFileName().toString();
        if (file.getFileName().toString().endsWith(".safetensors")) return loadOwn(name, file, feats);
        TorchCheckpoint ck = TorchCheckpoint.read(file);
        String task = ck.stringArg("task");
        boolean classification = switch (task) {
            case "regression" -> false;
            case "classification" -> true;
            default -> throw new InvalidInputException(file + ": args.task is '" + task + "', expected regression or classification");
        };
        Map<String, TorchTensor> sd = ck.stateDict();
        Cgcnn.Args args = new Cgcnn.Args(feats.width(), bondWidth(sd, ck.intArg("atom_fea_len")), ck.intArg("atom_fea_len"),
                ck.intArg("n_conv"), ck.intArg("h_fea_len"), ck.intArg("n_h"), classification);
        checkFeatureWidth(file, sd.get("embedding.weight") == null ? -1 : sd.get("embedding.weight").shape()[1], feats);
        Cgcnn model = new Cgcnn(new ParameterStore(DataType.FLOAT), args);
        loadStateDict(model, ck);
        TorchCheckpoint.Normalizer nz = ck.normalizer().orElse(new TorchCheckpoint.Normalizer(0, 1));
        return new CgcnnEvaluator(name, file, model, nz.mean(), nz.std(), feats);
    }

    /** Our checkpoint format (safetensors + sidecar written by {@link CgcnnTrainer}). */
    private static CgcnnEvaluator loadOwn(String name, Path file, ElementFeatures feats) {
        CheckpointFiles.Checkpoint ck = CheckpointFiles.read(file);
        JsonNode info = ck.info();
        if (!"cgcnn".equals(info.path("model").asText())) throw new InvalidInputException(file + ": not a CGCNN checkpoint (info.model is '" + info.path("model").asText() + "')");
        Cgcnn.Args args = CgcnnTrainer.argsFromJson(info.path("args"), file);
        if (args.origAtomFeaLen() != feats.width()) checkFeatureWidth(file, args.origAtomFeaLen(), feats);
        Cgcnn model = new Cgcnn(new ParameterStore(DataType.FLOAT), args);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String n : ck.tensors().names()) {
            var e = ck.tensors().entry(n);
            m.put(n, e.dtype().name().startsWith("F") ? e.toNd(DataType.FLOAT) : e.toNd());
        }
        model.store().load(m, file.toString());
        return new CgcnnEvaluator(name, file, model, info.path("normalizer").path("mean").asDouble(0),
                info.path("normalizer").path("std").asDouble(1), feats);
    }

    /**
     * Copies a checkpoint's state_dict into {@code model} strictly by the official names: every missing, unexpected
     * or mis-shaped tensor is listed in one {@link InvalidInputException}.
     */
    public static void loadStateDict(Cgcnn model, TorchCheckpoint ck) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, TorchTensor> e : ck.stateDict().entrySet()) m.put(e.getKey(), toNd(e.getValue()));
        model.store().load(m, ck.file().toString());
    }

    private static int bondWidth(Map<String, TorchTensor> sd, int atomFeaLen) {
        TorchTensor w = sd.get("convs.0.fc_full.weight");
        return w == null || w.rank() != 2 ? CgcnnGraph.GAUSS_CENTERS : w.shape()[1] - 2 * atomFeaLen;
    }

    private static void checkFeatureWidth(Path file, int expected, ElementFeatures feats) {
        if (expected >= 0 && expected != feats.width()) {
            throw new InvalidInputException(feats.source() + ": " + feats.width() + " features per element, but " + file
                    + " expects " + expected + " (" + PUBLISHED + ")");
        }
    }

    /** The checkpoint file an {@code --evaluator} argument names. */
    public static Path resolveCheckpoint(Path evaluator) {
        if (Files.isDirectory(evaluator)) {
            Path p = evaluator.resolve(CGCNN_CHECKPOINT);
            if (Files.isRegularFile(p)) return p;
            Path own = evaluator.resolve(CgcnnTrainer.BEST);
            if (Files.isRegularFile(own)) return own;
            throw new InvalidInputException(evaluator + ": no " + CGCNN_CHECKPOINT + " or " + CgcnnTrainer.BEST + " in this directory");
        }
        if (!Files.isRegularFile(evaluator)) throw new InvalidInputException(evaluator + ": evaluator checkpoint not found");
        return evaluator;
    }

    /**
     * The element-feature file: {@code explicit} if given (it must exist), else {@code atom_init.json} beside the
     * checkpoint, else in the checkpoint directory's parent (the layout {@code evaluators/<name>/model_best.pth.tar}
     * with {@code evaluators/atom_init.json}). A missing file is an error saying where the file is published.
     */
    public static Path locateAtomFeatures(Path checkpointFile, Path explicit) {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) throw new InvalidInputException(explicit + ": atom features file not found (" + PUBLISHED + ")");
            return explicit;
        }
        Path dir = checkpointFile.toAbsolutePath().getParent();
        List<Path> tried = new ArrayList<>();
        for (Path d = dir; d != null && tried.size() < 2; d = d.getParent()) {
            Path p = d.resolve(ATOM_INIT);
            if (Files.isRegularFile(p)) return p;
            tried.add(p);
        }
        throw new InvalidInputException("no " + ATOM_INIT + " found (looked at " + tried.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("-")
                + "); this project does not ship it: pass --atom-features FILE. " + PUBLISHED);
    }

    static INDArray toNd(TorchTensor t) {
        long[] shape = new long[t.rank()];
        for (int k = 0; k < shape.length; k++) shape[k] = t.dim(k);
        return switch (t.dtype()) {
            case FLOAT64 -> Nd4j.create(t.toDoubleArray(), shape, DataType.DOUBLE);
            case INT64 -> shape.length == 0 ? Nd4j.scalar(DataType.LONG, t.toLongArray()[0]) : Nd4j.createFromArray(t.toLongArray()).reshape(shape);
            default -> {
                if (!t.dtype().isFloatingPoint()) {
                    int[] v = t.toIntArray();
                    long[] l = new long[v.length];
                    for (int k = 0; k < v.length; k++) l[k] = v[k];
                    yield shape.length == 0 ? Nd4j.scalar(DataType.LONG, l[0]) : Nd4j.createFromArray(l).reshape(shape);
                }
                yield shape.length == 0 ? Nd4j.scalar(t.toFloatArray()[0]) : Nd4j.create(t.toFloatArray(), shape, 'c');
            }
        };
    }

    public String name() { return name; }

    public Path checkpoint() { return checkpoint; }

    public Cgcnn model() { return model; }

    public ElementFeatures features() { return features; }

    public boolean classification() { return model.args().classification(); }

    public double mean() { return mean; }

    public double std() { return std; }

    /** What a prediction is: the de-normalised value, or the probability of class 1. */
    public String outputDescription() {
        return classification() ? "probability of class 1" : String.format(Locale.ROOT, "de-normalised value (mean %.6g, std %.6g)", mean, std);
    }

    /** The raw network output on a batch ({@code [B,1]} normalised value or {@code [B,2]} log-probabilities), eval mode. */
    public INDArray raw(CgcnnBatch b) {
        try (Tape t = Tape.inference()) {
            return model.forward(t, b).value().dup();
        }
    }

    /** One number per crystal: de-normalised value (regression) or probability of class 1 (classification). */
    public double[] predict(List<CgcnnGraph> graphs) {
        double[] out = new double[graphs.size()];
        for (int from = 0; from < graphs.size(); from += BATCH) {
            int to = Math.min(graphs.size(), from + BATCH);
            try (CgcnnBatch b = CgcnnBatch.of(graphs.subList(from, to), features, DataType.FLOAT)) {
                INDArray r = raw(b);
                for (int c = 0; c < to - from; c++) {
                    out[from + c] = classification() ? Math.exp(r.getDouble(c, 1)) : denormalise(r.getDouble(c, 0));
                }
                r.close();
            }
        }
        return out;
    }

    /** {@code out·std + mean}, computed in float32 as the reference. */
    public double denormalise(double raw) { return (float) ((float) raw * (float) std + (float) mean); }
}
