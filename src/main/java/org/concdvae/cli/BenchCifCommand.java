package org.concdvae.cli;

import org.concdvae.crystal.CifWriter;
import org.concdvae.crystal.Structure;
import org.concdvae.io.StructureSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

import static org.concdvae.cli.BenchSupport.median;

/**
 * {@code concdvae bench cif}: crystal I/O speed on a structure input (CIF file, directory of CIFs, or CSV with a
 * {@code cif} column such as ../shared/data/perov_5/val.csv). Times whole-input reading (CSV + CIF parsing), CIF
 * writing and the exact minimum periodic distance; prints medians over the repeats (single thread).
 */
@Command(name = "cif", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchmark crystal I/O: median structures/second for reading an input (CIF, directory or CSV "
                + "with a cif column), writing CIF text, and the minimum periodic distance. Single thread.")
public class BenchCifCommand extends BaseCommand {
    @Option(names = "--input", paramLabel = "PATH", required = true,
            description = "Structures to time: " + StructureSource.INPUT_DESCRIPTION)
    Path input;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "5",
            description = "Timed passes; the median pass is reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Override
    protected int run() {
        if (repeat < 1) throw new UserException("--repeat must be at least 1");
        List<StructureSource.Entry> entries = StructureSource.read(input); // warm-up, and the structures to time
        List<Structure> structures = StructureSource.good(entries).stream().map(StructureSource.Entry::structure).toList();
        if (structures.isEmpty()) throw new UserException(input + ": no readable structure to time");
        double[] read = new double[repeat], write = new double[repeat], dist = new double[repeat];
        long sink = 0;
        try (Progress progress = Progress.start("bench cif", 3L * repeat, common.quiet)) {
            for (int rep = 0; rep < repeat; rep++) {
                long t0 = System.nanoTime();
                sink += StructureSource.read(input).size();
                long t1 = System.nanoTime();
                for (Structure s : structures) sink += CifWriter.write(s).length();
                long t2 = System.nanoTime();
                for (Structure s : structures) sink += (long) s.minimumPeriodicDistance();
                long t3 = System.nanoTime();
                read[rep] = (t1 - t0) / 1e9;
                write[rep] = (t2 - t1) / 1e9;
                dist[rep] = (t3 - t2) / 1e9;
                progress.stepBy(3);
            }
        }
        int n = structures.size();
        var out = out();
        out.printf("input: %s, %d entries (%d readable), %d passes, single thread%n", input, entries.size(), n, repeat);
        out.printf("read (parse input, all entries): median %.1f ms/pass -> %.0f structures/s%n",
                median(read) * 1e3, entries.size() / median(read));
        out.printf("write CIF text:                   median %.1f ms/pass -> %.0f structures/s%n",
                median(write) * 1e3, n / median(write));
        out.printf("minimum periodic distance:        median %.1f ms/pass -> %.0f structures/s%n",
                median(dist) * 1e3, n / median(dist));
        if (sink == Long.MIN_VALUE) out.println(); // keeps the timed work observable
        out.flush();
        return ExitCode.OK;
    }
}
