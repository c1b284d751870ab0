package org.concdvae.cli;

import org.concdvae.config.Config;
import picocli.CommandLine.Option;

/** {@code --replicas} of the training commands: model replicas per process (config {@code train.devices}). */
public class ReplicasOption {
    @Option(names = "--replicas", paramLabel = "R",
            description = "Model replicas in this process, each on its own thread, sharing one parameter set; the global batch is "
                    + "split evenly over all replicas of all processes and their gradients averaged (docs/training.md). "
                    + "Default: train.devices of the config; -1 there (the default) = one per thread, as many as split the batch evenly.")
    Integer replicas;

    /** Replicas to request: ≥ 1 as given, 0 for one per thread (the trainers pick the count that splits the batch). */
    int resolve(Config cfg) {
        if (replicas != null) {
            if (replicas < 1) throw new UserException("--replicas must be at least 1, got " + replicas);
            return replicas;
        }
        int d = cfg == null ? -1 : cfg.train().devices();
        return d == -1 ? 0 : d;
    }
}
