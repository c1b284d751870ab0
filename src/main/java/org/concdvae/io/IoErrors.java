package org.concdvae.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The one place where an I/O failure becomes a user message: always the path and the reason. Java's file exceptions
 * carry the path but sometimes no reason (creating a directory where a file exists gives just the path), and stream
 * writes carry the reason ("No space left on device") but no path; {@link AtomicFiles} adds the path to the latter.
 */
public final class IoErrors {
    private IoErrors() {}

    /** "PATH: reason" for {@code e}; {@code context} is the path to name when the exception carries none (may be null). */
    public static String describe(IOException e, Path context) {
        if (e instanceof FileSystemException f) {
            String file = f.getFile() != null ? f.getFile() : context != null ? context.toString() : null;
            String reason = f.getReason();
            if (reason == null) reason = defaultReason(f);
            String other = f.getOtherFile() == null ? "" : " -> " + f.getOtherFile();
            return (file == null ? "" : file + other + ": ") + reason;
        }
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return context == null ? reason : context + ": " + reason;
    }

    private static String defaultReason(FileSystemException f) {
        if (f instanceof NoSuchFileException) return "not found";
        if (f instanceof AccessDeniedException) return "permission denied";
        if (f instanceof NotDirectoryException) return "not a directory";
        if (f instanceof FileAlreadyExistsException) {
            // Files.createDirectories reports a file in the way like this
            return f.getFile() != null && Files.isRegularFile(Path.of(f.getFile()))
                    ? "is a file, not a directory" : "already exists";
        }
        return f.getClass().getSimpleName();
    }

    /** {@code e} as a {@link FileSystemException} that names {@code file} (unchanged if it already names a path). */
    public static IOException withPath(IOException e, Path file) {
        if (e instanceof FileSystemException f && f.getFile() != null) return e;
        FileSystemException x = new FileSystemException(file.toString(), null,
                e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        x.initCause(e);
        return x;
    }
}
