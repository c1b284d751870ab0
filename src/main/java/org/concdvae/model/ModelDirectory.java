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

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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
    /** The model built into the jar: the default of {@code --model}. */
    public static final String BUILTIN = "mp20-small";
    /** The file of a built-in model that lists its files, one name per line. */
    public static final String MANIFEST = "files.txt";
    /** Where built-in models live on the classpath (the pom packs the source tree's {@code models/} there). */
    static final String BUILTIN_RESOURCES = "/org/concdvae/models/";
    private static final Map<String, Path> EXTRACTED = new HashMap<>();

    private final Path dir;
    private final Config config;
    private final String name;
    private final boolean builtin;

    private ModelDirectory(Path dir, Config config, String name, boolean builtin) {
        this.dir = dir;
        this.config = config;
        this.name = name;
        this.builtin = builtin;
    }

    /** Opens {@code dir}; its {@code config.yaml} must load. */
    public static ModelDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) throw new InvalidInputException(dir + ": model directory not found");
        return load(dir, dir.toString(), false);
    }

    /**
     * {@code --model} as the commands that only read a model take it: null means the built-in model; the name of a
     * built-in model that is not also an existing path means that model; anything else is a directory.
     */
    public static ModelDirectory openOrBuiltin(Path dir) {
        if (dir == null) return builtin(BUILTIN);
        if (!Files.exists(dir) && dir.getNameCount() == 1 && isBuiltin(dir.toString())) return builtin(dir.toString());
        return open(dir);
    }

    /** True if a built-in model of this name is on the classpath. */
    public static boolean isBuiltin(String name) {
        return name.matches("[A-Za-z0-9_.-]+") && ModelDirectory.class.getResource(BUILTIN_RESOURCES + name + "/" + MANIFEST) != null;
    }

    /** The built-in model {@code name}, extracted from the classpath on first use (once per process). */
    public static synchronized ModelDirectory builtin(String name) {
        if (!isBuiltin(name)) throw new InvalidInputException("no built-in model '" + name + "' (built in: " + BUILTIN + ")");
        Path dir = EXTRACTED.get(name);
        if (dir == null) {
            dir = extract(name);
            EXTRACTED.put(name, dir);
        }
        return load(dir, "built-in model " + name, true);
    }

    private static ModelDirectory load(Path dir, String name, boolean builtin) {
        Path c = dir.resolve(CONFIG);
        if (!Files.isRegularFile(c)) throw new InvalidInputException(name + ": not a model directory (no " + CONFIG + "; train one with 'concdvae train-step1')");
        return new ModelDirectory(dir, ConfigLoader.loadSaved(c, List.of()), name, builtin);
    }

    /** The files of the manifest of built-in model {@code name}, in order. */
    static List<String> manifest(String name) {
        String text = resourceText(BUILTIN_RESOURCES + name + "/" + MANIFEST);
        List<String> files = new ArrayList<>();
        for (String line : text.split("\n")) {
            String f = line.strip();
            if (f.isEmpty() || f.startsWith("#")) continue;
            if (!f.matches("[A-Za-z0-9_.=-]+")) throw new IllegalStateException("built-in model " + name + ": bad file name '" + f + "' in " + MANIFEST);
            files.add(f);
        }
        return files;
    }

    private static Path extract(String name) {
        try {
            Path dir = Files.createTempDirectory("concdvae-" + name + "-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            for (String f : manifest(name)) {
                try (InputStream in = ModelDirectory.class.getResourceAsStream(BUILTIN_RESOURCES + name + "/" + f)) {
                    if (in == null) throw new IllegalStateException("built-in model " + name + ": " + f + " is listed in " + MANIFEST + " but missing from the jar");
                    Files.copy(in, dir.resolve(f));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new InvalidInputException("cannot extract the built-in model " + name + " to a temporary directory (" + e.getMessage() + ")");
        }
    }

    private static String resourceText(String resource) {
        try (InputStream in = ModelDirectory.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("resource missing from the jar: " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort at exit
        }
    }

    public Path path() { return dir; }

    /** How to name this model in messages and run records: its path, or "built-in model NAME". */
    public String name() { return name; }

    /** True for a model extracted from the jar. */
    public boolean isBuiltinModel() { return builtin; }

    /** The step-one configuration. */
    public Config config() { return config; }

    /** The step-one lattice scaler. */
    public LatticeScaler latticeScaler() {
        Path f = dir.resolve(config.data().latticeScalerFile());
        if (!Files.isRegularFile(f)) throw new InvalidInputException(name + ": lattice scaler " + f.getFileName() + " is missing");
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

    /** The condition values of the prior's training crystals ({@code train-prior}), the 'less' reference table. */
    public Path priorReference(String label) { return dir.resolve(checkLabel(label) + "-reference.csv"); }

    /** Loads the prior {@code label} (its configuration and best weights). */
    public LatentPrior loadPrior(String label) {
        Path c = priorConfig(label);
        if (!Files.isRegularFile(c) || !Files.isRegularFile(priorWeights(label))) {
            throw new InvalidInputException(name + ": no prior '" + label + "'" + (isBuiltinModel() ? "" : " (train it with 'concdvae train-prior --model " + dir + " --label " + label + "')"));
        }
        Config pc = ConfigLoader.loadSaved(c, List.of());
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
