package org.concdvae.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.io.CheckpointFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.Safetensors;
import org.concdvae.io.StagedDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns an official CGCNN checkpoint ({@code model_best.pth.tar}, zip or legacy format) into an evaluator directory
 * that {@code evaluate predict --evaluator DIR} reads: {@code best.safetensors} + sidecar (architecture arguments,
 * target normaliser, task) in the format {@link CgcnnTrainer} writes, and a copy of the element-feature table
 * {@code atom_init.json} the model was trained with (so the directory is self-contained). The checkpoint is loaded
 * strictly through {@link CgcnnEvaluator#load} first: a mismatch is one error and nothing is written.
 */
public final class CgcnnImport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CgcnnImport() {}

    /** What was imported. */
    public record Summary(Path out, Path atomFeatures, Cgcnn.Args args, double mean, double std) {}

    /** {@code atomFeatures} null: {@code atom_init.json} beside the checkpoint or in its parent directory. */
    public static Summary run(Path checkpoint, Path atomFeatures, Path out) {
        if (Files.isDirectory(checkpoint)) checkpoint = CgcnnEvaluator.resolveCheckpoint(checkpoint);
        if (!Files.isRegularFile(checkpoint)) throw new InvalidInputException(checkpoint + ": checkpoint not found");
        if (checkpoint.getFileName().toString().endsWith(".safetensors")) {
            throw new InvalidInputException(checkpoint + ": already in this project's format; use it directly as --evaluator");
        }
        Path source = checkpoint;
        Path features = CgcnnEvaluator.locateAtomFeatures(checkpoint, atomFeatures);
        CgcnnEvaluator ev = CgcnnEvaluator.load(checkpoint, features);
        Cgcnn.Args args = ev.model().args();
        return StagedDirectory.create(out, dir -> {
            ObjectNode info = JSON.createObjectNode();
            info.put("model", "cgcnn");
            info.set("args", CgcnnTrainer.argsToJson(args));
            ObjectNode nz = info.putObject("normalizer");
            nz.put("mean", ev.mean());
            nz.put("std", ev.std());
            info.put("imported_from", source.getFileName().toString());
            info.put("source_sha256", Safetensors.sha256(source));
            try {
                CheckpointFiles.write(dir.resolve(CgcnnTrainer.BEST), ev.model().store().stateDict(), info);
                Files.copy(features, dir.resolve(CgcnnEvaluator.ATOM_INIT));
            } catch (IOException e) {
                throw new InvalidInputException(out + ": cannot write (" + e.getMessage() + ")");
            }
            return new Summary(out, features, args, ev.mean(), ev.std());
        });
    }
}
