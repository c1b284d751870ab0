package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.concdvae.analysis.CrystalNNFingerprint;
import org.concdvae.crystal.Structure;
import org.concdvae.eval.Coverage;
import org.concdvae.eval.MagpieFingerprint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.concdvae.cli.BenchSupport.median;

/**
 * {@code concdvae bench coverage}: speed of CDVAE's coverage metrics: structure (and, with the Magpie tables,
 * composition) fingerprints per structure on one thread and per second on all threads, and the distance step of
 * COV-R / COV-P for a generated × reference set of the given sizes (synthetic fingerprints: the cost does not depend
 * on their values). Optionally printed next to matminer's timings ({@code timings.json} of the coverage oracle).
 */
@Command(name = "coverage", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Benchmark CDVAE's coverage metrics:",
                "  fingerprints: median ms per structure (one thread) and structures/s on --threads;",
                "  COV-R/COV-P distance step for --generated x --reference crystals (default 10000 x 9000).",
                "With --matminer-timings, matminer's time per structure is printed beside ours.",
                "Examples:",
                "  concdvae bench coverage --input data/mp_20/test.csv --limit 300",
                "  concdvae bench coverage --input data/mp_20/test.csv \\",
                "      --matminer-timings timings.json --magpie-data magpie_elementdata"})
public class BenchCoverageCommand extends BaseCommand {
    @Option(names = "--input", paramLabel = "CSV|CIF|DIR", required = true,
            description = "Structures to fingerprint: a CSV with a cif column, a CIF file or a directory of *.cif.")
    Path input;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N structures.")
    Integer limit;

    @Option(names = "--generated", paramLabel = "N", defaultValue = "10000", description = "Generated crystals in the distance benchmark (default: ${DEFAULT-VALUE}).")
    int nGenerated;

    @Option(names = "--reference", paramLabel = "N", defaultValue = "9000", description = "Reference crystals in the distance benchmark (default: ${DEFAULT-VALUE}).")
    int nReference;

    @Option(names = "--matminer-timings", paramLabel = "JSON", description = "timings.json of the coverage oracle (matminer's times).")
    Path matminerTimings;

    @Option(names = "--magpie-data", paramLabel = "DIR",
            description = "Magpie tables directory, to time the composition fingerprint too; default: $" + MagpieFingerprint.ENV + ".")
    Path magpieData;

    @Override
    protected int run() throws Exception {
        if (nGenerated < 1 || nReference < 1) throw new UserException("--generated and --reference must be at least 1");
        List<Structure> structures = BenchSupport.readStructures(input, limit, err());
        int n = structures.size();
        MagpieFingerprint magpie = MagpieFingerprint.fromOptionOrEnvironment(magpieData);
        JsonNode ref = BenchSupport.officialTimings(matminerTimings);
        CrystalNNFingerprint cnn = new CrystalNNFingerprint();
        List<Structure> all = structures;

        // warm-up (JIT), not timed
        for (int i = 0; i < Math.min(n, 50); i++) cnn.structure(all.get(i));
        double[] structMs = new double[n], compMs = new double[n];
        long sites = 0;
        try (Progress bar = Progress.start("bench fingerprints", n, common.quiet)) {
            for (int i = 0; i < n; i++) {
                Structure s = all.get(i);
                sites += s.size();
                long t0 = System.nanoTime();
                try {
                    cnn.structure(s);
                } catch (RuntimeException ignored) {
                    // a failing crystal costs its time too, as in CDVAE
                }
                long t1 = System.nanoTime();
                if (magpie != null) magpie.featurize(s.atomicNumbers());
                long t2 = System.nanoTime();
                structMs[i] = (t1 - t0) / 1e6;
                compMs[i] = (t2 - t1) / 1e6;
                bar.step();
            }
        }
        int threads = common.threads();
        long p0 = System.nanoTime(), pc0 = BenchSupport.cpuNanos();
        ParallelMap.map(n, threads, "parallel pass", true, i -> {
            try {
                return cnn.structure(all.get(i));
            } catch (RuntimeException e) {
                return null;
            }
        });
        double parS = (System.nanoTime() - p0) / 1e9, parCpu = (BenchSupport.cpuNanos() - pc0) / 1e9;
        double structSum = 0;
        for (double v : structMs) structSum += v;

        // distance step on synthetic fingerprints of the real sizes (61 structure, 132 composition values)
        Random rnd = new Random(common.seed);
        List<Coverage.Fingerprint> gen = synthetic(nGenerated, rnd), refs = synthetic(nReference, rnd);
        long c0 = System.nanoTime(), cpu0 = BenchSupport.cpuNanos();
        Coverage.Result r = Coverage.compute(gen, refs, Coverage.Cutoffs.forDataset("mp20"), threads);
        double covS = (System.nanoTime() - c0) / 1e9, covCpu = (BenchSupport.cpuNanos() - cpu0) / 1e9;

        var out = out();
        out.printf("structures: %d from %s (%.1f sites on average)%n", n, input, sites / (double) n);
        out.printf("struct_fp (CrystalNN 'ops'), one thread: median %.2f ms/structure, mean %.2f ms, %.3f ms/site%n",
                median(structMs.clone()), structSum / n, structSum / sites);
        out.printf("struct_fp throughput: %.1f structures/s on one thread, %.1f structures/s on %d threads (%.1f CPU-s for %d)%n",
                n / (structSum / 1e3), n / parS, threads, parCpu, n);
        if (magpie != null) out.printf("comp_fp (Magpie), one thread: median %.4f ms/structure%n", median(compMs.clone()));
        else out.printf("comp_fp: not timed (no Magpie tables; --magpie-data DIR)%n");
        out.printf("coverage distance step, %d generated x %d reference: %.1f s wall on %d threads, %.1f CPU-s (COV-R %.3f on random data)%n",
                nGenerated, nReference, covS, threads, covCpu, r.covRecall());
        out.printf("coverage of %d x %d from structures, estimated: %.1f s fingerprints (%d + %d structures at %.1f/s) + %.1f s distances%n",
                nGenerated, nReference, (nGenerated + nReference) / (n / parS), nGenerated, nReference, n / parS, covS);
        if (ref != null) {
            JsonNode mp = ref.path("mp20");
            double pyMs = mp.path("struct_fp_s_per_structure_median").asDouble(Double.NaN) * 1e3;
            double pySite = mp.path("struct_fp_s_per_site").asDouble(Double.NaN) * 1e3;
            double pyComp = mp.path("comp_fp_s_per_structure_median").asDouble(Double.NaN) * 1e3;
            out.printf("matminer (%s, mp20, one process): struct_fp median %.1f ms/structure, %.1f ms/site; comp_fp median %.2f ms/structure%n",
                    matminerTimings.getFileName(), pyMs, pySite, pyComp);
            out.printf("speed-up over matminer, struct_fp per structure (median, one thread): %.0fx; %d + %d structures would take matminer ~%.0f min%n",
                    pyMs / median(structMs.clone()), nGenerated, nReference,
                    (nGenerated + nReference) * mp.path("struct_fp_s_per_structure_mean").asDouble(Double.NaN) / 60);
        }
        out.flush();
        return ExitCode.OK;
    }

    private static List<Coverage.Fingerprint> synthetic(int n, Random rnd) {
        List<Coverage.Fingerprint> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] s = new double[CrystalNNFingerprint.size()], c = new double[132];
            for (int k = 0; k < s.length; k++) s[k] = rnd.nextDouble() * 0.3;
            for (int k = 0; k < c.length; k++) c[k] = rnd.nextGaussian() * 50 + 100;
            out.add(new Coverage.Fingerprint(s, c));
        }
        return out;
    }
}
