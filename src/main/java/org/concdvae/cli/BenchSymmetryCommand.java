package org.concdvae.cli;

import org.concdvae.analysis.symmetry.SpacegroupAnalyzer;
import org.concdvae.crystal.Structure;
import org.concdvae.io.StructureSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.concdvae.cli.BenchSupport.median;

/**
 * {@code concdvae bench symmetry}: SpacegroupAnalyzer speed on a set of structures (e.g. the oracle file
 * oracles/symmetry.csv). Prints the median time per structure (single thread, median over passes) and the
 * multi-threaded throughput. Reading the input is not timed.
 */
@Command(name = "symmetry", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchmark the symmetry finder: median structures/second of SpacegroupAnalyzer (space group, "
                + "operations, standard cells) on a CIF file, directory or CSV with a 'cif' column, such as the project's "
                + "oracle file oracles/symmetry.csv. Reading is not timed.")
public class BenchSymmetryCommand extends BaseCommand {
    @Option(names = "--input", paramLabel = "CIF|DIR|CSV", required = true,
            description = "Structures to analyse (CIF file, directory of *.cif, or CSV with a 'cif' column).")
    Path input;

    @Option(names = "--symprec", paramLabel = "ANGSTROM", split = ",", defaultValue = "0.01,0.1,0.2",
            description = "Distance tolerance(s) in Å, comma-separated (default: ${DEFAULT-VALUE}).")
    double[] symprecs;

    @Option(names = "--angle-tolerance", paramLabel = "DEGREES", defaultValue = "5",
            description = "Angle tolerance in degrees (default: ${DEFAULT-VALUE}).")
    double angleTolerance;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
            description = "Timed passes; each structure's time is the median over passes (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N structures.")
    Integer limit;

    @Override
    protected int run() throws Exception {
        if (repeat < 1) throw new UserException("--repeat must be at least 1");
        for (double s : symprecs) if (!(s > 0)) throw new UserException("--symprec values must be positive");
        List<Structure> structs = StructureSource.good(StructureSource.read(input)).stream()
                .map(StructureSource.Entry::structure).toList();
        if (limit != null) {
            if (limit < 1) throw new UserException("--limit must be at least 1");
            structs = structs.subList(0, Math.min(limit, structs.size()));
        }
        if (structs.isEmpty()) throw new UserException("no readable structures in " + input);
        int n = structs.size();
        var out = out();
        out.printf("structures: %d, angle tolerance %s°, single-thread medians over %d passes%n", n, angleTolerance, repeat);
        for (double symprec : symprecs) {
            for (Structure s : structs) analyse(s, symprec); // warm-up (JIT), not timed
            double[][] times = new double[n][repeat];
            try (Progress progress = Progress.start("bench symmetry " + symprec, (long) n * repeat, common.quiet)) {
                for (int rep = 0; rep < repeat; rep++) {
                    for (int i = 0; i < n; i++) {
                        long t0 = System.nanoTime();
                        analyse(structs.get(i), symprec);
                        times[i][rep] = (System.nanoTime() - t0) / 1e9;
                        progress.step();
                    }
                }
            }
            double[] per = new double[n];
            for (int i = 0; i < n; i++) per[i] = median(times[i]);
            double med = median(per);
            double total = Arrays.stream(per).sum();
            int threads = common.threads();
            List<Structure> all = structs;
            long t0 = System.nanoTime();
            ParallelMap.map(n, threads, "parallel pass", true, i -> analyse(all.get(i), symprec));
            double par = (System.nanoTime() - t0) / 1e9;
            out.printf("symprec %s: median %.3f ms -> %.0f structures/s; throughput %.0f structures/s single thread, %.0f on %d threads%n",
                    symprec, med * 1e3, 1 / med, n / total, n / par, threads);
            out.flush();
        }
        return ExitCode.OK;
    }

    private int analyse(Structure s, double symprec) {
        try {
            return new SpacegroupAnalyzer(s, symprec, angleTolerance).getSpaceGroupNumber();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
