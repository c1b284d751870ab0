package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.config.Config;
import org.concdvae.data.Preprocessor;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.StructureSource;
import org.concdvae.crystal.Structure;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Helpers shared by the {@code concdvae bench ...} subcommands: medians, process CPU time, RSS, inputs, JSON output. */
final class BenchSupport {
    private BenchSupport() {}

    /** Median of the values (mean of the two middle ones for an even count); the input is not modified. */
    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int k = s.length / 2;
        return s.length % 2 == 1 ? s[k] : (s[k - 1] + s[k]) / 2;
    }

    /** CPU time of the whole process (all threads, native included), 0 where the JVM does not report it: robust to other load on the machine. */
    static long cpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
    }

    /** Current resident set size (VmRSS) in KiB, or -1 where /proc is not available. */
    static long rssKb() { return procStatusKb("VmRSS:"); }

    /** Peak resident set size (VmHWM) in KiB, or -1 where /proc is not available. */
    static long peakRssKb() { return procStatusKb("VmHWM:"); }

    /** Peak resident set size (VmHWM) in MiB, or NaN where /proc is not available. */
    static double peakRssMiB() {
        long kb = peakRssKb();
        return kb < 0 ? Double.NaN : kb / 1024.0;
    }

    private static long procStatusKb(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith(key)) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            return -1; // not Linux
        }
        return -1;
    }

    /** The official timings.json (reference/timings.json), or null when the file is absent or unreadable (comparison skipped). */
    static JsonNode officialTimings(Path timings) {
        if (timings == null || !Files.isRegularFile(timings)) return null;
        try {
            return new ObjectMapper().readTree(timings.toFile());
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * The crystals of a data set (train, val, test CSVs of a directory, in that order; otherwise the one CSV/CIF file),
     * canonicalised as in preprocessing.
     */
    static List<Structure> readCrystals(Path data, Config cfg, int threads) {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(data)) {
            for (String split : new String[]{"train.csv", "val.csv", "test.csv"}) if (Files.isRegularFile(data.resolve(split))) files.add(data.resolve(split));
        }
        if (files.isEmpty()) files.add(data);
        Preprocessor pre = new Preprocessor(cfg, threads, false);
        List<Structure> out = new ArrayList<>();
        for (Path f : files) {
            for (StructureSource.Entry e : StructureSource.good(StructureSource.read(f))) out.add(pre.canonical(e.structure()));
        }
        return out;
    }

    /** Writes the results (a JSON list) pretty-printed with a final newline, atomically. */
    /**
     * {@code b} crystals of the pool as the official timings drew them: a seeded shuffle, without replacement while the
     * pool lasts, then uniform draws with replacement.
     */
    static List<Structure> drawCrystals(List<Structure> pool, int b, java.util.Random r) {
        List<Integer> order = new java.util.ArrayList<>();
        for (int i = 0; i < pool.size(); i++) order.add(i);
        java.util.Collections.shuffle(order, r);
        List<Structure> pick = new java.util.ArrayList<>(b);
        for (int i = 0; i < b; i++) pick.add(pool.get(i < order.size() ? order.get(i) : r.nextInt(pool.size())));
        return pick;
    }

    /** The readable structures of {@code input} (a warning line for each unreadable one), the first {@code limit} if given. */
    static List<Structure> readStructures(Path input, Integer limit, java.io.PrintWriter err) {
        if (limit != null && limit < 1) throw new UserException("--limit must be at least 1");
        List<Structure> structures = new ArrayList<>();
        for (StructureSource.Entry e : StructureSource.read(input)) {
            if (e.ok()) structures.add(e.structure());
            else err.println("warning: skipped " + e.id() + ": " + e.error());
        }
        if (limit != null) structures = structures.subList(0, Math.min(limit, structures.size()));
        if (structures.isEmpty()) throw new UserException("no readable structures in " + input);
        return structures;
    }

    static void writeJson(JsonNode results, Path file) throws IOException {
        AtomicFiles.writeString(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
    }
}
