package org.concdvae.cli;

import picocli.CommandLine.Command;

/** {@code concdvae preprocess}: CSV data set to graph cache. */
@Command(name = "preprocess", description = "Parse, filter, Niggli-reduce and build graphs for a crystal data set.",
        mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
public class PreprocessCommand extends NotAvailableCommand {
}
