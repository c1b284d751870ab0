package org.concdvae.cli;

import org.concdvae.analysis.StructureMatcher;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Structure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.concdvae.cli.BenchSupport.median;

/**
 * {@code concdvae bench match}: StructureMatcher speed on a pairs CSV (e.g. ../shared/oracles/matcher.csv). One pair =
 * {@code fit(a, b)} plus {@code get_rms_dist(a, b)} from the parsed structures, each call reducing both structures as
 * pymatgen's calls do. Prints the median over pairs (single thread) and the multi-threaded throughput.
 */
@Command(name = "match", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Benchmark StructureMatcher: median pairs/second of fit + get_rms_dist",
                "on a pairs CSV (id_a,cif_a,id_b,cif_b, e.g. oracles/matcher.csv).",
                "CIF parsing is not timed."})
public class BenchMatchCommand extends BaseCommand {
    @Option(names = "--pairs", paramLabel = "CSV", required = true,
            description = "Pairs CSV with columns id_a,cif_a,id_b,cif_b.")
    Path pairs;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
            description = "Timed passes over all pairs; per-pair times are the median over passes (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N pairs.")
    Integer limit;

    @Override
    protected int run() throws Exception {
        if (repeat < 1) throw new UserException("--repeat must be at least 1");
        List<PairsCsv.PairRow> rows = PairsCsv.read(pairs);
        if (limit != null) {
            if (limit < 1) throw new UserException("--limit must be at least 1");
            rows = rows.subList(0, Math.min(limit, rows.size()));
        }
        List<Structure[]> structs = new ArrayList<>();
        for (PairsCsv.PairRow r : rows) {
            String where = pairs.getFileName() + " row " + r.line();
            structs.add(new Structure[]{CifReader.readOne(r.cifA(), where), CifReader.readOne(r.cifB(), where)});
        }
        StructureMatcher m = new StructureMatcher();
        int n = structs.size();
        // warm-up pass (JIT), not timed
        for (Structure[] p : structs) { m.fit(p[0], p[1]); m.getRmsDist(p[0], p[1]); }
        double[][] times = new double[n][repeat];
        double[] fitTimes = new double[n];
        try (Progress progress = Progress.start("bench match", (long) n * repeat, common.quiet)) {
            for (int rep = 0; rep < repeat; rep++) {
                for (int i = 0; i < n; i++) {
                    Structure[] p = structs.get(i);
                    long t0 = System.nanoTime();
                    m.fit(p[0], p[1]);
                    long t1 = System.nanoTime();
                    m.getRmsDist(p[0], p[1]);
                    long t2 = System.nanoTime();
                    times[i][rep] = (t2 - t0) / 1e9;
                    if (rep == 0) fitTimes[i] = (t1 - t0) / 1e9;
                    progress.step();
                }
            }
        }
        double[] perPair = new double[n];
        for (int i = 0; i < n; i++) perPair[i] = median(times[i]);
        double med = median(perPair);
        double total = Arrays.stream(perPair).sum();
        int threads = common.threads();
        long t0 = System.nanoTime();
        List<Structure[]> all = structs;
        ParallelMap.map(n, threads, "parallel pass", true, i -> {
            m.fit(all.get(i)[0], all.get(i)[1]);
            return m.getRmsDist(all.get(i)[0], all.get(i)[1]);
        });
        double par = (System.nanoTime() - t0) / 1e9;
        var out = out();
        out.printf("pairs: %d (fit + get_rms_dist, default tolerances, structures reduced in every call)%n", n);
        out.printf("median per pair: %.3f ms -> %.1f pairs/s (single thread)%n", med * 1e3, 1 / med);
        out.printf("median fit only: %.3f ms%n", median(fitTimes) * 1e3);
        out.printf("throughput: %.1f pairs/s single thread, %.1f pairs/s on %d threads%n", n / total, n / par, threads);
        out.flush();
        return ExitCode.OK;
    }
}
