package org.concdvae.verify;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Runs every registered {@link ReferenceCheck} on a reference directory. */
public final class ReferenceVerifier {
    private ReferenceVerifier() {}

    /**
     * @param dir      reference directory ({@code ../shared/reference})
     * @param weights  weights file, or null for {@code <dir>/cdvae_weights.safetensors}
     * @param threads  worker threads
     * @param progress receives each comparison as soon as it is known (may be null)
     */
    public static List<Comparison> run(Path dir, Path weights, int threads, Consumer<Comparison> progress) {
        List<Comparison> all = new ArrayList<>();
        try (ReferenceSession s = ReferenceSession.open(dir, weights, threads)) {
            for (ReferenceCheck check : ReferenceChecks.all()) {
                List<Comparison> r;
                if (!s.directory().resolve(check.file()).toFile().isFile()) {
                    r = List.of(Comparison.failed(check.file(), "*", "reference file not found"));
                } else {
                    r = check.run(s);
                }
                for (Comparison c : r) {
                    all.add(c);
                    if (progress != null) progress.accept(c);
                }
            }
        }
        return all;
    }
}
