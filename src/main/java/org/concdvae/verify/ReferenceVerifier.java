package org.concdvae.verify;

import org.concdvae.io.InvalidInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

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
        return run(dir, weights, threads, List.of(), progress);
    }

    /**
     * As {@link #run(Path, Path, int, Consumer)}, restricted to the checks whose reference file name starts with one of
     * {@code only} (all checks when empty); a name that selects no check is an {@link InvalidInputException}.
     */
    public static List<Comparison> run(Path dir, Path weights, int threads, List<String> only, Consumer<Comparison> progress) {
        return run(() -> ReferenceSession.open(dir, weights, threads), only, progress);
    }

    /**
     * As {@link #run(Path, Path, int, List, Consumer)} with the models of a model directory ({@code modelDir}, e.g.
     * made by {@code concdvae import}) and the CGCNN evaluators under {@code evaluators} instead of the reference
     * files; either may be null.
     */
    public static List<Comparison> run(Path dir, Path modelDir, Path evaluators, int threads, List<String> only,
                                       Consumer<Comparison> progress) {
        return run(() -> ReferenceSession.open(dir, modelDir, evaluators, threads), only, progress);
    }

    private static List<Comparison> run(Supplier<ReferenceSession> open, List<String> only, Consumer<Comparison> progress) {
        List<ReferenceCheck> checks = new ArrayList<>();
        for (ReferenceCheck c : ReferenceChecks.all()) {
            if (only.isEmpty() || only.stream().anyMatch(o -> c.file().startsWith(o))) checks.add(c);
        }
        for (String o : only) {
            if (ReferenceChecks.all().stream().noneMatch(c -> c.file().startsWith(o))) {
                throw new InvalidInputException("no reference check for '" + o + "' (files: "
                        + String.join(", ", ReferenceChecks.all().stream().map(ReferenceCheck::file).distinct().toList()) + ")");
            }
        }
        List<Comparison> all = new ArrayList<>();
        try (ReferenceSession s = open.get()) {
            for (ReferenceCheck check : checks) {
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
