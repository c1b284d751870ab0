package org.concdvae.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** No silently ignored config keys: official keys without an effect here are errors, except in saved model configs. */
class RetiredKeysTest {
    static Stream<String> retired() { return RetiredKeys.WHY.keySet().stream(); }

    /** {@code a.b.c} with value 7 as nested YAML. */
    private static String yaml(String key) {
        String[] k = key.split("\\.");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < k.length; i++) sb.append("  ".repeat(i)).append(k[i]).append(i == k.length - 1 ? ": 7\n" : ":\n");
        return sb.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("retired")
    void aRetiredKeyInAFileIsAnErrorNamingKeyAndFile(String key, @TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("my.yaml");
        Files.writeString(f, yaml(key));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigLoader.load(f, List.of()));
        String m = e.getMessage();
        assertTrue(m.startsWith(key + ": not used by concdvae ("), m);
        assertTrue(m.endsWith("remove it from " + f), m);
        assertFalse(m.contains("\n"), m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("retired")
    void aRetiredKeyInSetIsAnError(String key) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigLoader.defaults(List.of(key + "=7")));
        assertTrue(e.getMessage().startsWith(key + ": not used by concdvae") && e.getMessage().endsWith("--set"), e.getMessage());
    }

    @Test
    void theMessageSaysWhatToUseInstead() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ConfigLoader.fromYaml("gen:\n  num_batches_to_samples: 3\n", "run.yaml", List.of()));
        assertEquals("gen.num_batches_to_samples: not used by concdvae (use 'concdvae sample -n N' (crystals per target)); remove it from run.yaml",
                e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> ConfigLoader.defaults(List.of("prior.data.root_path=x")));
        assertTrue(e.getMessage().startsWith("prior.data: not used by concdvae"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "data.use_space_group=true; data.use_space_group: true is not supported",
            "data.use_pos_index=true; data.use_pos_index: true is not supported",
            "data.lattice_scale_method=none; data.lattice_scale_method: 'none' is not one of scale_length",
            "model.decoder.scale_file=my-scales.json; model.decoder.scale_file: 'my-scales.json' is not one of gemnet-dT.json",
            "data.preprocess_workers=0; data.preprocess_workers: must be at least 1"})
    void keysWithOneImplementedValueRejectTheOthers(String set, String expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigLoader.defaults(List.of(set)));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    /** The built-in model's saved configs (written before the keys were retired) still load, without them. */
    @Test
    void savedModelConfigsLoadWithoutTheRetiredKeys() throws IOException {
        Path dir = Path.of("models/mp20-small");
        for (String f : List.of("config.yaml", "prior_default-config.yaml", "prior_full-config.yaml")) {
            Path p = dir.resolve(f);
            assertTrue(Files.readString(p).contains("num_batches_to_samples"), "the saved file lists retired keys: " + f);
            assertThrows(InvalidInputException.class, () -> ConfigLoader.load(p, List.of()), f);
            Config c = ConfigLoader.loadSaved(p, List.of());
            assertEquals(64, c.model().latentDim(), f);
            assertEquals(2, c.data().preprocessWorkers(), f);
        }
        // stripping changes nothing else: the saved file equals its own dump (which has no retired keys)
        Config c = ConfigLoader.loadSaved(dir.resolve("config.yaml"), List.of());
        assertEquals(c, ConfigLoader.fromYaml(ConfigLoader.toYaml(c), "dump", List.of()));
        assertFalse(ConfigLoader.toYaml(c).contains("num_workers"));
    }

    @Test
    void theShippedConfigsHaveNoRetiredKeys() throws IOException {
        try (var files = Files.list(Path.of("configs"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                assertNotNull(ConfigLoader.load(f, List.of()), f.toString());
            }
        }
        String defaults = ConfigLoader.toYaml(ConfigLoader.defaults(List.of()));
        for (String key : RetiredKeys.WHY.keySet()) {
            String leaf = key.substring(key.lastIndexOf('.') + 1);
            if (!leaf.equals("data") && !leaf.equals("label") && !leaf.equals("deterministic") && !leaf.equals("seed")) {
                assertFalse(defaults.contains(" " + leaf + ":"), key);
            }
        }
    }

    /** import drops the retired keys of an official hparams file and reports them. */
    @Test
    void translationDropsAndReportsThem() {
        ObjectNode h = JsonNodeFactory.instance.objectNode();
        ObjectNode data = h.putObject("data");
        data.put("eval_model_name", "mp20").put("load_old", true).put("n_delta", 40).put("num_targets", 1).put("tolerance", 0.1);
        data.putObject("datamodule").putObject("num_workers").put("train", 8).put("val", 8).put("test", 8);
        h.putObject("model").put("cost_edge", 10.0).put("n_delta", 40).put("hidden_dim", 256);
        HydraTranslation.Result r = HydraTranslation.stepOne(h, "hparams.yaml");
        for (String k : List.of("data.eval_model_name", "data.load_old", "data.n_delta", "data.num_targets", "data.tolerance",
                "data.num_workers", "model.cost_edge", "model.n_delta")) {
            assertTrue(r.dropped().contains(k), k + " in " + r.dropped());
        }
        assertEquals(256, r.config("hparams.yaml").model().hiddenDim());
    }
}
