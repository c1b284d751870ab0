package org.concdvae.eval;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.autodiff.Engine;
import org.concdvae.crystal.Structure;
import org.concdvae.io.StructureSource;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The twelve official pre-trained CGCNN evaluators (../shared/evaluators/NAME/model_best.pth.tar, element features
 * from ../shared/evaluators/atom_init.json) reproduce the official predictions of
 * ../shared/oracles/cgcnn/predictions.csv within 1e-3 for at least 99 % of the structures, for every model; misses are
 * listed with the crystal's smallest 12th/13th-neighbour gap (a tie there lets pymatgen keep another neighbour set),
 * and no crystal without such a tie may miss.
 * The MAE / accuracy against the rows' labels equal the oracle README's table (within its rounding plus what the
 * misses can move them).
 * Two sweeps: the test split (136 crystals, six models) and the whole sample (1355 crystals, all twelve).
 */
class OfficialEvaluatorsTest {
    static final List<String> MODELS = List.of("mpall20_bg", "mpall20_fm", "mpall20_Cbg", "mpall20_Cfm", "mpall40_bg", "mpall40_fm",
            "mpall40_Cbg", "mpall40_Cfm", "oqmd_bg", "oqmd_fm", "oqmd_Cbg", "oqmd_Cfm");
    /** oracles/cgcnn/README.md: MAE or accuracy per model on (all, test). */
    static final Map<String, double[]> README = new HashMap<>();
    /** 12th and 13th neighbour distances closer than this (Å) count as a tie. */
    static final double TIE = 1e-6;

    static {
        double[][] v = {{0.3119, 0.2785}, {0.0880, 0.0759}, {0.8863, 0.8897}, {0.9815, 0.9926}, {0.3038, 0.2797}, {0.0815, 0.0723},
                {0.8989, 0.8897}, {0.9801, 1.0000}, {0.3261, 0.2963}, {0.1359, 0.1119}, {0.8782, 0.8971}, {0.9661, 0.9853}};
        for (int i = 0; i < MODELS.size(); i++) README.put(MODELS.get(i), v[i]);
    }

    /** One model per data set and task kind, on the test split (keeps the default suite short). */
    @Test
    void testSplitMatchesOfficialPredictions() throws IOException {
        sweep(List.of("test"), 1, List.of("mpall20_bg", "mpall20_Cbg", "mpall40_fm", "mpall40_Cfm", "oqmd_bg", "oqmd_Cfm"), 0.99);
    }

    /**
     * All 1355 crystals, all twelve models. Measured: 100 % within 1e-3 for every model, largest |ours − official|
     * 2e-5. 947 of the crystals have a site whose 12th and 13th neighbour distances tie (gap below 1e-6 Å); the kept
     * neighbour then depends on pymatgen's candidate order and on its distances to the last bit, both reproduced by
     * {@link CgcnnGraph} (pymatgen's cell-list order, NumPy's AVX-512 trigonometry in the lattice). Before that,
     * 97.4–99.6 % per model.
     */
    @Test
    void wholeSampleMatchesOfficialPredictions() throws IOException {
        sweep(List.of("train", "val", "test"), 0, MODELS, 0.99);
    }

    /** {@code column} 0 = the README's "all" column, 1 = "test". */
    static void sweep(List<String> splits, int column, List<String> models, double minAgreement) throws IOException {
        Engine.setThreads(2);
        Path data = SharedData.path("data/mp20-sample");
        Path oracle = SharedData.path("oracles/cgcnn/predictions.csv");
        Path evaluators = SharedData.path("evaluators");
        Map<String, Map<String, String>> expected = new LinkedHashMap<>();
        try (Reader r = Files.newBufferedReader(oracle);
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            for (CSVRecord rec : p) if (splits.contains(rec.get("split"))) expected.put(rec.get("material_id"), rec.toMap());
        }
        List<String> ids = new ArrayList<>();
        List<Structure> structures = new ArrayList<>();
        Map<String, double[]> labels = new HashMap<>();   // id → {band_gap, formation_energy_per_atom}
        for (String split : splits) {
            Path f = data.resolve(split + ".csv");
            for (StructureSource.Entry e : StructureSource.readStrict(f)) {
                ids.add(e.id());
                structures.add(e.structure());
            }
            try (Reader r = Files.newBufferedReader(f);
                 CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setAllowMissingColumnNames(true).build().parse(r)) {
                for (CSVRecord rec : p) {
                    labels.put(rec.get("material_id"), new double[]{Double.parseDouble(rec.get("band_gap")),
                            Double.parseDouble(rec.get("formation_energy_per_atom"))});
                }
            }
        }
        assertEquals(expected.size(), ids.size(), "one oracle row per structure");
        long t0 = System.nanoTime();
        String[] errors = new String[ids.size()];
        CgcnnGraph[] graphs = CgcnnGraph.ofAll(structures, 2, errors);
        for (String e : errors) assertEquals(null, e);
        System.out.printf(Locale.ROOT, "graphs of %d crystals: %.2f s%n", ids.size(), (System.nanoTime() - t0) / 1e9);
        List<String> failures = new ArrayList<>();
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String model : models) {
            long t1 = System.nanoTime();
            CgcnnEvaluator ev = CgcnnEvaluator.load(evaluators.resolve(model), null);
            double[] pred = ev.predict(List.of(graphs));
            double maxErr = 0, metric = 0, missError = 0;
            int untiedMisses = 0, untied = 0;
            List<String> misses = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                double ref = Double.parseDouble(expected.get(ids.get(i)).get(model));
                double err = Math.abs(pred[i] - ref);
                maxErr = Math.max(maxErr, err);
                boolean tie = graphs[i].boundaryTie(TIE);
                if (!tie) untied++;
                if (!tie && !(err <= 1e-3)) untiedMisses++;
                if (!(err <= 1e-3)) {
                    missError += err;
                    misses.add(String.format(Locale.ROOT, "%s ours %.6g official %.6g (12th/13th-neighbour gap %.2e Å)", ids.get(i), pred[i], ref,
                            graphs[i].boundaryGap()));
                }
                double[] y = labels.get(ids.get(i));
                if (ev.classification()) {
                    int label = model.endsWith("Cbg") ? (y[0] > 0 ? 1 : 0) : (y[1] <= -0.9 ? 1 : 0);
                    if ((pred[i] > 0.5 ? 1 : 0) == label) metric++;
                } else {
                    metric += Math.abs(pred[i] - (model.endsWith("_bg") ? y[0] : y[1]));
                }
            }
            metric /= ids.size();
            double agree = 1 - misses.size() / (double) ids.size();
            rates.put(model, agree);
            System.out.printf(Locale.ROOT, "%-12s agreement %.2f %% (%d misses), max |ours - official| %.2e, %s %.4f (README %.4f), %.2f s%n",
                    model, 100 * agree, misses.size(), maxErr, ev.classification() ? "accuracy" : "MAE", metric,
                    README.get(model)[column], (System.nanoTime() - t1) / 1e9);
            for (String m : misses) System.out.println("    miss: " + m);
            System.out.printf(Locale.ROOT, "%-12s crystals without a 12th/13th-neighbour tie: %d, of which %d miss%n", model, untied, untiedMisses);
            if (untiedMisses > 0) failures.add(model + ": " + untiedMisses + " misses without a neighbour tie");
            if (agree < minAgreement) failures.add(model + ": agreement " + agree + " < " + minAgreement);
            // the README rounds to 4 digits; each miss can move the metric by its own error (MAE) or one flip (accuracy)
            double slack = 5e-5 + (ev.classification() ? misses.size() : missError) / ids.size();
            if (Math.abs(metric - README.get(model)[column]) > slack) {
                failures.add(model + ": metric " + metric + " vs README " + README.get(model)[column] + " (allowed " + slack + ")");
            }
        }
        StringBuilder summary = new StringBuilder("agreement within 1e-3 per model (" + ids.size() + " crystals):");
        rates.forEach((m, a) -> summary.append(String.format(Locale.ROOT, " %s %.2f%%", m, 100 * a)));
        System.out.println(summary);
        assertEquals(models.size(), rates.size());
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
