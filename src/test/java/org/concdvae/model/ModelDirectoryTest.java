package org.concdvae.model;

import org.concdvae.io.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The built-in model: its manifest lists exactly the shipped files, it loads from the classpath with both priors. */
class ModelDirectoryTest {
    @Test
    void manifestListsTheShippedFiles() throws IOException {
        Path src = Path.of("models", ModelDirectory.BUILTIN);
        TreeSet<String> onDisk = new TreeSet<>();
        try (Stream<Path> s = Files.list(src)) {
            s.map(p -> p.getFileName().toString()).filter(f -> !f.equals(ModelDirectory.MANIFEST)).forEach(onDisk::add);
        }
        assertEquals(onDisk, new TreeSet<>(ModelDirectory.manifest(ModelDirectory.BUILTIN)));
        long bytes = 0;
        for (String f : onDisk) bytes += Files.size(src.resolve(f));
        assertTrue(bytes < 20L << 20, "the built-in model must stay small: " + bytes + " bytes");
    }

    @Test
    void builtinLoads() {
        ModelDirectory d = ModelDirectory.openOrBuiltin(null);
        assertTrue(d.isBuiltinModel());
        assertEquals("built-in model " + ModelDirectory.BUILTIN, d.name());
        assertSame(d.path(), ModelDirectory.openOrBuiltin(Path.of(ModelDirectory.BUILTIN)).path(), "extracted once per process");
        ConCdvae m = d.loadStepOne();
        assertEquals(64, d.config().model().latentDim());
        assertTrue(m.store().trainableCount() > 100_000);
        for (String label : List.of("prior_default", "prior_full")) {
            LatentPrior p = d.loadPrior(label);
            assertEquals(64, p.config().hiddenDim(), label);
            assertTrue(Files.isRegularFile(d.priorReference(label)), label);
        }
        assertEquals(List.of("formation_energy_per_atom", "band_gap"), d.loadPrior("prior_default").conditionModel().names());
        assertEquals(6, d.latticeScaler().means().length);
    }

    @Test
    void unknownNames() {
        assertFalse(ModelDirectory.isBuiltin("nope"));
        assertFalse(ModelDirectory.isBuiltin("../models"));
        assertThrows(InvalidInputException.class, () -> ModelDirectory.builtin("nope"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelDirectory.openOrBuiltin(Path.of("nope")));
        assertTrue(e.getMessage().contains("model directory not found"), e.getMessage());
    }
}
