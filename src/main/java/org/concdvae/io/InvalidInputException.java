package org.concdvae.io;

/**
 * A bad input file, configuration key, cache or checkpoint: the user can fix it. The message is one line that names
 * the file, row or key. The CLI prints it and exits with code 2; lower layers throw it instead of depending on the CLI.
 */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) { super(message); }

    public InvalidInputException(String message, Throwable cause) { super(message, cause); }
}
