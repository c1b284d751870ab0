package org.concdvae.cli;

import picocli.CommandLine.Command;

/** {@code concdvae train-prior}: Train the latent DDPM prior on a trained step-one model. */
@Command(name = "train-prior", description = "Train the latent DDPM prior on a trained step-one model.", mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class)
public class TrainPriorCommand extends NotAvailableCommand {
}
