package org.concdvae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.data.CrystalCache;
import org.concdvae.io.CrystalCsv;
import org.concdvae.data.CrystalRecord;
import org.concdvae.data.DatasetSplit;
import org.concdvae.data.LatticeScaler;
import org.concdvae.data.Preprocessor;
import org.concdvae.data.Rejection;
import org.concdvae.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code concdvae preprocess}: CSV data set → filtered, reduced crystals with encoder graphs, in a checked cache. */
@Command(name = "preprocess", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Parse, filter, Niggli-reduce and build graphs for a crystal data set in the CDVAE/Con-CDVAE CSV layout: "
                + "a 'cif' column, property columns optional. Every numeric column is kept as it comes; the model config "
                + "picks its properties (data.prop) among them at training time, so any such CSV works without a config.",
                "Writes one cache per split (train/val/test), rejects.csv (file,row,id,reason), summary.json, the resolved "
                        + "config.yaml and the training split's lattice_scaler.txt into --out."},
        sortOptions = false)
public class PreprocessCommand extends BaseCommand {
    static final String EXAMPLE_RESOURCE = "/org/concdvae/data/example/example.csv";

    @Option(names = "--config", paramLabel = "FILE|PRESET",
            description = "YAML config (keys as in configs/mp20.yaml, the official hydra keys) or a built-in preset: mp20, mp20-small, mp40, oqmd, mptest, "
                    + "mptest4conz, tiny, mp_20, perov_5, carbon_24. Only its structure settings are used (data.niggli, primitive, "
                    + "graph_method, filter, max_atoms, split; the encoder graph cutoff; preprocess_workers: the threads "
                    + "when --threads is not given, at most the cores). Default: mp20 values (tiny with --example).")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. --set data.niggli=false (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--input", paramLabel = "CSV", description = "Training CSV (or the only CSV, then split 8:1:1 by --seed). "
            + "Default: data.root_path/data.splits.* from the config.")
    Path input;

    @Option(names = "--val", paramLabel = "CSV", description = "Validation CSV (with --input and --test).")
    Path val;

    @Option(names = "--test", paramLabel = "CSV", description = "Test CSV (with --input and --val).")
    Path test;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory (created if needed).")
    Path out;

    @Option(names = "--strict", description = "Stop at the first bad row instead of listing it in rejects.csv.")
    boolean strict;

    @Option(names = "--example", description = "Use the built-in example data set (12 textbook crystals), split 8:1:1.")
    boolean example;

    @Override
    protected String interruptedHint() {
        return "the caches in " + out + " are written only at the end, none is partial; rerun the command to preprocess";
    }

    @Override
    protected int run() throws IOException {
        if (example && (input != null || val != null || test != null)) {
            throw new UserException("--example cannot be combined with --input/--val/--test");
        }
        if ((val != null || test != null) && input == null) throw new UserException("--val and --test need --input");
        if ((val == null) != (test == null)) throw new UserException("give both --val and --test, or neither (then --input is split 8:1:1)");

        Config cfg = ConfigLoader.resolve(config == null && example ? "tiny" : config, sets);
        // without --threads, the config's data.preprocess_workers, capped at the cores (official configs name 30 or 60)
        int threads = common.threads != null ? common.threads()
                : Math.min(cfg.data().preprocessWorkers(), Runtime.getRuntime().availableProcessors());
        lockOutput(out, "--out"); // before reading any input: a bad --out fails at once
        Preprocessor pre = Preprocessor.asInFile(cfg, threads, strict);

        Path tmpDir = null;
        try {
            Map<String, Path> files = new LinkedHashMap<>();
            if (example) {
                tmpDir = Files.createTempDirectory("concdvae-example");
                Path f = tmpDir.resolve("example.csv");
                try (InputStream in = PreprocessCommand.class.getResourceAsStream(EXAMPLE_RESOURCE)) {
                    if (in == null) throw new IllegalStateException("example data missing from the jar");
                    Files.copy(in, f);
                }
                files.put("all", f);
            } else if (input != null) {
                files.put(val == null ? "all" : "train", input);
                if (val != null) {
                    files.put("val", val);
                    files.put("test", test);
                }
            } else {
                Path root = Path.of(cfg.data().rootPath());
                files.put("train", root.resolve(cfg.data().splits().train()));
                files.put("val", root.resolve(cfg.data().splits().val()));
                files.put("test", root.resolve(cfg.data().splits().test()));
            }
            int total = 0;
            for (Path f : files.values()) total += CrystalCsv.countRows(f); // validates every header before any work

            List<Preprocessor.FileResult> results = new ArrayList<>();
            try (Progress bar = Progress.start("preprocess", total, common.quiet)) {
                for (Path f : files.values()) results.add(pre.process(f, n -> bar.step()));
            }

            Map<String, List<CrystalRecord>> splits = new LinkedHashMap<>();
            Map<String, List<String>> properties = new LinkedHashMap<>();   // per split: the file's numeric columns
            if (files.containsKey("all")) {
                List<CrystalRecord> all = results.get(0).kept();
                int[][] idx = DatasetSplit.assign(all.size(), cfg.data().split().val(), cfg.data().split().test(), common.seed);
                splits.put("train", DatasetSplit.select(all, idx[0]));
                splits.put("val", DatasetSplit.select(all, idx[1]));
                splits.put("test", DatasetSplit.select(all, idx[2]));
                for (String s : splits.keySet()) properties.put(s, results.get(0).properties());
            } else {
                int i = 0;
                for (String s : files.keySet()) {
                    properties.put(s, results.get(i).properties());
                    splits.put(s, results.get(i++).kept());
                }
            }
            if (splits.get("train").isEmpty()) {
                Preprocessor.FileResult r = results.get(0);
                throw new UserException(r.file() + ": no usable crystals (" + r.rejected().size() + " of " + r.read()
                        + " rows rejected" + (r.rejected().isEmpty() ? "" : "; first: " + r.rejected().get(0).describe()) + ")");
            }
            write(cfg, properties, files, results, splits, threads);
            printSummary(files, results, splits);
            return ExitCode.OK;
        } finally {
            if (tmpDir != null) {
                Files.deleteIfExists(tmpDir.resolve("example.csv"));
                Files.deleteIfExists(tmpDir);
            }
        }
    }

    private void write(Config cfg, Map<String, List<String>> properties, Map<String, Path> files, List<Preprocessor.FileResult> results,
                       Map<String, List<CrystalRecord>> splits, int threads) throws IOException {
        String settings = CrystalCache.settings(cfg);
        Config.Splits<String> names = cfg.data().cache();
        for (Map.Entry<String, List<CrystalRecord>> e : splits.entrySet()) {
            String name = switch (e.getKey()) {
                case "train" -> names.train();
                case "val" -> names.val();
                default -> names.test();
            };
            CrystalCache.write(out.resolve(name), e.getKey(), properties.get(e.getKey()), settings, e.getValue());
        }
        LatticeScaler.fit(splits.get("train")).write(out.resolve(cfg.data().latticeScalerFile()));
        AtomicFiles.writeText(out.resolve("rejects.csv"), w -> {
            CSVPrinter p = new CSVPrinter(w, CSVFormat.RFC4180.builder().setRecordSeparator('\n').build());
            p.printRecord("file", "row", "id", "reason");
            for (Preprocessor.FileResult r : results) {
                for (Rejection j : r.rejected()) p.printRecord(j.file(), j.row(), j.id(), j.reason());
            }
            p.flush();
        });
        AtomicFiles.writeString(out.resolve("config.yaml"), "# resolved configuration used by concdvae preprocess\n" + ConfigLoader.toYaml(cfg));
        Map<String, Object> summary = new LinkedHashMap<>();
        List<Map<String, Object>> inputs = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Path> f : files.entrySet()) {
            Preprocessor.FileResult r = results.get(i++);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", example ? "example.csv (built-in)" : f.getValue().toString());
            m.put("sha256", org.concdvae.io.Safetensors.sha256(f.getValue())); // provenance: which exact table was read
            m.put("split", f.getKey());
            m.put("read", r.read());
            m.put("kept", r.kept().size());
            m.put("rejected", r.rejected().size());
            m.put("rejected_by_reason", byReason(r.rejected()));
            inputs.add(m);
        }
        summary.put("inputs", inputs);
        Map<String, Integer> sizes = new LinkedHashMap<>();
        splits.forEach((k, v) -> sizes.put(k, v.size()));
        summary.put("splits", sizes);
        summary.put("properties", properties);
        summary.put("seed", common.seed);
        summary.put("threads", threads); // --threads, else data.preprocess_workers (at most the cores)
        summary.put("cache_format_version", CrystalCache.FORMAT_VERSION);
        summary.put("settings", new ObjectMapper().readTree(settings));
        AtomicFiles.writeString(out.resolve("summary.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary) + "\n");
    }

    private static Map<String, Integer> byReason(List<Rejection> rejected) {
        Map<String, Integer> m = new TreeMap<>();
        for (Rejection r : rejected) m.merge(r.category(), 1, Integer::sum);
        return m;
    }

    private void printSummary(Map<String, Path> files, List<Preprocessor.FileResult> results, Map<String, List<CrystalRecord>> splits) {
        int i = 0;
        for (Map.Entry<String, Path> f : files.entrySet()) {
            Preprocessor.FileResult r = results.get(i++);
            String name = example ? "example.csv (built-in)" : f.getValue().toString();
            info("%s: read %d, kept %d, rejected %d%s", name, r.read(), r.kept().size(), r.rejected().size(),
                    r.rejected().isEmpty() ? "" : " " + byReason(r.rejected()));
        }
        StringBuilder sb = new StringBuilder();
        splits.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v.size()));
        info("crystals: %s -> %s", sb, out);
        info("property columns kept: %s (the model config picks among them at training time)",
                results.get(0).properties().isEmpty() ? "none" : String.join(", ", results.get(0).properties()));
    }
}
