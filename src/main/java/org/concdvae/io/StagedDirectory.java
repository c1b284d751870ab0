package org.concdvae.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Creates an output directory all at once: its files are written into a hidden temporary sibling, which is renamed
 * to the final name only when everything succeeded; on any failure the temporary directory is removed, so a failed
 * run leaves no partial output. An existing target is never overwritten.
 */
public final class StagedDirectory {
    private StagedDirectory() {}

    /** Fills a fresh temporary directory with {@code fill} and renames it to {@code out}; returns fill's result. */
    public static <T> T create(Path out, Function<Path, T> fill) {
        Path target = out.toAbsolutePath().normalize();
        if (Files.exists(target)) throw new InvalidInputException(out + ": already exists; choose a new output directory");
        Path parent = target.getParent();
        Path tmp;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".partial-");
        } catch (IOException e) {
            throw new InvalidInputException(parent + ": cannot write here (" + e.getMessage() + ")");
        }
        boolean done = false;
        try {
            T result = fill.apply(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new InvalidInputException(out + ": cannot create the directory (" + e.getMessage() + ")");
            }
            done = true;
            return result;
        } finally {
            if (!done) deleteTree(tmp);
        }
    }

    /** Removes a directory tree, best effort (what cannot be removed stays). */
    public static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover hidden temporary directory is harmless
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
