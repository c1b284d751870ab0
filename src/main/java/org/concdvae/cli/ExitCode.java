package org.concdvae.cli;

/** Named process exit codes shared by every subcommand. */
public final class ExitCode {
    public static final int OK = 0;
    /** Internal error: a bug or an unexpected failure (stack trace logged at debug level). */
    public static final int INTERNAL_ERROR = 1;
    /** Bad input or usage: the user can fix it (one clear line on stderr, no stack trace). */
    public static final int BAD_INPUT = 2;

    private ExitCode() {}
}
