package org.concdvae.cli;

/**
 * An error the user can fix (bad file, bad option, bad config key). {@link BaseCommand} prints its message as one
 * line and exits with {@link ExitCode#BAD_INPUT}. The message should name the file, row or key concerned.
 */
public class UserException extends RuntimeException {
    public UserException(String message) { super(message); }

    public UserException(String message, Throwable cause) { super(message, cause); }
}
