package org.concdvae.model;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.data.LatticeScaler;
import org.concdvae.io.CheckpointFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.Safetensors;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained model directory as {@code concdvae train-step1} writes it ({@code config.yaml}, {@code best.safetensors}
 * + sidecar, the lattice scaler file of {@code data.lattice_scaler_file}) and {@code concdvae train-prior} adds to it
 * ({@code <label>.safetensors} + sidecar: the best prior, {@code <label>-config.yaml}: the configuration it was built
 * with, {@code <label>-last.safetensors}, {@code <label>-metrics.csv}, {@code <label>-run.json}).
 */
public final class ModelDirectory {
    public static final String CONFIG = "config.yaml", STEP1_WEIGHTS = "best.safetensors";
    /** Checkpoint tensors under this prefix are optimiser state, not model weights. */
    public static final String OPTIMIZER_PREFIX = "optimizer/";

    private final Path dir;
    private final Config config;

    private ModelDirectory(Path dir, Config config) {
        this.dir = dir;
        this.config = config;
    }

    /** Opens {@code dir}; its {@code config.yaml} must load. */
    public static ModelDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) throw new InvalidInputException(dir + ": model directory not found");
        Path c = dir.resolve(CONFIG);
        if (!Files.isRegularFile(c)) throw new InvalidInputException(dir + ": not a model directory (no " + CONFIG + "; train one with 'concdvae train-step1')");
        return new ModelDirectory(dir, ConfigLoader.load(c, List.of()));
    }

    public Path path() { return dir; }

    /** The step-one configuration. */
    public Config config() { return config; }

    /** The step-one lattice scaler. */
    public LatticeScaler latticeScaler() {
        Path f = dir.resolve(config.data().latticeScalerFile());
        if (!Files.isRegularFile(f)) throw new InvalidInputException(dir + ": lattice scaler " + f.getFileName() + " is missing");
        return LatticeScaler.read(f);
    }

    /** The step-one model with its best weights (checksum verified, optimiser state skipped), float32. */
    public ConCdvae loadStepOne() {
        ConCdvae m = new ConCdvae(new ParameterStore(DataType.FLOAT), config.model());
        loadWeights(m.store(), dir.resolve(STEP1_WEIGHTS));
        return m;
    }

    /** The file of the best prior with this label. */
    public Path priorWeights(String label) { return dir.resolve(checkLabel(label) + ".safetensors"); }

    /** The configuration file written next to a prior. */
    public Path priorConfig(String label) { return dir.resolve(checkLabel(label) + "-config.yaml"); }

    /** Loads the prior {@code label} (its configuration and best weights). */
    public LatentPrior loadPrior(String label) {
        Path c = priorConfig(label);
        if (!Files.isRegularFile(c) || !Files.isRegularFile(priorWeights(label))) {
            throw new InvalidInputException(dir + ": no prior '" + label + "' (train it with 'concdvae train-prior --model " + dir + " --label " + label + "')");
        }
        Config pc = ConfigLoader.load(c, List.of());
        LatentPrior p = new LatentPrior(new ParameterStore(DataType.FLOAT), pc.prior());
        loadWeights(p.store(), priorWeights(label));
        return p;
    }

    /** Loads checkpoint weights by name (strict apart from optimiser state). */
    public static void loadWeights(ParameterStore store, Path file) {
        CheckpointFiles.Checkpoint ck = CheckpointFiles.read(file);
        Safetensors st = ck.tensors();
        Map<String, INDArray> w = new LinkedHashMap<>();
        for (String name : st.names()) {
            if (name.startsWith(OPTIMIZER_PREFIX)) continue;
            ParameterStore.Entry e = store.entry(name);
            w.put(name, e != null && e.array().dataType().isFPType() ? st.toNd(name, e.array().dataType()) : st.toNd(name));
        }
        store.load(w, file.toString());
    }

    /** Labels name files: letters, digits, '_', '-', '.' only. */
    public static String checkLabel(String label) {
        if (label == null || !label.matches("[A-Za-z0-9_.-]{1,64}") || label.startsWith(".")) {
            throw new InvalidInputException("prior label '" + label + "': use 1-64 letters, digits, '_', '-' or '.'");
        }
        return label;
    }
}
