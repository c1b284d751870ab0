package org.concdvae.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** --resume refusals name the setting that differs and both values. */
class JsonDifferenceTest {
    final ObjectMapper json = new ObjectMapper();

    @Test
    void namesTheKeyAndBothValues() throws Exception {
        assertEquals("n_step_each was 100, now 10", JsonDifference.first(json.readTree("{\"n_step_each\":100,\"seed\":1}"),
                json.readTree("{\"seed\":1,\"n_step_each\":10}")));
        assertEquals("model.encoder.cutoff was 7.0, now 6.0", JsonDifference.first(json.readTree("{\"model\":{\"encoder\":{\"cutoff\":7.0}}}"),
                json.readTree("{\"model\":{\"encoder\":{\"cutoff\":6.0}}}")));
        assertEquals("targets.fe-2.formation_energy_per_atom was -2.0, now -1.0",
                JsonDifference.first(json.readTree("{\"targets\":{\"fe-2\":{\"formation_energy_per_atom\":-2.0}}}"),
                        json.readTree("{\"targets\":{\"fe-2\":{\"formation_energy_per_atom\":-1.0}}}")));
        assertEquals("levels was (not set), now 3", JsonDifference.first(json.readTree("{}"), json.readTree("{\"levels\":3}")));
        assertEquals("strategy was default, now less", JsonDifference.first(json.readTree("{\"strategy\":\"default\"}"),
                json.readTree("{\"strategy\":\"less\"}")));
        // numbers by value: 1 and 1.0 are the same setting
        assertNull(JsonDifference.first(json.readTree("{\"a\":[1,2]}"), json.readTree("{\"a\":[1.0,2.0]}")));
    }
}
