package org.concdvae.cli;

import org.concdvae.autodiff.Engine;
import org.concdvae.nn.EngineBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code concdvae bench engine}: median timings of the autodiff engine's hot ops at decoder-batch size. */
@Command(name = "engine", description = "Median timings of the engine's hot ops (per-op overhead, linear, SiLU, gather, scatter, triplet sum).",
        mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
public class BenchEngineCommand extends BaseCommand {
    @Option(names = "--atoms", description = "Atoms (default: ${DEFAULT-VALUE}, an mptest batch of 64).", defaultValue = "640")
    int atoms;

    @Option(names = "--edges", description = "Edges (default: ${DEFAULT-VALUE}).", defaultValue = "12516")
    int edges;

    @Option(names = "--triplets", description = "Triplets (default: ${DEFAULT-VALUE}).", defaultValue = "236628")
    int triplets;

    @Option(names = "--width", description = "Feature width (default: ${DEFAULT-VALUE}).", defaultValue = "128")
    int width;

    @Option(names = "--reps", description = "Timed repetitions per op (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int reps;

    @Override
    protected int run() {
        if (atoms < 1 || edges < 1 || triplets < 1 || width < 1 || reps < 1) throw new UserException("all sizes and --reps must be >= 1");
        Engine.setThreads(common.threads());
        List<EngineBenchmark.OpTiming> r = EngineBenchmark.ops(atoms, edges, triplets, width, reps, common.seed);
        out().printf("%-50s %14s  %s%n", "op", "median (ms)", "size");
        for (EngineBenchmark.OpTiming t : r) out().printf("%-50s %14.3f  %s%n", t.name(), t.medianMicros() / 1000, t.detail());
        out().printf("(%d threads, float32)%n", common.threads());
        out().flush();
        return ExitCode.OK;
    }
}
