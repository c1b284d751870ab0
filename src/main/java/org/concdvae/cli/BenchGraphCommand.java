package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.NiggliReduction;
import org.concdvae.crystal.Structure;
import org.concdvae.graph.GraphMethod;
import org.concdvae.graph.GraphMethods;
import org.concdvae.io.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.concdvae.cli.BenchSupport.median;

/**
 * {@code concdvae bench graph}: speed of the encoder-graph preprocessing, Niggli reduction + lattice rebuild
 * (model.md §1) + CrystalNN or MinimumDistanceNN bonds, per structure on one thread, as pymatgen's reference timings
 * were taken; optionally printed next to those timings ({@code timings.json} of the graph oracles).
 */
@Command(name = "graph", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Benchmark the encoder graph: median time per structure (one thread) for",
                "Niggli reduction + lattice rebuild + bond graph, Niggli only and graph only,",
                "and the multi-threaded throughput. CIF parsing is not timed.",
                "With --reference, pymatgen's timings are shown next to ours."})
public class BenchGraphCommand extends BaseCommand {
    @Option(names = "--input", paramLabel = "CSV|CIF|DIR", required = true,
            description = "Structures: a CSV with a cif column (e.g. the MP-20 sample), a CIF file or a directory of *.cif.")
    Path input;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "crystalnn",
            description = "crystalnn or mindistance (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
            description = "Timed passes; a structure's time is its median over passes (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N structures.")
    Integer limit;

    @Option(names = "--reference", paramLabel = "JSON",
            description = "pymatgen timings (timings.json of the graph oracles) to print beside ours.")
    Path reference;

    @Override
    protected int run() throws Exception {
        if (repeat < 1) throw new UserException("--repeat must be at least 1");
        if (!method.equals("crystalnn") && !method.equals("mindistance")) {
            throw new UserException("--method must be crystalnn or mindistance, got '" + method + "'");
        }
        GraphMethod graph = GraphMethods.create(method, new GraphMethods.Params(7.0, 20));
        List<Structure> structures = BenchSupport.readStructures(input, limit, err());
        int n = structures.size();
        JsonNode ref = reference == null ? null : readReference();

        // warm-up pass (JIT), not timed
        for (Structure s : structures) graph.build(canonical(s));
        double[][] both = new double[n][repeat], niggli = new double[n][repeat], graphOnly = new double[n][repeat];
        try (Progress progress = Progress.start("bench graph", (long) n * repeat, common.quiet)) {
            for (int rep = 0; rep < repeat; rep++) {
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    Structure c = canonical(structures.get(i));
                    long t1 = System.nanoTime();
                    graph.build(c);
                    long t2 = System.nanoTime();
                    both[i][rep] = (t2 - t0) / 1e6;
                    niggli[i][rep] = (t1 - t0) / 1e6;
                    graphOnly[i][rep] = (t2 - t1) / 1e6;
                    progress.step();
                }
            }
        }
        double[] perBoth = medians(both), perNiggli = medians(niggli), perGraph = medians(graphOnly);
        int threads = common.threads();
        List<Structure> all = structures;
        long p0 = System.nanoTime();
        ParallelMap.map(n, threads, "parallel pass", true, i -> graph.build(canonical(all.get(i))));
        double par = (System.nanoTime() - p0) / 1e9;

        var out = out();
        out.printf("structures: %d from %s, method %s, %d timed passes, single thread%n", n, input, method, repeat);
        out.printf("%-22s %10s %10s %10s %12s%n", "", "median ms", "mean ms", "p90 ms", "structures/s");
        row("niggli + graph", perBoth);
        row("graph only", perGraph);
        row("niggli only", perNiggli);
        out.printf("throughput (niggli + graph): %.1f structures/s single thread, %.1f structures/s on %d threads%n",
                n / (Arrays.stream(perBoth).sum() / 1e3), n / par, threads);
        if (ref != null) {
            String key = method.equals("crystalnn") ? "crystalnn" : "mindist";
            JsonNode r = ref.path(key);
            JsonNode rb = r.path("niggli_plus_graph"), rg = r.path("graph_only");
            JsonNode rn = ref.path("niggli_only_including_lattice_rebuild");
            out.printf("pymatgen 2022.11.7 (%s, n=%d, one thread): niggli + graph median %.2f ms, mean %.2f ms"
                            + " (%.1f structures/s); graph only median %.2f ms; niggli only median %.3f ms%n",
                    reference.getFileName(), rb.path("n").asInt(), num(rb, "median_ms"), num(rb, "mean_ms"),
                    num(rb, "structures_per_second_throughput"), num(rg, "median_ms"), num(rn, "median_ms"));
            out.printf("speed-up over pymatgen, niggli + graph: %.0fx (median), %.0fx (mean); graph only: %.0fx (median)%n",
                    num(rb, "median_ms") / median(perBoth), num(rb, "mean_ms") / Arrays.stream(perBoth).average().orElse(1),
                    num(rg, "median_ms") / median(perGraph));
        }
        out.flush();
        return ExitCode.OK;
    }

    /** model.md §1 steps 1–2 as the official preprocessing runs them: Niggli, then rebuild from the parameters. */
    private static Structure canonical(Structure s) {
        Structure r = NiggliReduction.reducedStructure(s);
        double[] p = r.lattice().parameters();
        return r.withLatticeKeepingFractional(Lattice.fromParameters(p[0], p[1], p[2], p[3], p[4], p[5]));
    }

    private static double num(JsonNode n, String key) { return n.path(key).asDouble(Double.NaN); }

    private JsonNode readReference() {
        try {
            return new ObjectMapper().readTree(reference.toFile());
        } catch (IOException e) {
            throw new InvalidInputException("cannot read --reference " + reference + ": " + e.getMessage(), e);
        }
    }

    private void row(String name, double[] perStructure) {
        double[] s = perStructure.clone();
        Arrays.sort(s);
        double med = median(s), mean = Arrays.stream(s).average().orElse(Double.NaN);
        double p90 = s[Math.min(s.length - 1, (int) Math.ceil(0.9 * s.length) - 1)];
        out().printf("%-22s %10.3f %10.3f %10.3f %12.1f%n", name, med, mean, p90, 1e3 / med);
    }

    private static double[] medians(double[][] t) {
        double[] m = new double[t.length];
        for (int i = 0; i < t.length; i++) m[i] = median(t[i]);
        return m;
    }
}
