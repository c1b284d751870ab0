package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.autodiff.Engine;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.concdvae.model.ConCdvae;
import org.concdvae.model.LatentPrior;
import org.concdvae.model.Latent;
import org.concdvae.nn.ParameterStore;
import org.concdvae.sample.LangevinSampler;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.concdvae.cli.BenchSupport.median;
import static org.concdvae.cli.BenchSupport.officialTimings;
import static org.concdvae.cli.BenchSupport.readCrystals;
import static org.concdvae.cli.BenchSupport.writeJson;

/**
 * {@code concdvae bench sample}: generation throughput with the official model size and settings. A full run costs
 * 5000 Langevin updates per batch, so, as the official estimate (reference/timings.json, common_settings), the median
 * time of one update (graph + decoder + coordinate/type update) on batches of real crystals with random coordinates
 * is scaled by 5000/B; the prior's cost per kept crystal (DDPM over {@code --candidates-ratio} latents, 300 steps) is
 * measured and added.
 */
@Command(name = "sample", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Benchmark crystal generation (official model size, random weights): median time of one",
                "annealed-Langevin update at batch B (graph + decoder + update) x 5000 updates / B, plus the",
                "prior's DDPM sampling of the candidate latents per crystal. Prints crystals per minute next to",
                "the official one-thread CPU estimate (timings.json)."})
public class BenchSampleCommand extends BaseCommand {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data/mptest",
            description = "Crystals giving atom counts and lattices: a directory of train/val/test CSVs, or a CSV/CIF (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--batch", paramLabel = "N", split = ",", defaultValue = "64,256",
            description = "Batch sizes (crystals decoded together), comma-separated (default: ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "5", description = "Timed updates per batch size (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1", description = "Untimed updates first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--candidates-ratio", paramLabel = "R", defaultValue = "100",
            description = "Prior latents per kept crystal (Predictor filtering; default: ${DEFAULT-VALUE}).")
    int ratio;

    @Option(names = "--timings", paramLabel = "FILE", defaultValue = "../shared/reference/timings.json",
            description = "Official timings to compare with; skipped if absent (default: ${DEFAULT-VALUE}).")
    Path timings;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (name 'sample', batch, crystals_per_min, ...).")
    Path json;

    @Override
    protected int run() throws Exception {
        if (repeat < 1 || warmup < 0 || ratio < 1) throw new UserException("--repeat and --candidates-ratio must be >= 1, --warmup >= 0");
        for (int b : batches) if (b < 1) throw new UserException("--batch values must be >= 1, got " + b);
        int threads = common.threads();
        Engine.setThreads(threads);
        Config cfg = ConfigLoader.defaults(List.of());
        List<Structure> pool = readCrystals(data, cfg, threads);
        if (pool.isEmpty()) throw new UserException("no readable crystals in " + data);
        ConCdvae model = new ConCdvae(new ParameterStore(DataType.FLOAT), cfg.model());
        model.initialise(new Random(common.seed));
        LatentPrior prior = new LatentPrior(new ParameterStore(DataType.FLOAT), cfg.prior());
        prior.initialise(new Random(common.seed + 1));
        LangevinSampler sampler = new LangevinSampler(model.cdvae(), model.decoder(), cfg.gen().stepLr(), threads);
        int updates = (int) model.cdvae().sigmas().length() * cfg.gen().nStepEach();
        JsonNode official = officialTimings(timings);

        // prior: one DDPM run over 256 latents -> seconds per latent
        Map<String, double[]> fe = new HashMap<>();
        int m = 256;
        double[] v = new double[m];
        Arrays.fill(v, -2.0);
        fe.put(cfg.prior().conditionmodel().conditionEmbeddings().get(0).conditionName(), v);
        if (cfg.prior().conditionmodel().conditionEmbeddings().size() != 1) throw new IllegalStateException("default prior has one condition");
        Random r = new Random(common.seed);
        INDArray zT = Latent.standardNormal(m, prior.latentDim(), r, DataType.FLOAT);
        prior.sample(fe, zT, r).close();   // warm-up
        long p0 = System.nanoTime();
        prior.sample(fe, zT, r).close();
        double priorPerLatent = (System.nanoTime() - p0) / 1e9 / m;

        var out = out();
        out.printf("sampling throughput (official size, float32, random weights), %d threads, %d updates per crystal, prior %d candidates per crystal (%.4f s)%n",
                threads, updates, ratio, priorPerLatent * ratio);
        out.printf("%6s %6s %11s %14s %13s %16s %9s %9s%n", "batch", "atoms", "update ms", "s per crystal", "crystals/min",
                "official s/cryst", "speedup", "per core");
        ObjectMapper om = new ObjectMapper();
        ArrayNode results = om.createArrayNode();
        // As `sample` does: with T threads, T batches side by side, one thread each (lane i draws its own crystals).
        int lanes = Math.max(1, threads);
        if (lanes > 1) Engine.setThreads(1);
        ExecutorService exec = Executors.newFixedThreadPool(lanes);
        try {
            for (int b : batches) {
                Lane[] lane = new Lane[lanes];
                for (int i = 0; i < lanes; i++) lane[i] = new Lane(pool, b, new Random(i == 0 ? b : b * 1000L + i), cfg);
                double[] ms = new double[repeat];
                try (Progress p = Progress.start("bench sample batch " + b, warmup + repeat, common.quiet)) {
                    for (int k = -warmup; k < repeat; k++) {
                        long t0 = System.nanoTime();
                        List<Future<?>> f = new ArrayList<>();
                        for (Lane l : lane) f.add(exec.submit(() -> l.step(sampler)));
                        for (Future<?> x : f) x.get();
                        long t1 = System.nanoTime();
                        if (k >= 0) ms[k] = (t1 - t0) / 1e6;
                        p.step();
                    }
                }
                for (Lane l : lane) l.zCon.close();
                double med = median(ms);
                double perCrystal = med / 1e3 * updates / ((double) b * lanes) + priorPerLatent * ratio;
                double perMin = 60 / perCrystal;
                double ref = official == null ? Double.NaN : official.path("one_thread_process_cpu").path("decoder_call_bs" + b)
                        .path("est_sampling_cpu_s_per_crystal_default_gen").asDouble(Double.NaN);
                out.printf("%6d %6d %11.1f %14.2f %13.3f %16s %9s %9s%n", b, lane[0].atoms, med, perCrystal, perMin,
                        Double.isNaN(ref) ? "-" : String.format("%.1f", ref), Double.isNaN(ref) ? "-" : String.format("%.2fx", ref / perCrystal),
                        Double.isNaN(ref) ? "-" : String.format("%.2fx", ref / (perCrystal * lanes)));
                ObjectNode o = results.addObject();
                o.put("name", "sample");
                o.put("batch", b);
                o.put("atoms", lane[0].atoms);
                o.put("threads", threads);
                o.put("batches_side_by_side", lanes);
                o.put("update_median_ms", med);
                o.put("s_per_crystal", perCrystal);
                o.put("crystals_per_min", perMin);
                o.put("prior_s_per_crystal", priorPerLatent * ratio);
                if (!Double.isNaN(ref)) {
                    o.put("official_cpu_s_per_crystal", ref);
                    o.put("speedup", ref / perCrystal);
                    o.put("speedup_per_core", ref / (perCrystal * lanes));
                }
            }
        } finally {
            exec.shutdownNow();
            Engine.setThreads(threads);
        }
        out.println("s per crystal = median update time x " + updates + " / (batch x batches side by side) + prior time per crystal; "
                + "update ms = wall time of one update of " + lanes + " batch(es) side by side, one thread each");
        out.println("official = one-thread process CPU estimate (one core); speedup = official / ours with " + threads
                + " thread(s); per core = speedup / threads");
        out.flush();
        if (json != null) writeJson(results, json);
        return ExitCode.OK;
    }

    /** One batch's state in the benchmark: crystals drawn as the official timing did, random coordinates. */
    private static final class Lane {
        final int[] n;
        final Lattice[] lat;
        final int atoms;
        final INDArray zCon;
        final Random r;
        double[] frac;
        int[] types;

        Lane(List<Structure> pool, int b, Random r, Config cfg) {
            this.r = r;
            List<Structure> pick = BenchSupport.drawCrystals(pool, b, r);
            n = new int[b];
            lat = new Lattice[b];
            int total = 0;
            for (int i = 0; i < b; i++) {
                n[i] = pick.get(i).size();
                lat[i] = pick.get(i).lattice();
                total += n[i];
            }
            atoms = total;
            types = new int[total];
            frac = new double[3 * total];
            for (int i = 0, a = 0; i < b; i++) for (int j = 0; j < n[i]; j++, a++) types[a] = pick.get(i).atomicNumber(j);
            for (int i = 0; i < frac.length; i++) frac[i] = r.nextDouble();
            zCon = Latent.standardNormal(b, cfg.model().latentDim(), r, DataType.FLOAT);
        }

        void step(LangevinSampler sampler) {
            double[] normal = new double[3 * atoms];
            for (int i = 0; i < normal.length; i++) normal[i] = r.nextGaussian();
            LangevinSampler.Step s = sampler.step(zCon, 10, lat, n, frac, types, normal);
            frac = s.frac();
            types = s.types();
            s.zTime().close();
            s.coordDiff().close();
            s.typeLogits().close();
        }
    }
}
