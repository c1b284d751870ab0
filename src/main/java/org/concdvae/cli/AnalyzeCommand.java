package org.concdvae.cli;

import picocli.CommandLine.Command;

/** {@code concdvae analyze}: crystal analysis tools (subcommands). */
@Command(name = "analyze", description = "Analyse crystal structures (symmetry, matching, validity, graphs, coverage fingerprints and COV-R/COV-P).",
        mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {
                AnalyzeSymmetryCommand.class,
                AnalyzeMatchCommand.class,
                AnalyzeValidityCommand.class,
                AnalyzeGraphCommand.class,
                AnalyzeFingerprintCommand.class,
                AnalyzeCoverageCommand.class,
        })
public class AnalyzeCommand extends BaseCommand {
    @Override
    protected int run() {
        throw new UserException("choose an analysis, e.g. 'concdvae analyze --help'");
    }
}
