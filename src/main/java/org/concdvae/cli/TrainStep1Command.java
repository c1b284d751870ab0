package org.concdvae.cli;

import picocli.CommandLine.Command;

/** {@code concdvae train-step1}: Train the step-one model (VAE + PropEmb + Predictor). */
@Command(name = "train-step1", description = "Train the step-one model (VAE + PropEmb + Predictor).", mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class)
public class TrainStep1Command extends NotAvailableCommand {
}
