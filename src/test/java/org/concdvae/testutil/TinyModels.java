package org.concdvae.testutil;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.train.Step1Trainer;
import org.concdvae.train.TrainingData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny step-one model for end-to-end tests: the 'tiny' preset with all six 'full' properties cached, trained for one
 * epoch on the first 10 training and 4 validation rows of data/mptest4conz (copied to {@code root/data}).
 */
public final class TinyModels {
    private TinyModels() {}

    public static Config config() {
        return ConfigLoader.resolve("tiny", List.of(
                "data.prelo_prop=[formation_energy_per_atom, band_gap, crystal_system, spacegroup, e_above_hull, n_atom]"));
    }

    /** Writes the data to {@code root/data} and the model to {@code root/model}; returns the training data. */
    public static TrainingData stepOne(Path root) throws IOException {
        Path data = root.resolve("data");
        Files.createDirectories(data);
        head(SharedData.path("data/mptest4conz/train.csv"), data.resolve("train.csv"), 10);
        head(SharedData.path("data/mptest4conz/val.csv"), data.resolve("val.csv"), 4);
        Config tiny = config();
        TrainingData d = TrainingData.load(data, tiny, 42, 2);
        new Step1Trainer(tiny, d, root.resolve("model"), new Step1Trainer.Options(42, 2, 1, null, false, 10, 5, "test", "test"), null).run();
        return d;
    }

    private static Path withPriors;

    /**
     * A tiny model directory with {@code prior_default} and {@code prior_full} (1 epoch each) beside its data
     * ({@code ../data/train.csv}), trained once per test JVM and shared by the sampling tests; removed at exit.
     */
    public static synchronized Path withPriors() throws IOException {
        if (withPriors != null) return withPriors;
        Path root = Files.createTempDirectory("concdvae-tiny-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
        stepOne(root);
        Path model = root.resolve("model");
        for (String label : new String[]{"prior_default", "prior_full"}) {
            int code = org.concdvae.cli.Main.commandLine().execute("train-prior", "--model", model.toString(), "--label", label,
                    "--epochs", "1", "--quiet");
            if (code != 0) throw new IllegalStateException("train-prior " + label + " failed with exit code " + code);
        }
        return withPriors = model;
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary directory is harmless
        }
    }

    /** The first n records of a CSV (CIF fields span lines). */
    public static void head(Path in, Path out, int n) throws IOException {
        CSVFormat f = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
        try (CSVParser p = CSVParser.parse(in, StandardCharsets.UTF_8, f);
             CSVPrinter w = new CSVPrinter(Files.newBufferedWriter(out), CSVFormat.DEFAULT)) {
            w.printRecord(p.getHeaderNames());
            int k = 0;
            for (CSVRecord r : p) {
                if (k++ == n) break;
                w.printRecord(r.toList());
            }
        }
    }
}
