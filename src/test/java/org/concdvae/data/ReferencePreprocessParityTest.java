package org.concdvae.data;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.io.Safetensors;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-crystal preprocessing (CIF → Niggli → lattice from parameters, model.md §1) against the official
 * pipeline's cached batch (../shared/reference/batch8_inputs: the first 8 crystals of mptest's test_data.pt).
 * Lengths within 1e-4 Å, angles within 1e-3°, fractional coordinates within 1e-5 (the reference is float32),
 * species and site order exact, the formation energy as stored.
 */
class ReferencePreprocessParityTest {

    @Test
    void mptestBatchMatchesOfficialPreprocessing() {
        Safetensors in = Safetensors.read(SharedData.path("reference/batch8_inputs.safetensors"));
        String[] ids = in.metadata().get("mp_ids").split(",");
        Config cfg = ConfigLoader.resolve("mptest", List.of("data.graph_method=none"));
        Preprocessor pre = new Preprocessor(cfg, 2, true);
        Preprocessor.FileResult r = pre.process(SharedData.path("data/mptest/test.csv"), null);
        Map<String, CrystalRecord> byId = new HashMap<>();
        for (CrystalRecord c : r.kept()) byId.put(c.id(), c);

        int[] numAtoms = in.ints("num_atoms");
        int[] types = in.ints("atom_types");
        float[] frac = in.floats("frac_coords"), len = in.floats("lengths"), ang = in.floats("angles");
        float[] fe = in.floats("formation_energy_per_atom");
        int fePos = pre.propertyNames().indexOf("formation_energy_per_atom");
        int a0 = 0;
        for (int b = 0; b < ids.length; b++) {
            CrystalRecord c = byId.get(ids[b]);
            assertEquals(numAtoms[b], c.numAtoms(), ids[b]);
            for (int k = 0; k < 3; k++) {
                assertEquals(len[3 * b + k], c.lengths()[k], 1e-4, ids[b] + " length " + k);
                assertEquals(ang[3 * b + k], c.angles()[k], 1e-3, ids[b] + " angle " + k);
            }
            int[] z = new int[c.numAtoms()];
            System.arraycopy(types, a0, z, 0, z.length);
            assertArrayEquals(z, c.atomTypes(), ids[b] + " species / site order");
            for (int q = 0; q < 3 * c.numAtoms(); q++) {
                double d = frac[3 * a0 + q] - c.fracCoords()[q];
                d -= Math.rint(d); // periodic: 0 and 1 are the same coordinate
                assertEquals(0.0, d, 1e-5, ids[b] + " frac " + q);
            }
            assertEquals(fe[b], c.properties()[fePos], 1e-6, ids[b] + " formation energy");
            a0 += c.numAtoms();
        }
    }
}
