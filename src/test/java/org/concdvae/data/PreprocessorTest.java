package org.concdvae.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.io.InvalidInputException;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PreprocessorTest {
    static final String CSCL = "data_CsCl\n_cell_length_a 4.12\n_cell_length_b 4.12\n_cell_length_c 4.12\n"
            + "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"
            + "loop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
            + "Cs 0 0 0\nCl 0.5 0.5 0.5\n";

    static String row(String id, String fe, String gap, String cif) {
        return id + "," + fe + "," + gap + ",\"" + cif + "\"\n";
    }

    @Test
    void derivedPropertiesMatchTheColumnsOfMptest4conz() throws IOException {
        Path csv = SharedData.path("data/mptest4conz/train.csv");
        try (Reader r = Files.newBufferedReader(csv)) {
            for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                int sg = Integer.parseInt(rec.get("spacegroup"));
                assertEquals(Integer.parseInt(rec.get("crystal_system")), CrystalSystem.code(sg), rec.get("material_id"));
            }
        }
        // n_atom / crystal_system derived from mp20-sample (which has neither column) equal mptest4conz's columns
        Config cfg = ConfigLoader.resolve("mptest4conz", List.of("data.graph_method=none"));
        Map<String, CrystalRecord> derived = new HashMap<>();
        Config cfg20 = ConfigLoader.resolve("tiny", List.of("data.graph_method=none",
                "data.prelo_prop=[formation_energy_per_atom,crystal_system,spacegroup,n_atom]"));
        for (CrystalRecord c : new Preprocessor(cfg20, 2, true).process(SharedData.path("data/mp20-sample/train.csv"), null).kept()) {
            derived.put(c.id(), c);
        }
        Preprocessor p = new Preprocessor(cfg, 2, true);
        List<String> names = p.propertyNames();
        int matched = 0;
        for (CrystalRecord c : p.process(csv, null).kept()) {
            CrystalRecord d = derived.get(c.id());
            if (d == null) continue;
            matched++;
            assertEquals(c.properties()[names.indexOf("crystal_system")], d.properties()[1], c.id());
            assertEquals(c.properties()[names.indexOf("spacegroup")], d.properties()[2], c.id());
            assertEquals(c.properties()[names.indexOf("n_atom")], d.properties()[3], c.id());
        }
        assertTrue(matched >= 30, "materials in both tables: " + matched);
    }

    @Test
    void badRowsAreRejectedWithReasonsAndFiltersApply(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.csv");
        Files.writeString(f, "material_id,formation_energy_per_atom,band_gap,cif\n"
                + row("ok", "-1.0", "1.0", CSCL)
                + row("nan", "NaN", "1.0", CSCL)
                + row("empty", "", "1.0", CSCL)
                + row("word", "abc", "1.0", CSCL)
                + row("badcif", "-1", "1.0", "data_x\n_cell_length_a 3\n")
                + row("gap", "-1", "9.5", CSCL)
                + row("sparse", "-1", "1.0", CSCL.replace("4.12", "40.0")));
        Config cfg = ConfigLoader.resolve("tiny", List.of("data.filter.max_band_gap=8", "data.filter.min_number_density=0.01"));
        Preprocessor.FileResult r = new Preprocessor(cfg, 2, false).process(f, null);
        assertEquals(7, r.read());
        assertEquals(List.of("ok"), r.kept().stream().map(CrystalRecord::id).toList());
        assertEquals(List.of("bad_property", "bad_property", "bad_property", "bad_cif", "band_gap", "low_density"),
                r.rejected().stream().map(Rejection::category).toList());
        assertEquals(List.of(2, 3, 4, 5, 6, 7), r.rejected().stream().map(Rejection::row).toList());
        CrystalRecord ok = r.kept().get(0);
        assertEquals(-1.0, ok.properties()[0]);
        assertTrue(ok.numEdges() > 0, "radius graph built");

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new Preprocessor(cfg, 1, true).process(f, null));
        assertTrue(e.getMessage().startsWith(f + ", row 2 (nan): bad_property"), e.getMessage());

        Path heavy = dir.resolve("md.csv");
        Files.writeString(heavy, "material_id,formation_energy_per_atom,band_gap,cif\n"
                + row("md", "-1.0", "1.0", CSCL.replace("Cs 0 0 0", "Md 0 0 0")));
        Rejection md = new Preprocessor(cfg, 1, false).process(heavy, null).rejected().get(0);
        assertEquals("unsupported_element", md.category());
        assertEquals("unsupported_element: Md (Z = 101) is outside the model's element vocabulary Z = 1..94", md.reason());

        Config big = ConfigLoader.resolve("tiny", List.of("data.filter.max_atoms=1"));
        assertEquals("too_many_atoms", new Preprocessor(big, 1, false).process(f, null).rejected().get(0).category());
    }

    @Test
    void byteOrderMarkAndCrLfAreAccepted(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bom.csv");
        Files.writeString(f, "\uFEFFmaterial_id,formation_energy_per_atom,band_gap,cif\r\n" + row("ok", "-1.0", "1.0", CSCL).replace("\n", "\r\n"));
        Preprocessor.FileResult r = new Preprocessor(ConfigLoader.resolve("tiny", List.of()), 1, true).process(f, null);
        assertEquals("ok", r.kept().get(0).id());
    }

    @Test
    void categoricalValuesMustBeClasses(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.csv");
        Files.writeString(f, "material_id,formation_energy_per_atom,crystal_system,cif\n"
                + "a,-1,6,\"" + CSCL + "\"\nb,-1,7,\"" + CSCL + "\"\nc,-1,2.5,\"" + CSCL + "\"\n");
        Config cfg = ConfigLoader.resolve("tiny", List.of("data.prelo_prop=[formation_energy_per_atom,crystal_system]",
                "prior.conditionmodel={n_features: 8, n_layers: 1, condition_embeddings: [{type: class, condition_name: crystal_system, n_type: 7, n_emb: 8, n_features: 8, n_layers: 1}]}"));
        Preprocessor.FileResult r = new Preprocessor(cfg, 1, false).process(f, null);
        assertEquals(1, r.kept().size());
        assertEquals(2, r.rejected().size());
        assertTrue(r.rejected().get(0).reason().contains("not a class in 0..6"), r.rejected().get(0).reason());
    }

    @Test
    void splitIsSeededAndCoversEveryCrystalOnce() {
        int[][] a = DatasetSplit.assign(1000, 0.1, 0.1, 42), b = DatasetSplit.assign(1000, 0.1, 0.1, 42);
        assertArrayEquals(a[0], b[0]);
        assertEquals(800, a[0].length);
        assertEquals(100, a[1].length);
        assertEquals(100, a[2].length);
        int[] all = new int[1000];
        for (int[] part : a) for (int i : part) all[i]++;
        assertTrue(Arrays.stream(all).allMatch(x -> x == 1));
        assertFalse(Arrays.equals(a[1], DatasetSplit.assign(1000, 0.1, 0.1, 43)[1]));
        int[][] small = DatasetSplit.assign(2, 0.1, 0.1, 1);
        assertEquals(2, small[0].length, "tiny sets keep everything in train");
    }

    @Test
    void latticeScalerFollowsTheOfficialDefinitionAndTextFormat(@TempDir Path dir) {
        CrystalRecord a = new CrystalRecord("a", "f", 1, new int[]{1}, new double[3], new double[]{2, 3, 4}, new double[]{90, 90, 90}, new double[0], new int[0], new int[0], new int[0]);
        CrystalRecord b = new CrystalRecord("b", "f", 2, new int[]{1, 1, 1, 1, 1, 1, 1, 1}, new double[24], new double[]{8, 6, 4}, new double[]{90, 90, 120}, new double[0], new int[0], new int[0], new int[0]);
        LatticeScaler s = LatticeScaler.fit(List.of(a, b));
        // scaled lengths: a → (2,3,4), b → (4,3,2); mean (3,3,3), population std (1,0,1) + 1e-5
        assertArrayEquals(new double[]{3, 3, 3, 90, 90, 105}, s.means(), 1e-12);
        assertArrayEquals(new double[]{1 + 1e-5, 1e-5, 1 + 1e-5, 1e-5, 1e-5, 15 + 1e-5}, s.stds(), 1e-12);
        Path f = dir.resolve("lattice_scaler.txt");
        s.write(f);
        LatticeScaler t = LatticeScaler.read(f);
        assertArrayEquals(s.means(), t.means(), 1e-8);
        assertArrayEquals(s.stds(), t.stds(), 1e-8);
    }
}
