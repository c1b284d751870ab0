package org.concdvae.cli;

import picocli.CommandLine.Command;

/** {@code concdvae bench}: benchmarks that print medians (subcommands). */
@Command(name = "bench", description = "Benchmarks: print median timings for the project's hot paths.",
        mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {
                BenchAllreduceCommand.class,
                BenchCifCommand.class,
                BenchCoverageCommand.class,
                BenchDecoderCommand.class,
                BenchEncoderCommand.class,
                BenchEngineCommand.class,
                BenchGraphCommand.class,
                BenchMatchCommand.class,
                BenchMemoryCommand.class,
                BenchPreprocessCommand.class,
                BenchSampleCommand.class,
                BenchSymmetryCommand.class,
                BenchTrainStep1Command.class,
        })
public class BenchCommand extends BaseCommand {
    @Override
    protected int run() {
        throw new UserException("choose a benchmark, e.g. 'concdvae bench --help'");
    }
}
