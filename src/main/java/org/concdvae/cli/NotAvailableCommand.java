package org.concdvae.cli;

/** Base for subcommands whose implementation is not part of this build: they say so and exit non-zero. */
abstract class NotAvailableCommand extends BaseCommand {
    @Override
    protected int run() {
        throw new UserException("'" + spec.name() + "' is not available in this build of concdvae (version "
                + VersionProvider.version() + ")");
    }
}
