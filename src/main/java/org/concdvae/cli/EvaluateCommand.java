package org.concdvae.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code concdvae evaluate}: property evaluators (subcommands). The bare form {@code evaluate --samples DIR}
 * (the paper's success-rate metrics of generated crystals) is not part of this build.
 */
@Command(name = "evaluate", description = "Evaluate crystals: CGCNN property predictions (predict), training a CGCNN evaluator (train-cgcnn).",
        mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {
                EvaluatePredictCommand.class,
                EvaluateTrainCgcnnCommand.class,
        })
public class EvaluateCommand extends BaseCommand {
    @Option(names = "--samples", paramLabel = "DIR",
            description = "Generated crystals to score with the paper's metrics (not available in this build: use 'evaluate predict').")
    Path samples;

    @Override
    protected int run() {
        if (samples != null) {
            throw new UserException("'evaluate --samples' (success-rate metrics of generated crystals) is not available in this build of concdvae (version "
                    + VersionProvider.version() + "); use 'concdvae evaluate predict --evaluator ... --input " + samples + " --output ...'");
        }
        throw new UserException("choose a subcommand, e.g. 'concdvae evaluate predict --help'");
    }
}
