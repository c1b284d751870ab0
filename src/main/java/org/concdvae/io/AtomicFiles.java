package org.concdvae.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The one way the project writes output files: into a temporary file beside the target, then an atomic rename, so a
 * crash or a full disk never leaves a half-written file under the final name.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    @FunctionalInterface
    public interface StreamBody { void write(OutputStream out) throws IOException; }

    @FunctionalInterface
    public interface WriterBody { void write(Writer out) throws IOException; }

    /** Writes bytes produced by {@code body} to {@code target} atomically. */
    public static void write(Path target, StreamBody body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            if (dir != null) Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                body.write(out);
            }
            readableByOthers(tmp, target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // stream writes report "No space left on device" without a path: name the file being written
            throw IoErrors.withPath(e, target);
        } finally {
            if (tmp != null) Files.deleteIfExists(tmp);
        }
    }

    /**
     * Temporary files are created owner-only (0600); give the result the permissions of the file it replaces, or the
     * usual rw-r--r-- for a new file, so outputs are readable as if written directly.
     */
    private static void readableByOthers(Path tmp, Path target) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView("posix")) return;
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    /** Writes UTF-8 text produced by {@code body} to {@code target} atomically. */
    public static void writeText(Path target, WriterBody body) throws IOException {
        write(target, out -> {
            Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
            body.write(w);
            w.flush();
        });
    }

    /** Writes a string to {@code target} atomically. */
    public static void writeString(Path target, String text) {
        try {
            writeText(target, w -> w.write(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
