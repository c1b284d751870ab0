package org.concdvae.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The project's checkpoint format: {@code <name>.safetensors} (all tensors by name) plus a JSON sidecar
 * {@code <name>.json} holding the format tag, the weights file name, its SHA-256 and free-form information (epoch,
 * hyper-parameters, scheduler state). Both are written atomically, weights first, so a sidecar always describes a
 * complete weights file; a weights file that does not match its checksum is reported as corrupt.
 */
public final class CheckpointFiles {
    public static final String FORMAT = "concdvae-checkpoint/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointFiles() {}

    /** A loaded checkpoint. */
    public record Checkpoint(Safetensors tensors, JsonNode info) {}

    /** The sidecar path of a checkpoint: {@code x.safetensors → x.json}. */
    public static Path sidecar(Path weights) {
        String n = weights.getFileName().toString();
        String base = n.endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
        return weights.resolveSibling(base + ".json");
    }

    /** Writes {@code weights} (must end in .safetensors) and its sidecar with {@code info} (may be null). */
    public static void write(Path weights, Map<String, INDArray> tensors, JsonNode info) throws IOException {
        if (!weights.getFileName().toString().endsWith(".safetensors")) {
            throw new IllegalArgumentException("checkpoint weights must end in .safetensors: " + weights);
        }
        Safetensors.write(weights, tensors, Map.of("format", FORMAT));
        ObjectNode side = JSON.createObjectNode();
        side.put("format", FORMAT);
        side.put("weights", weights.getFileName().toString());
        side.put("sha256", Safetensors.sha256(weights));
        side.set("info", info == null ? JSON.createObjectNode() : info);
        AtomicFiles.writeString(sidecar(weights), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(side) + "\n");
    }

    /** Reads a checkpoint, verifying the sidecar and the checksum. */
    public static Checkpoint read(Path weights) {
        Path side = sidecar(weights);
        if (!Files.exists(weights)) throw new InvalidInputException(weights + ": checkpoint not found");
        if (!Files.exists(side)) throw new InvalidInputException(weights + ": checkpoint sidecar " + side.getFileName() + " is missing");
        JsonNode s;
        try {
            s = JSON.readTree(side.toFile());
        } catch (IOException e) {
            throw new InvalidInputException(side + ": corrupt checkpoint sidecar (invalid JSON)");
        }
        if (s == null || !FORMAT.equals(s.path("format").asText())) {
            throw new InvalidInputException(side + ": not a " + FORMAT + " sidecar");
        }
        String expected = s.path("sha256").asText("");
        String actual = Safetensors.sha256(weights);
        if (!expected.equalsIgnoreCase(actual)) {
            throw new InvalidInputException(weights + ": checkpoint is corrupt (SHA-256 " + actual + " does not match the sidecar's " + expected + ")");
        }
        return new Checkpoint(Safetensors.read(weights), s.path("info"));
    }
}
