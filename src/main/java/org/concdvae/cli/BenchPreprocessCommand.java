package org.concdvae.cli;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.crystal.Structure;
import org.concdvae.data.CrystalRecord;
import org.concdvae.data.Preprocessor;
import org.concdvae.graph.RadiusGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.concdvae.cli.BenchSupport.median;

/**
 * {@code concdvae bench preprocess}: throughput of the per-crystal pipeline (CSV row → CIF → Niggli → canonical
 * lattice → radius graph) and of the batched decoder radius graph alone, as medians over repeats.
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Median structures/second of preprocessing (CIF parse, Niggli reduction, radius graph 7 Å / 20) "
                + "and of the decoder radius graph alone (9 Å / 20, batches of 256).",
                "Default inputs: ../shared/data/perov_5/val.csv and ../shared/data/mp20-sample/train.csv."})
public class BenchPreprocessCommand extends BaseCommand {
    static final List<String> DEFAULT_INPUTS = List.of("../shared/data/perov_5/val.csv", "../shared/data/mp20-sample/train.csv");

    @Option(names = "--input", paramLabel = "CSV", description = "CSV to preprocess instead of the defaults (repeatable).")
    List<Path> inputs;

    @Option(names = "--repeat", description = "Timed repeats after one warm-up run (default: ${DEFAULT-VALUE}).", defaultValue = "5")
    int repeat;

    @Override
    protected int run() {
        if (repeat < 1) throw new UserException("--repeat must be at least 1");
        List<Path> files = new ArrayList<>();
        if (inputs != null) {
            files.addAll(inputs);
        } else {
            for (String s : DEFAULT_INPUTS) {
                Path p = Path.of(s);
                if (Files.exists(p)) files.add(p);
                else info("skipping %s (not found; pass --input CSV)", s);
            }
            if (files.isEmpty()) throw new UserException("no benchmark input found; pass --input CSV");
        }
        int threads = common.threads();
        // no property columns: the benchmark inputs have different ones (perov_5: heat_ref, MP-20: formation energy)
        Config cfg = ConfigLoader.resolve("tiny", List.of("data.prop=[]", "data.prelo_prop=[]",
                "model.conditionmodel.condition_embeddings=[]", "model.conditionpre.condition_predict=[]"));
        Preprocessor pre = new Preprocessor(cfg, threads, false);
        out().printf("bench preprocess: threads %d, %d repeats after 1 warm-up, encoder graph radius %.1f Å / %d%n",
                threads, repeat, cfg.model().encoder().cutoff(), cfg.model().encoder().maxNumNeighbors());
        for (Path f : files) {
            List<CrystalRecord> kept = pre.process(f, null).kept();      // warm-up, and the structures for the graph bench
            double[] rates = new double[repeat];
            int rows = 0;
            for (int r = 0; r < repeat; r++) {
                long t0 = System.nanoTime();
                Preprocessor.FileResult res = pre.process(f, null);
                rows = res.read();
                rates[r] = rows / ((System.nanoTime() - t0) * 1e-9);
            }
            out().printf("  %-40s %6d rows   preprocess median %9.1f structures/s  (min %.1f, max %.1f)%n",
                    f.getFileName().getParent() == null ? f.toString() : tail(f), rows, median(rates), min(rates), max(rates));

            List<Structure> structures = new ArrayList<>();
            for (CrystalRecord c : kept) structures.add(c.structure());
            double[] graphRates = new double[repeat];
            graphBatches(structures, threads);
            for (int r = 0; r < repeat; r++) {
                long t0 = System.nanoTime();
                graphBatches(structures, threads);
                graphRates[r] = structures.size() / ((System.nanoTime() - t0) * 1e-9);
            }
            out().printf("  %-40s %6d crystals radius graph 9 Å/20 median %9.1f structures/s  (min %.1f, max %.1f)%n",
                    "", structures.size(), median(graphRates), min(graphRates), max(graphRates));
            out().flush();
        }
        return ExitCode.OK;
    }

    private static void graphBatches(List<Structure> s, int threads) {
        for (int i = 0; i < s.size(); i += 256) {
            RadiusGraph.build(s.subList(i, Math.min(s.size(), i + 256)), 9.0, 20, threads).symmetrized();
        }
    }

    private static String tail(Path f) {
        Path p = f.getParent();
        return (p.getFileName() == null ? "" : p.getFileName() + "/") + f.getFileName();
    }

    private static double min(double[] v) { return Arrays.stream(v).min().orElse(Double.NaN); }

    private static double max(double[] v) { return Arrays.stream(v).max().orElse(Double.NaN); }
}
