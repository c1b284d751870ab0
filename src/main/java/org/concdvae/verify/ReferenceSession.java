package org.concdvae.verify;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.crystal.Lattice;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.io.CheckpointFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.model.ModelDirectory;
import org.concdvae.io.Safetensors;
import org.concdvae.model.CdvaeModel;
import org.concdvae.model.DimeNetPlusPlus;
import org.concdvae.model.EncoderGraph;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared state of a reference verification: the reference directory (reference/README.md), the model built
 * from the official mp20_format configuration with the reference weights loaded by name, the 8-crystal input batch
 * ({@code batch8_inputs.safetensors}) and its encoder graph, and values computed once and reused by several checks.
 * Everything runs in float32, as the reference.
 *
 * <p>Weights: every tensor of the weights file must load into the model by name; while the decoder is not part of
 * {@link CdvaeModel}'s store, the {@code decoder.*} entries are set aside, all others must match exactly.
 */
public final class ReferenceSession implements AutoCloseable {
    public static final String INPUTS = "batch8_inputs.safetensors";
    public static final String WEIGHTS = "cdvae_weights.safetensors";

    private final Path dir;
    /** Fixed weights file of the step-one model (--weights), or null. */
    private final Path stepOneWeights;
    /** A model directory (e.g. made by 'concdvae import') whose configuration and weights replace the reference's, or null. */
    private final ModelDirectory modelDir;
    /** A directory of evaluator directories named like the official ones (e.g. made by 'concdvae import --kind cgcnn'), or null. */
    private final Path evaluators;
    private final Map<String, Safetensors> files = new HashMap<>();
    private final ParameterStore store;
    private final CdvaeModel model;
    private final int threads;
    private final int loadedTensors;
    private final int setAside;
    // the input batch
    private final int[] numAtoms;
    private final double[] lattices;
    private final double[] cart;
    private final int[] atomTypes;
    private final CrystalGraph graph;
    private final EncoderGraph encoderGraph;
    private final Map<String, double[]> properties = new LinkedHashMap<>();
    private final Map<String, INDArray> cache = new HashMap<>();

    private ReferenceSession(Path dir, Path weights, Path modelDir, Path evaluators, int threads) {
        this.dir = dir;
        this.threads = threads;
        if (!Files.isDirectory(dir)) throw new InvalidInputException(dir + ": reference directory not found");
        this.stepOneWeights = weights;
        this.modelDir = modelDir == null ? null : ModelDirectory.open(modelDir);
        this.evaluators = evaluators;
        if (evaluators != null && !Files.isDirectory(evaluators)) throw new InvalidInputException(evaluators + ": evaluators directory not found");
        this.store = new ParameterStore(DataType.FLOAT);
        this.model = new CdvaeModel(store, modelConfig());
        int[] counts = loadWeights(weightsPath(WEIGHTS));
        this.loadedTensors = counts[0];
        this.setAside = counts[1];

        Safetensors in = file(INPUTS);
        numAtoms = in.ints("num_atoms");
        int b = numAtoms.length;
        double[] len = in.doubles("lengths"), ang = in.doubles("angles");
        lattices = new double[9 * b];
        for (int c = 0; c < b; c++) {
            double[][] m = Lattice.fromParameters(len[3 * c], len[3 * c + 1], len[3 * c + 2], ang[3 * c], ang[3 * c + 1], ang[3 * c + 2]).matrix();
            for (int r = 0; r < 3; r++) System.arraycopy(m[r], 0, lattices, 9 * c + 3 * r, 3);
        }
        double[] frac = in.doubles("frac_coords");
        cart = new double[frac.length];
        for (int c = 0, a = 0; c < b; c++) {
            for (int i = 0; i < numAtoms[c]; i++, a++) {
                for (int k = 0; k < 3; k++) {
                    cart[3 * a + k] = frac[3 * a] * lattices[9 * c + k] + frac[3 * a + 1] * lattices[9 * c + 3 + k]
                            + frac[3 * a + 2] * lattices[9 * c + 6 + k];
                }
            }
        }
        atomTypes = in.ints("atom_types");
        int[] ei = in.ints("edge_index");
        int e = ei.length / 2;
        int[] src = new int[e], dst = new int[e];
        System.arraycopy(ei, 0, src, 0, e);
        System.arraycopy(ei, e, dst, 0, e);
        graph = CrystalGraph.fromEdges(lattices, cart, numAtoms, src, dst, in.ints("to_jimages"), in.ints("num_bonds"));
        encoderGraph = EncoderGraph.build(graph, atomTypes, DimeNetPlusPlus.EMBEDDING_ROWS, model.encoder().sphericalBasis(),
                DataType.FLOAT, threads);
        for (String name : model.conditionModel().names()) properties.put(name, in.doubles(name));
        for (var p : model.predictors()) properties.putIfAbsent(p.name(), in.doubles(p.name()));
    }

    /**
     * Opens a reference directory. {@code weights} null means {@code <dir>/cdvae_weights.safetensors}.
     */
    public static ReferenceSession open(Path dir, Path weights, int threads) {
        return new ReferenceSession(dir, weights, null, null, threads);
    }

    /**
     * Opens a reference directory with the models of {@code modelDir} (a model directory: its configuration and
     * weights replace the reference's; null: the reference's) and the CGCNN evaluators of {@code evaluators}
     * ({@code <evaluators>/<name>/}; null: the official {@code .pth.tar} files).
     */
    public static ReferenceSession open(Path dir, Path modelDir, Path evaluators, int threads) {
        return new ReferenceSession(dir, null, modelDir, evaluators, threads);
    }

    /** The step-one model configuration: the model directory's, else the official mp20_format one (the defaults). */
    public Config.Model modelConfig() {
        return modelDir != null ? modelDir.config().model() : ConfigLoader.defaults(List.of()).model();
    }

    /** The configuration of prior {@code label}: the model directory's, else {@code reference}. */
    public Config.Prior priorConfig(String label, Config.Prior reference) {
        if (modelDir == null) return reference;
        Path c = modelDir.priorConfig(label);
        if (!Files.isRegularFile(c)) throw new InvalidInputException(modelDir.path() + ": no prior '" + label + "' (" + c.getFileName() + ")");
        return ConfigLoader.loadSaved(c, List.of()).prior();
    }

    /**
     * The file holding the weights that the reference stores as {@code referenceName}: with a model directory
     * {@code best.safetensors} for {@code cdvae_weights.safetensors} and {@code <label>.safetensors} for
     * {@code prior_<label>_weights.safetensors}; otherwise the reference file (or --weights for the step-one model).
     */
    public Path weightsPath(String referenceName) {
        if (modelDir == null) return referenceName.equals(WEIGHTS) && stepOneWeights != null ? stepOneWeights : dir.resolve(referenceName);
        if (referenceName.equals(WEIGHTS)) return modelDir.path().resolve(ModelDirectory.STEP1_WEIGHTS);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(prior_.+)_weights\\.safetensors").matcher(referenceName);
        if (m.matches()) return modelDir.priorWeights(m.group(1));
        return dir.resolve(referenceName);
    }

    /** The weights of {@link #weightsPath} (checksum-verified for a model directory's checkpoints; read once). */
    public Safetensors weights(String referenceName) {
        Path p = weightsPath(referenceName);
        return files.computeIfAbsent("weights:" + p, k -> modelDir != null && Files.isRegularFile(CheckpointFiles.sidecar(p))
                ? CheckpointFiles.read(p).tensors() : Safetensors.read(p));
    }

    /** The CGCNN evaluator named like an official one: {@code <evaluators>/<name>} if given, else null. */
    public Path evaluator(String name) { return evaluators == null ? null : evaluators.resolve(name); }

    /** Loads by name; returns {loaded, set aside}. */
    private int[] loadWeights(Path weights) {
        Safetensors st = weights(WEIGHTS);
        boolean hasDecoder = store.entries().stream().anyMatch(x -> x.name().startsWith("decoder."));
        Map<String, INDArray> m = new LinkedHashMap<>();
        int aside = 0;
        for (String name : st.names()) {
            if (!hasDecoder && name.startsWith("decoder.")) {
                aside++;
                continue;
            }
            ParameterStore.Entry target = store.entry(name);
            m.put(name, target != null && target.array().dataType().isFPType() ? st.toNd(name, target.array().dataType()) : st.toNd(name));
        }
        store.load(m, weights.toString());
        return new int[]{m.size(), aside};
    }

    public Path directory() { return dir; }

    public CdvaeModel model() { return model; }

    public ParameterStore store() { return store; }

    public int threads() { return threads; }

    /** Weight tensors loaded into the model. */
    public int loadedTensors() { return loadedTensors; }

    /** Weight tensors set aside (decoder, while it is not in the store). */
    public int setAsideTensors() { return setAside; }

    public int[] numAtoms() { return numAtoms.clone(); }

    /** 9 per crystal, rows = lattice vectors (built in double from the float32 lengths/angles). */
    public double[] lattices() { return lattices; }

    /** Cartesian positions, 3 per atom. */
    public double[] cart() { return cart; }

    public int[] atomTypes() { return atomTypes; }

    /** The encoder graph (the CrystalNN bonds stored in the batch). */
    public CrystalGraph graph() { return graph; }

    public EncoderGraph encoderGraph() { return encoderGraph; }

    /** Property values per crystal by name (conditions and predicted properties). */
    public Map<String, double[]> properties() { return properties; }

    /** Values shared between checks (e.g. μ for the heads), computed on first use. */
    public INDArray cached(String key, java.util.function.Supplier<INDArray> compute) {
        return cache.computeIfAbsent(key, k -> compute.get());
    }

    /** A reference file of the directory (read once). */
    public Safetensors file(String name) {
        return files.computeIfAbsent(name, n -> Safetensors.read(dir.resolve(n)));
    }

    // ---- comparisons ----

    public Comparison compare(String file, String name, double[] ours, Tolerance tol) {
        Safetensors f = file(file);
        if (!f.contains(name)) return Comparison.failed(file, name, "not in the reference file");
        return Comparison.of(file, name, f.doubles(name), ours, tol);
    }

    public Comparison compare(String file, String name, INDArray ours, Tolerance tol) {
        Safetensors f = file(file);
        if (!f.contains(name)) return Comparison.failed(file, name, "not in the reference file");
        long n = 1;
        for (long s : f.shape(name)) n *= s;
        if (n != ours.length()) {
            return Comparison.failed(file, name, "shape differs: reference " + java.util.Arrays.toString(f.shape(name)) + ", ours " + java.util.Arrays.toString(ours.shape()));
        }
        return Comparison.of(file, name, f.doubles(name), ours.dup('c').castTo(DataType.DOUBLE).reshape(ours.length()).toDoubleVector(), tol);
    }

    /** Exact comparison of an integer tensor. */
    public Comparison compareExact(String file, String name, long[] ours) {
        Safetensors f = file(file);
        if (!f.contains(name)) return Comparison.failed(file, name, "not in the reference file");
        long[] ref = f.longs(name);
        if (ref.length != ours.length) return Comparison.failed(file, name, "size differs: reference " + ref.length + ", ours " + ours.length);
        double[] a = new double[ref.length], b = new double[ref.length];
        for (int i = 0; i < ref.length; i++) {
            a[i] = ref[i];
            b[i] = ours[i];
        }
        return Comparison.of(file, name, a, b, Tolerance.EXACT);
    }

    public Comparison compareExact(String file, String name, int[] ours) {
        long[] l = new long[ours.length];
        for (int i = 0; i < l.length; i++) l[i] = ours[i];
        return compareExact(file, name, l);
    }

    /** A reference tensor no check knows: a failure, so new reference tensors cannot be skipped silently. */
    public Comparison unchecked(String file, String name) { return Comparison.failed(file, name, "no check for this tensor"); }

    /**
     * Orders comparisons as the tensors appear in the file and adds an {@link #unchecked} failure for every tensor
     * of the file that has no comparison.
     */
    public List<Comparison> complete(String file, Map<String, Comparison> byName) {
        List<Comparison> out = new ArrayList<>();
        for (String name : file(file).names()) out.add(byName.getOrDefault(name, unchecked(file, name)));
        for (Map.Entry<String, Comparison> e : byName.entrySet()) if (!file(file).contains(e.getKey())) out.add(e.getValue());
        return out;
    }

    @Override
    public void close() {
        encoderGraph.close();
        for (INDArray a : cache.values()) if (!a.wasClosed() && a.closeable()) a.close();
        cache.clear();
    }
}
