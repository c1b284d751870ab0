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
        return run(ReferenceSession.open(dir, weights, threads), progress);
    }

    /**
     * As {@link #run(Path, Path, int, Consumer)} with the models of a model directory ({@code modelDir}, e.g. made by
     * {@code concdvae import}) and the CGCNN evaluators under {@code evaluators} instead of the reference files;
     * either may be null.
     */
    public static List<Comparison> run(Path dir, Path modelDir, Path evaluators, int threads, Consumer<Comparison> progress) {
        return run(ReferenceSession.open(dir, modelDir, evaluators, threads), progress);
    }

    private static List<Comparison> run(ReferenceSession session, Consumer<Comparison> progress) {
        List<Comparison> all = new ArrayList<>();
        try (ReferenceSession s = session) {
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
