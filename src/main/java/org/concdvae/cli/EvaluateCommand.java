package org.concdvae.cli;

import picocli.CommandLine.Command;

/** {@code concdvae evaluate}: Evaluate generated crystals (CGCNN properties, validity, novelty, plots). */
@Command(name = "evaluate", description = "Evaluate generated crystals (CGCNN properties, validity, novelty, plots).", mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class)
public class EvaluateCommand extends NotAvailableCommand {
}
