package org.concdvae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.autodiff.Engine;
import org.concdvae.autodiff.Tape;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.data.CrystalRecord;
import org.concdvae.model.ConCdvae;
import org.concdvae.nn.AdamOptimizer;
import org.concdvae.nn.ParameterStore;
import org.concdvae.train.Batches;
import org.concdvae.train.Step1Trainer;
import org.concdvae.train.TrainingData;
import org.concdvae.util.NumpyRandomState;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.concdvae.cli.BenchSupport.cpuNanos;
import static org.concdvae.cli.BenchSupport.median;
import static org.concdvae.cli.BenchSupport.peakRssKb;
import static org.concdvae.cli.BenchSupport.rssKb;
import static org.concdvae.cli.BenchSupport.writeJson;

/**
 * {@code concdvae bench train-step1}: median time of one step-one training step (batch collation with the encoder
 * triplets and bases, forward with every loss, backward, clipping and Adam) at the official model sizes on real
 * crystals, with the process CPU time per step (comparable with the reference's one-thread CPU time when run with
 * {@code --threads 1}) and the resident memory over the steps (flat when arrays are released).
 */
@Command(name = "train-step1", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Benchmark one step-one training step (collate + forward + losses + backward + clip + Adam) at the",
                "official mp20 model sizes on real crystals; prints median wall and CPU ms per step, peak RSS, RSS over the",
                "steps, and the ratio to the official PyTorch one-thread CPU time (reference/timings.json).",
                "With --replicas R1,R2,...: times the trainer's own data-parallel step, R replicas on R x --threads-per-replica",
                "threads (the batch split evenly), on the crystals of the official protocol (data/mptest train+val+test, numpy",
                "RandomState(B).choice(69, B, replace=B>69)); the layouts take turns over --rounds rounds after a warm-up, and it",
                "prints crystals per second and the speed-up over the first layout (the median of the rounds' ratios). With one",
                "thread per replica it also times R separate trainers side by side on the R micro-batches (independent",
                "trainings: what the cores give R busy threads), and compares the data-parallel layout with them.",
                "Under mpirun/srun, every rank runs R replicas on its slice of the batch (docs/distributed.md)."})
public class BenchTrainStep1Command extends BaseCommand {
    @Override
    protected boolean runsUnderMpi() { return true; }

    /** Official one-thread process CPU seconds per training step on mptest crystals (reference/timings.json). */
    static final double OFFICIAL_BS32_S = 1.694055645999999, OFFICIAL_BS64_S = 3.275045056500005;

    @Option(names = "--data", paramLabel = "DIR|CSV", required = true,
            description = "Crystals: a preprocess output directory, a directory with train.csv/val.csv (e.g. data/mptest), or a CSV.")
    Path data;

    @Option(names = "--config", paramLabel = "FILE|PRESET", defaultValue = "mptest",
            description = "Model/data config (default: ${DEFAULT-VALUE}: official model sizes, MinimumDistanceNN graphs).")
    String config;

    @Option(names = "--batch", paramLabel = "N", split = ",", defaultValue = "32,64",
            description = "Batch sizes, comma-separated (default: ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "5",
            description = "Timed steps per batch size after the warm-up steps (default: ${DEFAULT-VALUE}); use many to watch RSS.")
    int steps;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Untimed steps first (default: 3; with --replicas 10 per layout): the JIT compiles the Java kernels "
                    + "during a run's first steps, which would count as process CPU time.")
    Integer warmupSteps;
    int warmup;

    @Option(names = "--no-teacher-forcing",
            description = "Time steps without teacher forcing (official epochs > teacher_forcing_max_epoch): the noise and the "
                    + "decoder use the predicted lattice, whose radius graph differs from the true one's.")
    boolean noTeacherForcing;

    @Option(names = "--replicas", paramLabel = "R", split = ",",
            description = "Data-parallel mode: replica counts to compare, e.g. 1,2 (each must divide every --batch size).")
    int[] replicas;

    @Option(names = "--threads-per-replica", paramLabel = "K", defaultValue = "1",
            description = "With --replicas: R replicas run on R x K threads (default: ${DEFAULT-VALUE}), so the speed-up is the "
                    + "scaling over cores; one replica on the largest layout's threads is timed too (intra-op threading).")
    int threadsPerReplica;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "With --replicas: rounds in which every layout times --steps steps in turn (default: ${DEFAULT-VALUE}); "
                    + "the speed-up is the median of the rounds' ratios, so drift of the machine's speed cancels.")
    int rounds;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as a JSON list (name, batch, median_ms, cpu_ms, rss_mb, ...).")
    Path json;

    @Override
    protected int run() throws IOException {
        warmup = warmupSteps != null ? warmupSteps : replicas != null ? 10 : 3;
        if (steps < 1 || warmup < 0) throw new UserException("--steps must be at least 1 and --warmup at least 0");
        for (int b : batches) if (b < 2) throw new UserException("--batch sizes must be at least 2");
        if (replicas == null) {
            for (String option : List.of("--rounds", "--threads-per-replica")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) throw new UserException(option + " applies only with --replicas");
            }
        }
        if (replicas != null) {
            for (int r : replicas) if (r < 1) throw new UserException("--replicas must be at least 1, got " + r);
            if (common.threads != null) {
                throw new UserException("--threads does not apply with --replicas: R replicas run on R x --threads-per-replica threads");
            }
            if (threadsPerReplica < 1) throw new UserException("--threads-per-replica must be at least 1, got " + threadsPerReplica);
            if (rounds < 1) throw new UserException("--rounds must be at least 1, got " + rounds);
        }
        Config cfg = ConfigLoader.resolve(config, List.of());
        int threads = common.threads();
        Engine.setThreads(threads);
        TrainingData d = TrainingData.load(data, cfg, common.seed, threads);
        if (replicas != null) return replicaScaling(cfg, d);
        List<CrystalRecord> pool = new ArrayList<>(d.train());
        pool.addAll(d.val());
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        ConCdvae model = new ConCdvae(store, cfg.model());
        model.initialise(new Random(common.seed));
        AdamOptimizer adam = new AdamOptimizer(store, 1e-3, 0.9, 0.999, 1e-8, 0.5);
        List<String> needed = Batches.neededProperties(model);
        PrintableOut o = new PrintableOut();
        o.line("train-step1: %d crystals available, %,d parameters, %d thread(s), %d timed steps after %d warm-up, teacher forcing %s",
                pool.size(), store.trainableCount(), threads, steps, warmup, noTeacherForcing ? "off" : "on");
        ObjectMapper m = new ObjectMapper();
        ArrayNode results = m.createArrayNode();
        Random pick = new Random(common.seed);
        for (int bs : batches) {
            double[] wall = new double[steps], cpu = new double[steps];
            long[] rss = new long[steps];
            int atoms = 0;
            try (Progress bar = Progress.start("bench train-step1 bs" + bs, steps + warmup, common.quiet)) {
                for (int s = -warmup; s < steps; s++) {
                    List<CrystalRecord> batch = draw(pool, bs, pick);
                    long c0 = cpuNanos(), t0 = System.nanoTime();
                    ConCdvae.Batch b = Batches.collate(batch, d.propertyNames(), needed, model, threads);
                    try (Tape t = Tape.training()) {
                        ConCdvae.Output out = model.forward(t, b, !noTeacherForcing, new Random(s + 1000L * bs), ConCdvae.Draws.NONE,
                                d.scaler().means(), d.scaler().stds(), threads);
                        t.backward(out.trainLoss());
                        adam.step();
                    } finally {
                        b.encoderGraph().close();
                    }
                    long t1 = System.nanoTime(), c1 = cpuNanos();
                    if (s >= 0) {
                        wall[s] = (t1 - t0) / 1e6;
                        cpu[s] = (c1 - c0) / 1e6;
                        rss[s] = rssKb();
                        atoms = b.atoms();
                    }
                    bar.step();
                }
            }
            double medWall = median(wall), medCpu = median(cpu);
            double official = bs == 32 ? OFFICIAL_BS32_S : bs == 64 ? OFFICIAL_BS64_S : Double.NaN;
            o.line("batch %d (%d atoms in the last batch): median %.0f ms wall, %.0f ms CPU per step; RSS first/middle/last "
                            + "%.0f / %.0f / %.0f MB, peak %.0f MB", bs, atoms, medWall, medCpu, rss[0] / 1024.0,
                    rss[steps / 2] / 1024.0, rss[steps - 1] / 1024.0, peakRssKb() / 1024.0);
            if (!Double.isNaN(official)) {
                o.line("  official PyTorch, one thread: %.0f ms CPU per step -> ratio ours/official: wall %.2f, CPU %.2f (target <= 0.5)",
                        official * 1e3, medWall / (official * 1e3), medCpu / (official * 1e3));
            }
            ObjectNode r = results.addObject();
            r.put("name", "train_step");
            r.put("batch", bs);
            r.put("threads", threads);
            r.put("teacher_forcing", !noTeacherForcing);
            r.put("median_ms", medWall);
            r.put("cpu_ms", medCpu);
            r.put("rss_mb", peakRssKb() / 1024.0);
            r.put("rss_first_mb", rss[0] / 1024.0);
            r.put("rss_last_mb", rss[steps - 1] / 1024.0);
            r.put("steps", steps);
            ArrayNode perStep = r.putArray("rss_per_step_mb");
            for (long kb : rss) perStep.add(Math.round(kb / 1024.0));
            if (!Double.isNaN(official)) {
                r.put("official_cpu_ms_one_thread", official * 1e3);
                r.put("ratio_wall", medWall / (official * 1e3));
                r.put("ratio_cpu", medCpu / (official * 1e3));
            }
        }
        if (json != null) writeJson(results, json);
        return ExitCode.OK;
    }

    /**
     * One layout of the data-parallel benchmark: replicas in this process and the threads they share; or, when
     * {@code separate}, as many separate trainers side by side, one replica and one thread each.
     */
    private record Layout(int replicas, int threads, boolean separate) {
        Layout(int replicas, int threads) { this(replicas, threads, false); }

        String label() {
            if (separate) return replicas + " separate trainers, " + threads + " threads";
            return replicas + " replica" + (replicas == 1 ? "" : "s") + ", " + threads + " thread" + (threads == 1 ? "" : "s");
        }
    }

    /**
     * The data-parallel benchmark. For each batch size B: the official protocol's crystals (train + val + test of the
     * data directory in file order, {@code RandomState(B).choice(n, B, replace=B>n)}); the layouts R replicas on
     * R × {@code --threads-per-replica} threads for each R, and (for comparison with intra-op threading) one replica on
     * as many threads as the largest R has; first an untimed warm-up of every layout (the JIT compiles the kernels during
     * a run's first minute, and a second replica's thread would pay for that compilation on the cores it shares), then
     * {@code --rounds} rounds in which every layout times {@code --steps} steps in turn. Each block is a fresh trainer
     * with the same seed, so every layout repeats the same steps in every round; interleaving the layouts puts the
     * machine's drift (other virtual machines on the host) on all of them alike, and the speed-up is taken per round.
     */
    private int replicaScaling(Config cfg, TrainingData d) throws IOException {
        List<Layout> layouts = new ArrayList<>();
        for (int r : replicas) if (!layouts.contains(new Layout(r, r * threadsPerReplica))) layouts.add(new Layout(r, r * threadsPerReplica));
        // one replica on the threads of the largest layout: what intra-op threading alone gives on the same cores
        int most = java.util.Arrays.stream(replicas).max().orElse(1);
        Layout intraOp = most > 1 && !layouts.contains(new Layout(1, most * threadsPerReplica)) ? new Layout(1, most * threadsPerReplica) : null;
        if (intraOp != null) layouts.add(intraOp);
        Layout base = layouts.get(0);
        List<CrystalRecord> pool = new ArrayList<>(d.train());
        pool.addAll(d.val());
        Path test = java.nio.file.Files.isDirectory(data) ? data.resolve(cfg.data().splits().test()) : null;
        if (test != null && java.nio.file.Files.isRegularFile(test)) {
            pool.addAll(new org.concdvae.data.Preprocessor(cfg, Engine.threads(), false).process(test, i -> {}).kept());
        }
        PrintableOut o = new PrintableOut();
        // Under mpirun/srun every rank runs its replicas on its slice of each global batch (ranks x replicas in all).
        org.concdvae.dist.Collective job = joinJob();
        // what the cores give the largest layout's replicas as separate trainings side by side, with nothing to
        // exchange (in one process: under MPI each rank's replicas would wait for the other ranks anyway; with several
        // threads per replica the trainers would share the engine's worker threads)
        Layout separate = most > 1 && threadsPerReplica == 1 && job.size() == 1 ? new Layout(most, most, true) : null;
        if (separate != null) layouts.add(separate);
        o.line("train-step1 data-parallel: %d crystals (train+val+test), layouts %s%s; %d warm-up steps each, then %d round%s of %d timed steps each",
                pool.size(), layouts.stream().map(Layout::label).toList(), job.size() > 1 ? " per rank x " + job.size() + " ranks (" + job.library() + ")" : "",
                warmup, rounds, rounds == 1 ? "" : "s", steps);
        ArrayNode results = new ObjectMapper().createArrayNode();
        for (int bs : batches) {
            for (int r : replicas) {
                if (bs % (r * job.size()) != 0 || bs / (r * job.size()) < 2) {
                    throw new UserException("--batch " + bs + " does not split into micro-batches of at least 2 over " + r * job.size() + " replicas");
                }
            }
            List<CrystalRecord> batch = new ArrayList<>();
            for (int i : new NumpyRandomState(bs).choice(pool.size(), bs, bs > pool.size())) batch.add(pool.get(i));
            int n = layouts.size();
            double[][] wall = new double[n][rounds * steps], cpu = new double[n][rounds * steps], critical = new double[n][rounds * steps];
            double[][] roundWall = new double[n][rounds];
            long[][] replicaCpu = new long[n][];
            try (Progress bar = Progress.start("bench train-step1 bs" + bs, n * (warmup + rounds * (1 + steps)), common.quiet)) {
                for (Layout l : layouts) block(cfg, d, job, l, batch, warmup, 0, bar);
                for (int round = 0; round < rounds; round++) {
                    for (int i = 0; i < n; i++) {
                        // one untimed step first: a fresh trainer allocates its Adam moments and gradient buffers then
                        BlockTimes t = block(cfg, d, job, layouts.get(i), batch, 1, steps, bar);
                        System.arraycopy(t.wall(), 0, wall[i], round * steps, steps);
                        System.arraycopy(t.cpu(), 0, cpu[i], round * steps, steps);
                        System.arraycopy(t.critical(), 0, critical[i], round * steps, steps);
                        roundWall[i][round] = median(t.wall());
                        if (replicaCpu[i] == null) replicaCpu[i] = new long[t.replicaCpu().length];
                        for (int q = 0; q < replicaCpu[i].length; q++) replicaCpu[i][q] += t.replicaCpu()[q];
                    }
                }
            }
            double basePerSecond = bs / (median(wall[0]) / 1e3);
            for (int i = 0; i < n; i++) {
                Layout l = layouts.get(i);
                double medWall = median(wall[i]), medCpu = median(cpu[i]), medCritical = median(critical[i]);
                double perSecond = bs / (medWall / 1e3);
                double[] speedups = new double[rounds];
                for (int round = 0; round < rounds; round++) speedups[round] = roundWall[0][round] / roundWall[i][round];
                double speedup = median(speedups), efficiency = speedup * base.threads() / l.threads();
                double lo = java.util.Arrays.stream(speedups).min().orElse(Double.NaN), hi = java.util.Arrays.stream(speedups).max().orElse(Double.NaN);
                o.line("batch %d, %s%s: median %.0f ms wall, %.0f ms CPU per step; %.2f crystals/s; speed-up over %s %.2fx (rounds %.2f-%.2f),"
                                + " efficiency %.0f %%", bs, l.label(), l.equals(intraOp) ? " (intra-op threads)" : l.separate()
                                ? " (independent trainings on the same cores: no gradient exchange, an Adam pass each)" : "",
                        medWall, medCpu, perSecond, base.label(), speedup, lo, hi, 100 * efficiency);
                if (!l.separate()) {
                    o.line("  critical path %.0f ms CPU (process CPU minus what the replicas ran side by side): the step's wall time with "
                            + "one idle core per replica and one thread each", medCritical);
                }
                if (l.replicas() > 1) {
                    StringBuilder sb = new StringBuilder();
                    for (int q = 0; q < l.replicas(); q++) sb.append(q == 0 ? "" : " / ").append(String.format("%.0f", replicaCpu[i][q] / 1e6 / (rounds * steps)));
                    o.line("  CPU per step on each %s thread: %s ms (the rest of the process CPU: GC, JIT, serial work)",
                            l.separate() ? "trainer's" : "replica's", sb);
                }
                // the data-parallel layout against separate trainings on the same cores, round by round: below 100 %, its
                // gradient exchange and wait for the slowest replica cost more than the second Adam pass they save
                double[] vsSeparate = null;
                if (separate != null && !l.separate() && l.replicas() == separate.replicas() && l.threads() == separate.threads()) {
                    int c = layouts.indexOf(separate);
                    vsSeparate = new double[rounds];
                    for (int round = 0; round < rounds; round++) vsSeparate[round] = roundWall[c][round] / roundWall[i][round];
                    o.line("  %.0f %% of the throughput of %d separate trainers (rounds %.0f-%.0f %%): what the gradient exchange and the "
                                    + "wait for the slowest replica cost, less the Adam passes they share", 100 * median(vsSeparate),
                            separate.replicas(), 100 * java.util.Arrays.stream(vsSeparate).min().orElse(Double.NaN),
                            100 * java.util.Arrays.stream(vsSeparate).max().orElse(Double.NaN));
                }
                ObjectNode j = results.addObject();
                j.put("name", "train_step_replicas");
                j.put("batch", bs);
                j.put("replicas", l.replicas());
                j.put("threads", l.threads());
                j.put("separate_trainers", l.separate());
                j.put("ranks", job.size());
                j.put("teacher_forcing", !noTeacherForcing);
                j.put("median_ms", medWall);
                j.put("cpu_ms", medCpu);
                if (!l.separate()) j.put("critical_path_cpu_ms", medCritical);
                j.put("crystals_per_s", perSecond);
                j.put("crystals_per_s_base", basePerSecond);
                j.put("speedup", speedup);
                ArrayNode sr = j.putArray("speedup_per_round");
                for (double v : speedups) sr.add(v);
                ArrayNode ws = j.putArray("wall_ms_per_step");   // round after round
                for (double v : wall[i]) ws.add(Math.round(v));
                j.put("efficiency", efficiency);
                if (vsSeparate != null) {
                    j.put("vs_separate_trainers", median(vsSeparate));
                    ArrayNode vs = j.putArray("vs_separate_trainers_per_round");
                    for (double v : vsSeparate) vs.add(v);
                }
                j.put("warmup", warmup);
                j.put("rounds", rounds);
                j.put("steps", steps);
                j.put("rss_mb", peakRssKb() / 1024.0);
                j.put("draw", "RandomState(" + bs + ").choice(" + pool.size() + ", " + bs + ", replace=" + (bs > pool.size() ? "True" : "False") + ")");
            }
        }
        if (json != null) writeJson(results, json);
        return ExitCode.OK;
    }

    /** One block's timed steps: wall, process CPU and critical-path ms per step, and each replica thread's CPU ns. */
    private record BlockTimes(double[] wall, double[] cpu, double[] critical, long[] replicaCpu) {}

    /**
     * A fresh trainer (the command's seed) in layout {@code l}: {@code untimed} steps, then {@code timed} steps on the
     * same global batch, timed.
     */
    private BlockTimes block(Config cfg, TrainingData d, org.concdvae.dist.Collective job, Layout l, List<CrystalRecord> batch,
                             int untimed, int timed, Progress bar) {
        if (l.separate()) return separateBlock(cfg, d, job, l, batch, untimed, timed, bar);
        Step1Trainer.Options opt = new Step1Trainer.Options(common.seed, l.threads(), 1, batch.size(), false, 1,
                Integer.MAX_VALUE, VersionProvider.version(), "bench", l.replicas());
        try (Step1Trainer trainer = new Step1Trainer(cfg, d, Path.of("bench"), opt, null, job)) {
            double[] wall = new double[timed], cpu = new double[timed], critical = new double[timed];
            long[] before = trainer.replicaCpuNanos();
            for (int s = -untimed; s < timed; s++) {
                if (s == 0) before = trainer.replicaCpuNanos();
                long c0 = cpuNanos(), t0 = System.nanoTime(), o0 = trainer.replicaOverlapNanos();
                trainer.step(batch, !noTeacherForcing);
                long t1 = System.nanoTime(), c1 = cpuNanos(), o1 = trainer.replicaOverlapNanos();
                if (s >= 0) {
                    wall[s] = (t1 - t0) / 1e6;
                    cpu[s] = (c1 - c0) / 1e6;
                    critical[s] = (c1 - c0 - (o1 - o0)) / 1e6;
                }
                bar.step();
            }
            long[] replicaCpu = trainer.replicaCpuNanos();
            for (int q = 0; q < replicaCpu.length; q++) replicaCpu[q] -= before[q];
            return new BlockTimes(wall, cpu, critical, replicaCpu);
        }
    }

    /**
     * What the cores give a layout of R replicas on R threads as independent trainings: R separate trainers (the
     * command's seed, one replica and one thread each) side by side, each stepping on the micro-batch that replica
     * would get ({@link Step1Trainer#microBatches}; its own noise draws), with no gradient exchange, no wait for each
     * other, and an Adam pass each. Against one replica, it shows what the cores lose by working at once (shared caches
     * and memory bandwidth, the JVM's own threads on the same cores); against it, what the data-parallel step's
     * exchange and waiting cost beyond the Adam passes it shares. The timed steps start together; each counts the
     * block's wall and process CPU time divided by the steps.
     */
    private BlockTimes separateBlock(Config cfg, TrainingData d, org.concdvae.dist.Collective job, Layout l,
                                     List<CrystalRecord> batch, int untimed, int timed, Progress bar) {
        List<List<CrystalRecord>> shares = Step1Trainer.microBatches(batch, l.replicas());
        List<Step1Trainer> trainers = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(l.replicas(), r -> new Thread(r, "concdvae-bench-trainer"));
        try {
            for (List<CrystalRecord> share : shares) {
                trainers.add(new Step1Trainer(cfg, d, Path.of("bench"), new Step1Trainer.Options(common.seed, 1, 1, share.size(),
                        false, 1, Integer.MAX_VALUE, VersionProvider.version(), "bench", 1), null, job));
            }
            sideBySide(threads, trainers, shares, untimed);
            long t0 = System.nanoTime(), c0 = cpuNanos();   // the timed steps start together
            long[] trainerCpu = sideBySide(threads, trainers, shares, timed);
            long t1 = System.nanoTime(), c1 = cpuNanos();
            bar.stepBy(untimed + timed);
            double[] wall = new double[timed], cpu = new double[timed], critical = new double[timed];
            java.util.Arrays.fill(wall, (t1 - t0) / 1e6 / timed);
            java.util.Arrays.fill(cpu, (c1 - c0) / 1e6 / timed);
            java.util.Arrays.fill(critical, Double.NaN);   // nothing runs between side-by-side sections
            return new BlockTimes(wall, cpu, critical, trainerCpu);
        } finally {
            threads.shutdownNow();
            for (Step1Trainer t : trainers) t.close();
        }
    }

    /**
     * {@code steps} steps of every trainer on its micro-batch, each trainer on a thread of its own; returns when all
     * are done, with each thread's CPU ns. A trainer's failure is rethrown once the others have finished.
     */
    private long[] sideBySide(ExecutorService threads, List<Step1Trainer> trainers, List<List<CrystalRecord>> shares, int steps) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        List<Future<Long>> runs = new ArrayList<>();
        for (int q = 0; q < trainers.size(); q++) {
            Step1Trainer trainer = trainers.get(q);
            List<CrystalRecord> share = shares.get(q);
            runs.add(threads.submit(() -> {
                long c0 = mx.getCurrentThreadCpuTime();
                for (int s = 0; s < steps; s++) trainer.step(share, !noTeacherForcing);
                return mx.getCurrentThreadCpuTime() - c0;
            }));
        }
        long[] cpu = new long[runs.size()];
        try {
            for (int q = 0; q < cpu.length; q++) cpu[q] = runs.get(q).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error er) throw er;
            throw new IllegalStateException(e.getCause());
        }
        return cpu;
    }

    /** {@code n} crystals without replacement (cycling through fresh shuffles when the pool is smaller). */
    private static List<CrystalRecord> draw(List<CrystalRecord> pool, int n, Random r) {
        List<CrystalRecord> out = new ArrayList<>();
        while (out.size() < n) {
            int[] order = Batches.order(pool.size(), r);
            for (int i = 0; i < order.length && out.size() < n; i++) out.add(pool.get(order[i]));
        }
        return out;
    }

    private final class PrintableOut {
        void line(String fmt, Object... args) {
            if (!org.concdvae.dist.Collectives.isRoot()) return;   // rank 0 reports for the job
            out().println(String.format(fmt, args));
            out().flush();
        }
    }
}
