package org.concdvae.testutil;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates the read-only reference material ({@code ../shared} beside the project root, or the directory named by the
 * system property / environment variable {@code CONCDVAE_SHARED}). Tests that need it call {@link #path(String)}.
 */
public final class SharedData {
    private SharedData() {}

    public static Path root() {
        String p = System.getProperty("concdvae.shared", System.getenv("CONCDVAE_SHARED"));
        if (p != null && !p.isBlank()) return Paths.get(p);
        return Paths.get("..", "shared").toAbsolutePath().normalize();
    }

    /** A file under the shared root; the calling test is skipped (not failed) when the material is absent. */
    public static Path path(String relative) {
        Path f = root().resolve(relative);
        Assumptions.assumeTrue(Files.exists(f), "reference material not found: " + f);
        return f;
    }
}
