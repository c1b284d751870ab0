package org.concdvae.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.autodiff.Tape;
import org.concdvae.crystal.Structure;
import org.concdvae.eval.Cgcnn;
import org.concdvae.eval.CgcnnBatch;
import org.concdvae.eval.CgcnnEvaluator;
import org.concdvae.eval.CgcnnGraph;
import org.concdvae.io.CheckpointFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.Safetensors;
import org.concdvae.io.StructureSource;
import org.concdvae.io.TorchCheckpoint;
import org.concdvae.model.ElementFeatures;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cgcnn_vectors.safetensors}: the CGCNN evaluator (generation.md §6.1) on the 8 reference crystals. The inputs
 * are built by our pipeline from the crystals' CIFs as given in {@code data/mptest} (the mp-ids of the file's
 * metadata): element features from {@code atom_init.json}, the 12 nearest neighbours within 8 Å, the Gaussian bond
 * features; then the network with the random reference weights ({@code cgcnn_weights.safetensors}, architecture
 * from {@code cgcnn_model.pth.tar}'s args) in eval mode: embedding, each convolution, the pooled vector and the
 * output; and the outputs of the four official pre-trained {@code mpall20_*} checkpoints
 * ({@code evaluators/<name>/model_best.pth.tar} beside the reference directory, SHA-256 checked against
 * {@code cgcnn_pretrained_info.json}). Extra comparisons: {@code pth_tar.state_dict} (the .pth.tar tensors equal
 * the safetensors ones) and {@code pth_tar.output} (the output with the weights read from the .pth.tar).
 *
 * <p>Tolerances: atom features exact in float32 (atol 1e-7), distances atol 1e-5 Å, Gaussian features atol 1e-5,
 * neighbour indices exact after ordering each atom's neighbours by (distance, index) (pymatgen lists equal
 * distances in another order); activations and outputs rtol 1e-4 + atol 1e-6 (reference/README.md: CGCNN output
 * rtol 1e-4).
 */
public final class CgcnnReferenceCheck implements ReferenceCheck {
    public static final String FILE = "cgcnn_vectors.safetensors";
    public static final String WEIGHTS = "cgcnn_weights.safetensors";
    public static final String PTH = "cgcnn_model.pth.tar";
    public static final Tolerance FEATURES = new Tolerance(1e-7, 0);
    public static final Tolerance DISTANCE = new Tolerance(1e-5, 0);
    public static final Tolerance ACTIVATIONS = new Tolerance(1e-6, 1e-4);
    private static final List<String> PRETRAINED = List.of("mpall20_fm", "mpall20_bg", "mpall20_Cfm", "mpall20_Cbg");

    @Override
    public String file() { return FILE; }

    /** The shared root (the reference directory's parent). */
    private static Path shared(ReferenceSession s) { return s.directory().toAbsolutePath().getParent(); }

    /** The reference crystals, in the file's order, from the mptest CSVs. */
    static List<Structure> crystals(Path shared, List<String> ids) {
        Map<String, Structure> byId = new HashMap<>();
        for (String split : List.of("test.csv", "train.csv", "val.csv")) {
            Path f = shared.resolve("data/mptest").resolve(split);
            if (!Files.exists(f)) continue;
            for (StructureSource.Entry e : StructureSource.read(f)) if (e.ok()) byId.putIfAbsent(e.id(), e.structure());
        }
        List<Structure> out = new ArrayList<>();
        for (String id : ids) {
            Structure st = byId.get(id);
            if (st == null) throw new InvalidInputException(shared.resolve("data/mptest") + ": no crystal " + id);
            out.add(st);
        }
        return out;
    }

    /** CGCNN's element features: {@code evaluators/atom_init.json} (or {@code data/mptest/atom_init.json}) under the shared root. */
    static Path atomInit(Path shared) {
        for (String p : List.of("evaluators/atom_init.json", "data/mptest/atom_init.json")) {
            if (Files.isRegularFile(shared.resolve(p))) return shared.resolve(p);
        }
        throw new InvalidInputException(shared + ": no evaluators/atom_init.json (" + CgcnnEvaluator.PUBLISHED + ")");
    }

    /** Missing inputs beside the reference directory (crystals, element features) fail the check, not the whole run. */
    @Override
    public List<Comparison> run(ReferenceSession s) {
        try {
            return runChecked(s);
        } catch (InvalidInputException e) {
            return List.of(Comparison.failed(FILE, "*", e.getMessage()));
        }
    }

    private List<Comparison> runChecked(ReferenceSession s) {
        Map<String, Comparison> c = new LinkedHashMap<>();
        Safetensors ref = s.file(FILE);
        Path shared = shared(s);
        List<String> ids = Arrays.asList(ref.metadata().getOrDefault("mp_ids", "").split(","));
        List<CgcnnGraph> graphs = new ArrayList<>();
        for (Structure st : crystals(shared, ids)) graphs.add(CgcnnGraph.of(st));
        ElementFeatures feats = ElementFeatures.load(atomInit(shared));
        int n = graphs.stream().mapToInt(CgcnnGraph::size).sum();
        int m = CgcnnGraph.MAX_NEIGHBORS;
        double[] dist = new double[n * m];
        long[] crystal = new long[n];
        for (int g = 0, a = 0; g < graphs.size(); g++) {
            for (int i = 0; i < graphs.get(g).size(); i++, a++) {
                crystal[a] = g;
                System.arraycopy(graphs.get(g).distances(), i * m, dist, a * m, m);
            }
        }
        double[] centres = new double[CgcnnGraph.GAUSS_CENTERS];
        for (int k = 0; k < centres.length; k++) centres[k] = (float) (k * CgcnnGraph.GAUSS_STEP);
        try (CgcnnBatch b = CgcnnBatch.of(graphs, feats, DataType.FLOAT)) {
            put(c, s.compare(FILE, "atom_fea", b.atomFeatures(), FEATURES));
            put(c, s.compare(FILE, "nbr_fea", b.bondFeatures(), DISTANCE));
            put(c, s.compare(FILE, "nbr_dist", dist, DISTANCE));
            double[] gaps = new double[n];
            for (int g = 0, a = 0; g < graphs.size(); g++) for (int i = 0; i < graphs.get(g).size(); i++, a++) gaps[a] = graphs.get(g).cutGap(i);
            put(c, neighbourSets(ref, b.neighborIndices(), gaps));
            put(c, s.compareExact(FILE, "crystal_index", crystal));
            put(c, s.compare(FILE, "gaussian_centers", centres, FEATURES));
            put(c, Comparison.input(FILE, "target", "formation_energy_per_atom of the crystals, not a model output"));

            // random reference weights; architecture from the .pth.tar's args
            Path pth = s.directory().resolve(PTH);
            TorchCheckpoint ck = TorchCheckpoint.read(pth);
            Cgcnn.Args args = new Cgcnn.Args(feats.width(), CgcnnGraph.GAUSS_CENTERS, ck.intArg("atom_fea_len"), ck.intArg("n_conv"),
                    ck.intArg("h_fea_len"), ck.intArg("n_h"), false);
            Cgcnn model = new Cgcnn(new ParameterStore(DataType.FLOAT), args);
            model.store().loadSafetensors(s.directory().resolve(WEIGHTS));
            Map<String, INDArray> probe = new LinkedHashMap<>();
            INDArray out;
            try (Tape t = Tape.inference()) {
                out = model.forward(t, b, (name, v) -> probe.put(name, v.value().dup())).value().dup();
            }
            for (Map.Entry<String, INDArray> e : probe.entrySet()) put(c, s.compare(FILE, e.getKey(), e.getValue(), ACTIVATIONS));
            put(c, s.compare(FILE, "output", out, ACTIVATIONS));

            // the same weights through the PyTorch checkpoint reader
            Cgcnn fromPth = new Cgcnn(new ParameterStore(DataType.FLOAT), args);
            CgcnnEvaluator.loadStateDict(fromPth, ck);
            double[] a1 = flat(model.store()), a2 = flat(fromPth.store());
            put(c, Comparison.of(FILE, "pth_tar.state_dict", a1, a2, Tolerance.EXACT));
            try (Tape t = Tape.inference()) {
                Comparison o = s.compare(FILE, "output", fromPth.forward(t, b).value(), ACTIVATIONS);
                put(c, new Comparison(FILE, "pth_tar.output", o.maxAbs(), o.maxRel(), o.maxRef(), o.tolerance(), o.passed(), false,
                        "weights read from " + PTH));
            }

            // the official pre-trained evaluators
            JsonNode info = pretrainedInfo(s.directory());
            for (String name : PRETRAINED) {
                String raw = "pretrained_" + name + "_raw_output";
                String sha = info.path(name).path("sha256").asText("");
                CgcnnEvaluator ev;
                if (s.evaluator(name) != null) {
                    // an imported evaluator directory: its sidecar records the SHA-256 of the .pth.tar it came from
                    Path dir = s.evaluator(name);
                    if (!Files.isDirectory(dir)) {
                        put(c, Comparison.failed(FILE, raw, "evaluator directory not found: " + dir));
                        continue;
                    }
                    ev = CgcnnEvaluator.load(dir, null);
                    String from = CheckpointFiles.read(ev.checkpoint()).info().path("source_sha256").asText("");
                    if (!sha.isEmpty() && !sha.equalsIgnoreCase(from)) {
                        put(c, Comparison.failed(FILE, raw, dir + ": imported from a checkpoint whose SHA-256 differs from cgcnn_pretrained_info.json"));
                        continue;
                    }
                } else {
                    Path file = shared.resolve("evaluators").resolve(name).resolve(CgcnnEvaluator.CGCNN_CHECKPOINT);
                    if (!Files.isRegularFile(file)) {
                        put(c, Comparison.failed(FILE, raw, "checkpoint not found: " + file));
                        continue;
                    }
                    if (!sha.isEmpty() && !sha.equalsIgnoreCase(Safetensors.sha256(file))) {
                        put(c, Comparison.failed(FILE, raw, file + ": SHA-256 differs from cgcnn_pretrained_info.json"));
                        continue;
                    }
                    ev = CgcnnEvaluator.load(file, atomInit(shared));
                }
                INDArray r = ev.raw(b);
                put(c, s.compare(FILE, raw, r, ACTIVATIONS));
                if (!ev.classification()) {
                    double[] den = new double[(int) r.size(0)];
                    for (int i = 0; i < den.length; i++) den[i] = ev.denormalise(r.getDouble(i, 0));
                    put(c, s.compare(FILE, "pretrained_" + name + "_denormalised", den, ACTIVATIONS));
                }
            }
        }
        return s.complete(FILE, c);
    }

    /**
     * Neighbour indices compared per tie group: positions whose reference distances agree within 1e-5 Å form a group
     * (pymatgen lists equal distances in another order than our search), and within a group the indices are compared
     * as sorted lists. A group that reaches the 12th position and continues past it in our list (a tie at the cut)
     * would legitimately keep another set; the note counts such atoms.
     */
    private static Comparison neighbourSets(Safetensors ref, int[] ours, double[] cutGap) {
        if (!ref.contains("nbr_fea_idx") || !ref.contains("nbr_dist")) return Comparison.failed(FILE, "nbr_fea_idx", "not in the reference file");
        long[] ri = ref.longs("nbr_fea_idx");
        double[] rd = ref.doubles("nbr_dist");
        if (ri.length != ours.length) return Comparison.failed(FILE, "nbr_fea_idx", "size differs: reference " + ri.length + ", ours " + ours.length);
        int m = CgcnnGraph.MAX_NEIGHBORS;
        double[] a = new double[ri.length], b = new double[ri.length];
        int cutTies = 0;
        for (int i = 0; i < ri.length / m; i++) {
            int from = 0;
            while (from < m) {
                int to = from + 1;
                while (to < m && Math.abs(rd[i * m + to] - rd[i * m + from]) <= 1e-5) to++;
                if (to == m && cutGap[i] <= 1e-5) {
                    // the group continues past the cut: either member set is a valid first 12
                    cutTies++;
                    for (int k = from; k < to; k++) a[i * m + k] = b[i * m + k] = -1;
                    break;
                }
                long[] x = new long[to - from], y = new long[to - from];
                for (int k = from; k < to; k++) {
                    x[k - from] = ri[i * m + k];
                    y[k - from] = ours[i * m + k];
                }
                Arrays.sort(x);
                Arrays.sort(y);
                for (int k = from; k < to; k++) {
                    a[i * m + k] = x[k - from];
                    b[i * m + k] = y[k - from];
                }
                from = to;
            }
        }
        Comparison r = Comparison.of(FILE, "nbr_fea_idx", a, b, Tolerance.EXACT);
        return new Comparison(r.file(), r.name(), r.maxAbs(), r.maxRel(), r.maxRef(), r.tolerance(), r.passed(), false,
                "as sets within equal-distance groups; " + cutTies + " atoms with a tie at the 12th neighbour, group not compared");
    }

    private static double[] flat(ParameterStore store) {
        List<Double> v = new ArrayList<>();
        for (ParameterStore.Entry e : store.entries()) for (double x : e.array().castTo(DataType.DOUBLE).reshape(e.array().length()).toDoubleVector()) v.add(x);
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    private static JsonNode pretrainedInfo(Path dir) {
        Path f = dir.resolve("cgcnn_pretrained_info.json");
        try {
            return Files.exists(f) ? new ObjectMapper().readTree(f.toFile()) : new ObjectMapper().createObjectNode();
        } catch (IOException e) {
            throw new InvalidInputException(f + ": unreadable JSON");
        }
    }

    private static void put(Map<String, Comparison> m, Comparison c) { m.put(c.name(), c); }
}
