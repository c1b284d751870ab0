package org.concdvae.crystal;

/** A structure, lattice or crystal file that cannot be used (a user-input error, not a bug). */
public class InvalidStructureException extends RuntimeException {
    public InvalidStructureException(String message) { super(message); }

    public InvalidStructureException(String message, Throwable cause) { super(message, cause); }
}
