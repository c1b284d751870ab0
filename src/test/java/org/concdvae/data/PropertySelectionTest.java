package org.concdvae.data;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.io.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The training-time property checks on the bad-input corpus, after 'preprocess' kept the columns as they come. */
class PropertySelectionTest {
    static final String P = "src/test/resources/bad-input/preprocess/";
    final Config tiny = ConfigLoader.resolve("tiny", List.of());

    Preprocessor.FileResult asInFile(String file) {
        return Preprocessor.asInFile(tiny, 1, false).process(Path.of(P + file), null);
    }

    @Test
    void rowsWithoutANumberForAPropertyAreDroppedWithOneWarning() {
        for (String f : List.of("nan_property.csv", "empty_property.csv", "text_property.csv")) {
            Preprocessor.FileResult r = asInFile(f);
            assertEquals(2, r.kept().size(), f);
            List<String> warnings = new ArrayList<>();
            List<CrystalRecord> s = PropertySelection.select(r.kept(), r.properties(), tiny, f, warnings::add);
            assertEquals(1, s.size(), f);
            assertEquals(-1.0, s.get(0).properties()[0], 0.0);
            assertEquals(1, warnings.size(), f + ": " + warnings);
            assertTrue(warnings.get(0).contains("1 of 2 crystals dropped") && warnings.get(0).contains("formation_energy_per_atom is not a number")
                    && warnings.get(0).contains(f + " row 2 (bad-"), warnings.get(0));
        }
    }

    @Test
    void aMissingPropertyIsAnErrorNamingWhatTheDataHas() {
        Preprocessor.FileResult r = asInFile("missing_property_column.csv");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> PropertySelection.select(r.kept(), r.properties(), tiny, "d/train.cache", w -> {}));
        assertEquals("d/train.cache: no property 'formation_energy_per_atom' for data.prop (the data has band_gap); "
                + "choose data.prop / data.prelo_prop among them", e.getMessage());
        // a column without a single number (all NaN or empty) is not a property column at all
        Preprocessor.FileResult all = asInFile("all_rows_bad.csv");
        assertEquals(List.of(), all.properties());
        assertThrows(InvalidInputException.class, () -> PropertySelection.select(all.kept(), all.properties(), tiny, "x", w -> {}));
    }

    @Test
    void derivedPropertiesComeFromTheStructureAndTheSpaceGroupColumn() {
        Config c = ConfigLoader.resolve("tiny", List.of("data.prelo_prop=[formation_energy_per_atom, n_atom, crystal_system, spacegroup]"));
        CrystalRecord r = new CrystalRecord("x", "f.csv", 2, new int[]{11, 17}, new double[6], new double[]{4, 4, 4},
                new double[]{90, 90, 90}, new double[]{-1.5, 225}, new int[0], new int[0], new int[0]);
        List<CrystalRecord> s = PropertySelection.select(List.of(r), List.of("formation_energy_per_atom", "spacegroup.number"), c, "x", w -> fail(w));
        assertArrayEquals(new double[]{-1.5, 2, CrystalSystem.code(225), 225}, s.get(0).properties());
    }
}
