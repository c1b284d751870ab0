package org.concdvae.cli;

import org.concdvae.autodiff.Engine;
import org.concdvae.nn.EngineBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code concdvae bench memory}: RSS over many training steps of a small gather/MLP/scatter model must stay flat. */
@Command(name = "memory", description = "Train a small message-passing model for many steps and report the resident memory (should stay flat).",
        mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
public class BenchMemoryCommand extends BaseCommand {
    @Option(names = "--steps", description = "Training steps (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int steps;

    @Option(names = "--atoms", description = "Nodes of the toy graph (default: ${DEFAULT-VALUE}).", defaultValue = "256")
    int atoms;

    @Option(names = "--edges", description = "Edges of the toy graph (default: ${DEFAULT-VALUE}).", defaultValue = "2048")
    int edges;

    @Option(names = "--width", description = "Feature width (default: ${DEFAULT-VALUE}).", defaultValue = "32")
    int width;

    @Override
    protected int run() {
        if (steps < 2 || atoms < 2 || edges < 1 || width < 1) throw new UserException("--steps, --atoms must be >= 2; --edges, --width >= 1");
        Engine.setThreads(common.threads());
        int every = Math.max(1, steps / 10);
        EngineBenchmark.MemoryResult r;
        try (Progress p = Progress.start("bench memory", steps, common.quiet)) {
            r = EngineBenchmark.memory(steps, every, atoms, edges, width, common.seed, s -> p.step());
        }
        out().printf("step   RSS (MiB)%n");
        for (int i = 0; i < r.steps().length; i++) out().printf("%5d  %9.1f%n", r.steps()[i], r.rssBytes()[i] / 1048576.0);
        int first = Math.min(1, r.steps().length - 1);
        long growth = r.rssBytes()[r.rssBytes().length - 1] - r.rssBytes()[first];
        out().printf("RSS change from step %d to %d: %+.1f MiB; median step %.2f ms (%d atoms, %d edges, width %d, %d threads)%n",
                r.steps()[first], r.steps()[r.steps().length - 1], growth / 1048576.0, r.medianStepMillis(), atoms, edges, width, common.threads());
        out().flush();
        return ExitCode.OK;
    }
}
