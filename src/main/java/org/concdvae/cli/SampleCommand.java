package org.concdvae.cli;

import picocli.CommandLine.Command;

/** {@code concdvae sample}: Generate crystals with target properties. */
@Command(name = "sample", description = "Generate crystals with target properties.", mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class)
public class SampleCommand extends NotAvailableCommand {
}
