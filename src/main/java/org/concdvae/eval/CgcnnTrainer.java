package org.concdvae.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.autodiff.Engine;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Structure;
import org.concdvae.dist.Collective;
import org.concdvae.dist.SingleProcess;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.CheckpointFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.StructureSource;
import org.concdvae.model.ElementFeatures;
import org.concdvae.nn.AdamOptimizer;
import org.concdvae.nn.DataParallel;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains a CGCNN property model on our engine (official {@code cgcnn/main.py}, with Adam): crystals from
 * {@code train.csv}, {@code val.csv} and {@code test.csv} of a data directory (a {@code cif} column and the target
 * column), regression on the normalised target with MSE (normaliser = mean and unbiased std of the training targets)
 * or two-class classification with NLL of the log-softmax. Labels for {@code --classify T}: band gap: class 1 ⇔
 * gap &gt; T; formation energy: class 1 ⇔ E_f ≤ T (generation.md §6.1, T = 0 and −0.9 in the paper).
 * The best epoch by validation MAE (regression) or accuracy (classification) is kept as {@code best.safetensors}
 * (our checkpoint format, with the arguments and normaliser in the sidecar, readable by {@link CgcnnEvaluator}),
 * the latest as {@code last.safetensors}; {@code metrics.csv} has one row per epoch, {@code summary.json} the result
 * including the test metric of the best model. Deterministic for a seed.
 */
public final class CgcnnTrainer {
    public static final String BEST = "best.safetensors", LAST = "last.safetensors", METRICS = "metrics.csv", SUMMARY = "summary.json";
    public static final List<String> TARGETS = List.of("band_gap", "formation_energy_per_atom");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Training settings. {@code classifyThreshold} null = regression. */
    public record Options(String target, Double classifyThreshold, int epochs, int batchSize, double lr, long seed, int threads,
                          int atomFeaLen, int nConv, int hFeaLen, int nH, int replicas) {
        public Options {
            if (!TARGETS.contains(target)) throw new InvalidInputException("unknown target '" + target + "' (expected one of " + TARGETS + ")");
            if (epochs < 1 || batchSize < 1 || !(lr > 0)) throw new InvalidInputException("epochs, batch size and learning rate must be positive");
        }

        /** One replica: the plain trainer. */
        public Options(String target, Double classifyThreshold, int epochs, int batchSize, double lr, long seed, int threads,
                       int atomFeaLen, int nConv, int hFeaLen, int nH) {
            this(target, classifyThreshold, epochs, batchSize, lr, seed, threads, atomFeaLen, nConv, hFeaLen, nH, 1);
        }
    }

    /** One epoch's numbers: training loss, validation loss and metric (MAE in target units, or accuracy). */
    public record Epoch(int epoch, double trainLoss, double valLoss, double valMetric, double seconds) {}

    /** Per-epoch callback (progress). */
    public interface Listener { void epoch(Epoch e, boolean best); }

    /** The run's outcome. */
    public record Summary(List<Epoch> epochs, int bestEpoch, double bestValMetric, double testMetric, String metricName,
                          int trainCount, int valCount, int testCount, int skippedRows) {}

    /** A labelled split. */
    record Split(List<String> ids, List<CgcnnGraph> graphs, double[] targets) {}

    private final Options opt;
    private final ElementFeatures features;
    private final Path out;
    private final Split train, val, test;
    private final int skipped;
    private final Collective collective;

    /** Reads and builds the graphs of the three splits of {@code data} (test.csv optional). */
    public CgcnnTrainer(Path data, ElementFeatures features, Path out, Options opt) {
        this(data, features, out, opt, SingleProcess.INSTANCE);
    }

    /** As above, as one process of the job {@code collective} (rank 0 alone writes). */
    public CgcnnTrainer(Path data, ElementFeatures features, Path out, Options opt, Collective collective) {
        this.opt = opt;
        this.collective = collective;
        this.features = features;
        this.out = out;
        if (!Files.isDirectory(data)) throw new InvalidInputException(data + ": data directory not found");
        int[] skip = new int[1];
        train = readSplit(data.resolve("train.csv"), true, skip);
        val = readSplit(data.resolve("val.csv"), true, skip);
        Path t = data.resolve("test.csv");
        test = Files.exists(t) ? readSplit(t, false, skip) : new Split(List.of(), List.of(), new double[0]);
        skipped = skip[0];
        if (train.graphs().size() < 2) throw new InvalidInputException(data.resolve("train.csv") + ": fewer than 2 usable rows");
        if (val.graphs().isEmpty()) throw new InvalidInputException(data.resolve("val.csv") + ": no usable rows");
    }

    private boolean classification() { return opt.classifyThreshold() != null; }

    /** The class of a target value (see the class comment). */
    public static int label(String target, double value, double threshold) {
        return target.equals("band_gap") ? (value > threshold ? 1 : 0) : (value <= threshold ? 1 : 0);
    }

    private Split readSplit(Path file, boolean required, int[] skip) {
        if (!Files.exists(file)) throw new InvalidInputException(file + ": not found (the data directory needs train.csv, val.csv and optionally test.csv)");
        String text = StructureSource.readText(file);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<String> ids = new ArrayList<>();
        List<Structure> structures = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        CSVFormat fmt = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setAllowMissingColumnNames(true).build();
        try (Reader r = new StringReader(text); CSVParser p = fmt.parse(r)) {
            Map<String, Integer> h = p.getHeaderMap();
            if (h == null || !h.containsKey("cif")) throw new InvalidInputException(file + ": no 'cif' column");
            if (!h.containsKey(opt.target())) throw new InvalidInputException(file + ": no '" + opt.target() + "' column (columns: " + String.join(", ", h.keySet()) + ")");
            String idCol = h.containsKey("material_id") ? "material_id" : h.containsKey("id") ? "id" : null;
            int row = 0;
            for (CSVRecord rec : p) {
                row++;
                try {
                    double v = Double.parseDouble(rec.get(opt.target()).trim());
                    if (!Double.isFinite(v)) throw new NumberFormatException();
                    Structure s = CifReader.readOne(rec.get("cif"), file + " row " + row);
                    structures.add(s);
                    ids.add(idCol != null ? rec.get(idCol) : String.valueOf(row));
                    y.add(v);
                } catch (InvalidStructureException | IllegalArgumentException e) {
                    skip[0]++;
                }
            }
        } catch (IOException | IllegalStateException e) {
            throw new InvalidInputException(file + ": malformed CSV (" + e.getMessage() + ")");
        }
        String[] errors = new String[structures.size()];
        CgcnnGraph[] g = CgcnnGraph.ofAll(structures, opt.threads(), errors);
        List<String> keptIds = new ArrayList<>();
        List<CgcnnGraph> kept = new ArrayList<>();
        List<Double> keptY = new ArrayList<>();
        for (int i = 0; i < g.length; i++) {
            if (g[i] == null) { skip[0]++; continue; }
            try {
                for (int z : g[i].atomicNumbers()) features.of(z);
            } catch (InvalidInputException e) {
                skip[0]++;
                continue;
            }
            keptIds.add(ids.get(i));
            kept.add(g[i]);
            keptY.add(y.get(i));
        }
        double[] t = new double[keptY.size()];
        for (int i = 0; i < t.length; i++) t[i] = keptY.get(i);
        return new Split(keptIds, kept, t);
    }

    /**
     * Trains data-parallel as the step-one trainer does ({@link DataParallel}): global replica g of the job's N takes
     * slice g of each global batch with its own dropout generator, the gradients are averaged, then one Adam step.
     * A global batch that leaves some replica without crystals, or with fewer than 2 atoms (BatchNorm), is skipped.
     */
    public Summary run(Listener listener) throws IOException {
        int replicas = DataParallel.resolveReplicas(opt.replicas(), opt.threads(), opt.batchSize(), collective.size(), 2);
        DataParallel.checkSplit("--batch-size", opt.batchSize(), replicas * collective.size(), replicas, collective.size(), 1);
        Engine.setThreads(replicas == 1 ? opt.threads() : DataParallel.threadsPerReplica(opt.threads(), replicas));
        try {
            return train(listener, replicas);
        } finally {
            Engine.setThreads(opt.threads());
        }
    }

    private Summary train(Listener listener, int replicas) throws IOException {
        boolean root = collective.isRoot();
        if (root) Files.createDirectories(out);
        boolean cls = classification();
        double mean = 0, std = 1;
        if (!cls) {
            double[] t = train.targets();
            for (double v : t) mean += v;
            mean /= t.length;
            double ss = 0;
            for (double v : t) ss += (v - mean) * (v - mean);
            std = Math.sqrt(ss / (t.length - 1));
            if (!(std > 0)) std = 1;
        }
        Cgcnn.Args args = new Cgcnn.Args(features.width(), CgcnnGraph.GAUSS_CENTERS, opt.atomFeaLen(), opt.nConv(), opt.hFeaLen(), opt.nH(), cls);
        Cgcnn model = new Cgcnn(new ParameterStore(DataType.FLOAT), args).initialise(new Random(opt.seed()));
        AdamOptimizer adam = new AdamOptimizer(model.store(), opt.lr(), 0.9, 0.999, 1e-8, 0);
        try (DataParallel dp = new DataParallel(model.store(), replicas, collective)) {
            return train(listener, dp, model, adam, args, cls, mean, std, root);
        }
    }

    private Summary train(Listener listener, DataParallel dp, Cgcnn model, AdamOptimizer adam, Cgcnn.Args args, boolean cls,
                          double mean, double std, boolean root) throws IOException {
        List<Epoch> history = new ArrayList<>();
        int bestEpoch = -1;
        double best = Double.NaN;
        Map<String, INDArray> bestState = null;
        long step = 0;
        for (int epoch = 0; epoch < opt.epochs(); epoch++) {
            long t0 = System.nanoTime();
            int[] order = shuffled(train.graphs().size(), new Random(opt.seed() * 1_000_003L + epoch));
            double lossSum = 0;
            int lossCount = 0;
            for (int from = 0; from < order.length; from += opt.batchSize()) {
                int to = Math.min(order.length, from + opt.batchSize());
                List<CgcnnGraph> gs = new ArrayList<>();
                double[] y = new double[to - from];
                for (int k = from; k < to; k++) {
                    gs.add(train.graphs().get(order[k]));
                    y[k - from] = train.targets()[order[k]];
                }
                int total = dp.total();
                if (gs.size() < total) continue;   // a trailing batch too small for every replica
                boolean small = false;
                for (int g = 0; g < total; g++) {
                    int[] sl = DataParallel.slice(gs.size(), total, g);
                    if (gs.subList(sl[0], sl[1]).stream().mapToInt(CgcnnGraph::size).sum() < 2) small = true;
                }
                if (small) continue; // BatchNorm needs 2 rows in training
                long st = step;
                List<Double> losses = dp.map(r -> {
                    int g = dp.global(r);
                    int[] sl = DataParallel.slice(gs.size(), total, g);
                    long seed = opt.seed() * 7919L + st;
                    try (CgcnnBatch b = CgcnnBatch.of(gs.subList(sl[0], sl[1]), features, DataType.FLOAT);
                         Tape t = dp.tape(r, Tape.training().random(new Random(g == 0 ? seed : seed * 0x9E3779B97F4A7C15L + g)))) {
                        Tensor loss = loss(t, model.forward(t, b), java.util.Arrays.copyOfRange(y, sl[0], sl[1]), mean, std);
                        double v = loss.value().getDouble(0);
                        if (Double.isFinite(v)) t.backward(loss);
                        return v;
                    }
                });
                DataParallel.LossSum sum = dp.sumLosses(losses);
                if (dp.reduce(1, sum.nonFinite())) adam.step(dp);
                lossSum += (total == 1 ? sum.sum() : sum.sum() / total) * y.length;
                lossCount += y.length;
                step++;
            }
            double[] v = evaluate(dp, model, val, mean, std);
            boolean improved = bestEpoch < 0 || (cls ? v[1] > best : v[1] < best);
            Epoch e = new Epoch(epoch, lossSum / Math.max(1, lossCount), v[0], v[1], (System.nanoTime() - t0) / 1e9);
            history.add(e);
            if (root) save(model, out.resolve(LAST), args, mean, std, e);
            if (improved) {
                best = v[1];
                bestEpoch = epoch;
                if (bestState != null) for (INDArray a : bestState.values()) a.close();
                bestState = new LinkedHashMap<>();
                for (Map.Entry<String, INDArray> en : model.store().stateDict().entrySet()) bestState.put(en.getKey(), en.getValue().dup());
                if (root) save(model, out.resolve(BEST), args, mean, std, e);
            }
            if (root) writeMetrics(history);
            if (listener != null) listener.epoch(e, improved);
        }
        model.store().load(bestState, "best epoch");
        double testMetric = test.graphs().isEmpty() ? Double.NaN : evaluate(dp, model, test, mean, std)[1];
        String metric = cls ? "accuracy" : "mae";
        Summary s = new Summary(history, bestEpoch, best, testMetric, metric, train.graphs().size(), val.graphs().size(),
                test.graphs().size(), skipped);
        ObjectNode j = JSON.createObjectNode();
        j.put("target", opt.target());
        j.put("task", cls ? "classification" : "regression");
        if (cls) j.put("classify_threshold", opt.classifyThreshold());
        j.put("metric", metric);
        j.put("best_epoch", bestEpoch);
        j.put("best_val_" + metric, best);
        if (!Double.isNaN(testMetric)) j.put("test_" + metric, testMetric);
        j.put("train", s.trainCount());
        j.put("val", s.valCount());
        j.put("test", s.testCount());
        j.put("skipped_rows", skipped);
        j.put("ranks", dp.ranks());
        j.put("replicas", dp.replicas());
        j.put("mpi_library", collective.library());
        if (root) AtomicFiles.writeString(out.resolve(SUMMARY), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(j) + "\n");
        return s;
    }

    private Tensor loss(Tape t, Tensor out, double[] y, double mean, double std) {
        if (classification()) {
            int[] labels = new int[y.length];
            for (int i = 0; i < y.length; i++) labels[i] = label(opt.target(), y[i], opt.classifyThreshold());
            return t.crossEntropy(out, labels); // out is already a log-softmax: log-softmax is idempotent, so this is NLL
        }
        float[] yn = new float[y.length];
        for (int i = 0; i < y.length; i++) yn[i] = (float) ((y[i] - mean) / std);
        return t.mse(out, t.ownedConstant(Nd4j.create(yn, new long[]{y.length, 1}, 'c').castTo(out.value().dataType())));
    }

    /**
     * {loss, metric} on a split in eval mode. Batches are dealt round-robin to the job's replicas; each batch's loss
     * and each crystal's contribution to the metric land in their own slot (one all-reduce across processes, a single
     * non-zero addend per slot), then are summed in order, so the numbers equal a single replica's on every rank.
     */
    private double[] evaluate(DataParallel dp, Cgcnn model, Split s, double mean, double std) {
        dp.syncBuffers();
        int n = s.graphs().size(), nb = (n + CgcnnEvaluator.BATCH - 1) / CgcnnEvaluator.BATCH, total = dp.total();
        double[] slots = new double[nb + n];   // per batch: mean loss; then per crystal: metric contribution
        dp.map(r -> {
            for (int i = dp.global(r); i < nb; i += total) {
                int from = i * CgcnnEvaluator.BATCH, to = Math.min(n, from + CgcnnEvaluator.BATCH);
                double[] y = java.util.Arrays.copyOfRange(s.targets(), from, to);
                try (CgcnnBatch b = CgcnnBatch.of(s.graphs().subList(from, to), features, DataType.FLOAT); Tape t = Tape.inference()) {
                    Tensor o = model.forward(t, b);
                    slots[i] = loss(t, o, y, mean, std).value().getDouble(0);
                    for (int k = 0; k < y.length; k++) {
                        if (classification()) {
                            int pred = o.value().getDouble(k, 1) > o.value().getDouble(k, 0) ? 1 : 0;
                            slots[nb + from + k] = pred == label(opt.target(), y[k], opt.classifyThreshold()) ? 1 : 0;
                        } else {
                            slots[nb + from + k] = Math.abs(o.value().getDouble(k, 0) * std + mean - y[k]);
                        }
                    }
                }
            }
            return null;
        });
        if (dp.ranks() > 1) collective.allreduceSum(slots);
        double lossSum = 0, metric = 0;
        for (int i = 0; i < nb; i++) {
            int from = i * CgcnnEvaluator.BATCH, to = Math.min(n, from + CgcnnEvaluator.BATCH);
            lossSum += slots[i] * (to - from);
            for (int k = from; k < to; k++) metric += slots[nb + k];
        }
        return new double[]{lossSum / n, metric / n};
    }

    private void save(Cgcnn model, Path file, Cgcnn.Args a, double mean, double std, Epoch e) throws IOException {
        ObjectNode info = JSON.createObjectNode();
        info.put("model", "cgcnn");
        info.set("args", argsToJson(a));
        info.put("target", opt.target());
        if (classification()) info.put("classify_threshold", opt.classifyThreshold());
        ObjectNode nz = info.putObject("normalizer");
        nz.put("mean", mean);
        nz.put("std", std);
        info.put("epoch", e.epoch());
        info.put("val_" + (classification() ? "accuracy" : "mae"), e.valMetric());
        info.put("seed", opt.seed());
        CheckpointFiles.write(file, model.store().stateDict(), info);
    }

    static JsonNode argsToJson(Cgcnn.Args a) {
        ObjectNode j = JSON.createObjectNode();
        j.put("orig_atom_fea_len", a.origAtomFeaLen());
        j.put("nbr_fea_len", a.nbrFeaLen());
        j.put("atom_fea_len", a.atomFeaLen());
        j.put("n_conv", a.nConv());
        j.put("h_fea_len", a.hFeaLen());
        j.put("n_h", a.nH());
        j.put("task", a.classification() ? "classification" : "regression");
        return j;
    }

    static Cgcnn.Args argsFromJson(JsonNode j, Path file) {
        for (String k : List.of("orig_atom_fea_len", "nbr_fea_len", "atom_fea_len", "n_conv", "h_fea_len", "n_h", "task")) {
            if (j.path(k).isMissingNode()) throw new InvalidInputException(file + ": checkpoint info has no args." + k);
        }
        try {
            return new Cgcnn.Args(j.get("orig_atom_fea_len").asInt(), j.get("nbr_fea_len").asInt(), j.get("atom_fea_len").asInt(),
                    j.get("n_conv").asInt(), j.get("h_fea_len").asInt(), j.get("n_h").asInt(), "classification".equals(j.get("task").asText()));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file + ": " + e.getMessage());
        }
    }

    private void writeMetrics(List<Epoch> h) throws IOException {
        String m = classification() ? "accuracy" : "mae";
        StringBuilder sb = new StringBuilder("epoch,train_loss,val_loss,val_" + m + ",seconds\n");
        for (Epoch e : h) {
            sb.append(String.format(Locale.ROOT, "%d,%.9g,%.9g,%.9g,%.3f%n", e.epoch(), e.trainLoss(), e.valLoss(), e.valMetric(), e.seconds()));
        }
        AtomicFiles.writeString(out.resolve(METRICS), sb.toString());
    }

    private static int[] shuffled(int n, Random r) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int x = o[i];
            o[i] = o[j];
            o[j] = x;
        }
        return o;
    }
}
