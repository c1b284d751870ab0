package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.concdvae.autodiff.Engine;
import org.concdvae.autodiff.Tape;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.crystal.Structure;
import org.concdvae.model.GemNetDecoder;
import org.concdvae.model.Probe;
import org.concdvae.nn.GemNetGraph;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.concdvae.cli.BenchSupport.cpuNanos;
import static org.concdvae.cli.BenchSupport.median;
import static org.concdvae.cli.BenchSupport.officialTimings;
import static org.concdvae.cli.BenchSupport.peakRssMiB;
import static org.concdvae.cli.BenchSupport.readCrystals;

/**
 * {@code concdvae bench decoder}: one GemNet-T decoder call as in Langevin sampling (graph on the fly + forward, no
 * gradients), float32, on batches of mptest crystals with uniform random fractional coordinates (the official timing's
 * setting, reference/timings.json), next to the official single-thread CPU time.
 */
@Command(name = "decoder", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Benchmark one GemNet-T decoder call of Langevin sampling: radius graph, triplets, bases and forward pass, no gradients, float32, on batches of real crystals with random fractional coordinates (the official timing's setting).",
                "Prints the median wall time, the median process CPU time and the peak RSS per batch size, and the ratio to the official time when a timings.json is available: with --threads 1 against the official one-thread CPU time (the like-for-like number), otherwise against the official 2-thread wall time."})
public class BenchDecoderCommand extends BaseCommand {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data/mptest",
            description = "Crystals: a directory with train/val/test CSVs (cif column) or CIFs, or one CSV/CIF file (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--config", paramLabel = "FILE|PRESET", defaultValue = "mp20",
            description = "Model config whose decoder is timed (randomly initialised): a YAML file or a preset (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. --set model.decoder.hidden_dim=64 (repeatable).")
    List<String> sets = new java.util.ArrayList<>();

    @Option(names = "--batch", paramLabel = "N", split = ",", defaultValue = "64,256",
            description = "Batch sizes (crystals per call), comma-separated (default: ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "10",
            description = "Timed calls per batch size (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2",
            description = "Untimed calls before timing (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--timings", paramLabel = "FILE", defaultValue = "../shared/reference/timings.json",
            description = "The official timings.json to compare with; skipped if absent (default: ${DEFAULT-VALUE}).")
    Path timings;

    @Override
    protected int run() throws Exception {
        if (repeat < 1 || warmup < 0) throw new UserException("--repeat must be >= 1 and --warmup >= 0");
        for (int b : batches) if (b < 1) throw new UserException("--batch values must be >= 1, got " + b);
        int threads = common.threads();
        Engine.setThreads(threads);
        Config cfg = ConfigLoader.resolve(config, sets);
        List<Structure> pool = readCrystals(data, cfg, threads);
        if (pool.isEmpty()) throw new UserException("no readable crystals in " + data);

        ParameterStore store = new ParameterStore(DataType.FLOAT);
        GemNetDecoder dec = new GemNetDecoder(store, cfg.model().decoder());
        dec.initialise(new Random(common.seed));
        int latent = cfg.model().decoder().latentDim() + cfg.model().decoder().timeEmbDim();
        JsonNode official = officialTimings(timings);

        var out = out();
        out.printf("decoder call (graph + forward, no grad, float32), config %s, %d crystals from %s, %d threads, %d timed calls after %d warm-up%n",
                config, pool.size(), data, threads, repeat, warmup);
        out.printf("%6s %6s %7s %9s %11s %11s %10s %12s %7s%n", "batch", "atoms", "edges", "triplets", "wall ms", "cpu ms",
                "RSS MiB", "official ms", "ratio");
        for (int b : batches) {
            Batch batch = batch(pool, b, new Random(b));
            INDArray zTime = Nd4j.randn(new Random(common.seed).nextLong(), new long[]{b, latent}).castTo(DataType.FLOAT);
            double[] wall = new double[repeat], cpu = new double[repeat];
            int[] sizes = new int[3];
            try (Progress p = Progress.start("bench decoder batch " + b, warmup + repeat, common.quiet)) {
                for (int r = -warmup; r < repeat; r++) {
                    long c0 = cpuNanos(), t0 = System.nanoTime();
                    try (GemNetGraph g = dec.graph(batch.lattices, batch.cart, batch.numAtoms, DataType.FLOAT, threads);
                         Tape t = Tape.inference()) {
                        GemNetDecoder.Output o = dec.forward(t, g, t.constant(zTime), batch.types, Probe.NONE);
                        o.coordDiff().value().getDouble(0);
                        sizes[0] = g.numAtoms();
                        sizes[1] = g.numEdges();
                        sizes[2] = g.numTriplets();
                    }
                    long t1 = System.nanoTime(), c1 = cpuNanos();
                    if (r >= 0) {
                        wall[r] = (t1 - t0) / 1e6;
                        cpu[r] = (c1 - c0) / 1e6;
                    }
                    p.step();
                }
            }
            zTime.close();
            double med = median(wall), medCpu = median(cpu);
            double refCpu = official == null ? Double.NaN
                    : official.path("one_thread_process_cpu").path("decoder_call_bs" + b).path("median_process_cpu_s").asDouble(Double.NaN) * 1e3;
            double refWall = official == null ? Double.NaN
                    : official.path("two_threads_wall_run2_lower_load").path("decoder_call").path("results").path("bs" + b).path("median_s").asDouble(Double.NaN) * 1e3;
            // like for like: one thread -> our process CPU vs the official one-thread CPU; several -> wall vs the official 2-thread wall
            double ours = threads == 1 ? medCpu : med, ref = threads == 1 ? refCpu : refWall;
            out.printf("%6d %6d %7d %9d %11.1f %11.1f %10.0f %12s %7s%n", b, sizes[0], sizes[1], sizes[2], med, medCpu,
                    peakRssMiB(), Double.isNaN(ref) ? "-" : String.format("%.0f", ref),
                    Double.isNaN(ref) ? "-" : String.format("%.2f", ours / ref));
        }
        out.printf("ratio = %s (target <= 0.5); RSS = peak resident set so far%n", threads == 1
                ? "our median process CPU time / official one-thread process CPU time"
                : "our median wall time / official 2-thread wall time (run at load ~2.7; on a loaded machine wall times are inflated)");
        out.flush();
        return ExitCode.OK;
    }

    private record Batch(double[] lattices, double[] cart, int[] numAtoms, int[] types) {}

    /** {@code b} crystals drawn from the pool (without replacement while possible), uniform random fractional coordinates. */
    private static Batch batch(List<Structure> pool, int b, Random r) {
        List<Structure> pick = BenchSupport.drawCrystals(pool, b, r);
        int[] numAtoms = new int[b];
        int n = 0;
        for (int i = 0; i < b; i++) n += numAtoms[i] = pick.get(i).size();
        double[] lat = new double[9 * b], cart = new double[3 * n];
        int[] types = new int[n];
        for (int i = 0, a = 0; i < b; i++) {
            Structure s = pick.get(i);
            double[][] m = s.lattice().matrix();
            for (int k = 0; k < 3; k++) System.arraycopy(m[k], 0, lat, 9 * i + 3 * k, 3);
            for (int j = 0; j < s.size(); j++, a++) {
                types[a] = s.atomicNumber(j);
                double[] f = {r.nextDouble(), r.nextDouble(), r.nextDouble()};
                System.arraycopy(s.lattice().toCartesian(f), 0, cart, 3 * a, 3);
            }
        }
        return new Batch(lat, cart, numAtoms, types);
    }
}
