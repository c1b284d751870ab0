package org.concdvae.config;

import org.concdvae.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ConfigLoaderTest {

    @Test
    void defaultsAreTheOfficialMp20Values() {
        Config c = ConfigLoader.defaults(List.of());
        assertEquals("crystalnn", c.data().graphMethod());
        assertEquals(20, c.data().maxAtoms());
        assertEquals(20, c.model().maxAtoms(), "model.max_atoms = ${data.max_atoms}");
        assertEquals(9.0, c.model().radius());
        assertEquals(9.0, c.model().decoder().radius(), "decoder.radius = ${model.radius}");
        assertEquals(256, c.model().decoder().latentDim());
        assertEquals(7.0, c.model().encoder().cutoff());
        assertEquals(500, c.train().maxEpochs());
        assertEquals(100000, c.train().earlyStopping().patience());
        assertEquals(List.of(0.9, 0.999), c.optim().optimizer().betas());
        assertEquals(1.0e-4, c.optim().lrScheduler().minLr());
        assertEquals(1.0e-5, c.prior().optim().lrScheduler().minLr());
        assertEquals(3, c.prior().nUNetLayers());
        assertEquals(c.model().conditionmodel(), c.prior().conditionmodel());
        Config.ConditionEmbedding fe = c.model().conditionmodel().conditionEmbeddings().get(0);
        assertEquals("formation_energy_per_atom", fe.conditionName());
        assertEquals(-6.0, fe.conditionMin());
        assertEquals(256, c.model().conditionpre().conditionPredict().get(0).latentDim());
        assertNull(c.gen().priorLabel());
        assertEquals(20, c.data().filter().maxAtoms());
        assertNull(c.data().filter().maxBandGap());
    }

    @Test
    void everyPresetLoads() {
        for (String p : ConfigLoader.PRESETS) assertNotNull(ConfigLoader.resolve(p, List.of()), p);
        Config mp40 = ConfigLoader.resolve("mp40", List.of());
        assertEquals(40, mp40.model().maxAtoms());
        assertEquals(40, mp40.data().filter().maxAtoms());
        assertEquals(0.01, mp40.data().filter().minNumberDensity());
        Config t = ConfigLoader.resolve("tiny", List.of());
        assertEquals("radius", t.data().graphMethod());
        assertEquals(3, t.train().maxEpochs());
        assertEquals(32, t.model().decoder().latentDim());
        assertEquals(0.02, t.prior().ddpmNoiseEnd(), "deep merge keeps unlisted keys");
        Config full = ConfigLoader.resolve("mptest4conz", List.of());
        assertEquals(6, full.prior().conditionmodel().conditionEmbeddings().size());
        assertEquals(231, full.prior().conditionmodel().conditionEmbeddings().get(1).nType());
    }

    @Test
    void resolvedYamlRoundTrips() {
        Config c = ConfigLoader.resolve("mptest4conz", List.of());
        assertEquals(c, ConfigLoader.fromYaml(ConfigLoader.toYaml(c), "dump", List.of()));
    }

    @Test
    void setOverridesFlowThroughInterpolation() {
        Config c = ConfigLoader.defaults(List.of("data.max_atoms=40", "data.niggli=false", "data.prop=[formation_energy_per_atom]",
                "gen.prior_label=prior_x"));
        assertEquals(40, c.model().maxAtoms());
        assertFalse(c.data().niggli());
        assertEquals("prior_x", c.gen().priorLabel());
    }

    @Test
    void shippedConfigFilesMatchTheBuiltInPresets() throws IOException {
        Path dir = Path.of("configs");
        for (String p : ConfigLoader.PRESETS) {
            assertEquals(ConfigLoader.resolve(p, List.of()), ConfigLoader.load(dir.resolve(p + ".yaml"), List.of()), p);
        }
    }

    @Test
    void errorsNameTheKeyAndTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "data:\n  grap_method: radius\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigLoader.load(f, List.of()));
        assertTrue(e.getMessage().startsWith("data.grap_method: unknown key in " + f), e.getMessage());
        assertTrue(e.getMessage().contains("graph_method"), "suggests the right key: " + e.getMessage());

        Files.writeString(f, "data:\n  max_atoms: twenty\n");
        e = assertThrows(InvalidInputException.class, () -> ConfigLoader.load(f, List.of()));
        assertTrue(e.getMessage().startsWith("data.max_atoms: expected an integer"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()));

        Files.writeString(f, "data:\n  graph_method: voronoi\n");
        e = assertThrows(InvalidInputException.class, () -> ConfigLoader.load(f, List.of()));
        assertTrue(e.getMessage().startsWith("data.graph_method: unknown graph method 'voronoi'"), e.getMessage());

        Files.writeString(f, "model:\n  max_atoms: ${data.max_atom}\n");
        e = assertThrows(InvalidInputException.class, () -> ConfigLoader.load(f, List.of()));
        assertTrue(e.getMessage().contains("model.max_atoms") && e.getMessage().contains("missing key"), e.getMessage());

        Files.writeString(f, "model:\n  hidden_dim: ${model.latent_dim}\n  latent_dim: ${model.hidden_dim}\n");
        e = assertThrows(InvalidInputException.class, () -> ConfigLoader.load(f, List.of()));
        assertTrue(e.getMessage().contains("circular"), e.getMessage());

        Files.writeString(f, "data: [1, 2\n");
        e = assertThrows(InvalidInputException.class, () -> ConfigLoader.load(f, List.of()));
        assertTrue(e.getMessage().startsWith(f + ": not valid YAML"), e.getMessage());

        e = assertThrows(InvalidInputException.class, () -> ConfigLoader.defaults(List.of("data.nigli=false")));
        assertTrue(e.getMessage().startsWith("--set data.nigli: unknown key"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> ConfigLoader.defaults(List.of("data.max_atoms=abc")));
        assertTrue(e.getMessage().startsWith("data.max_atoms: expected an integer") && e.getMessage().endsWith("--set"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> ConfigLoader.defaults(List.of("data.prop=[band_gap]")));
        assertTrue(e.getMessage().contains("not in data.prelo_prop") || e.getMessage().contains("not in data.prop"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> ConfigLoader.resolve("no/such.yaml", List.of()));
        assertTrue(e.getMessage().startsWith("config file not found: no/such.yaml"));
    }
}
