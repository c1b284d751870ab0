package org.concdvae.io;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every POSCAR and XYZ file of src/test/resources/bad-input/structures becomes one bad entry whose one-line reason
 * names the file and says what is wrong (the CIF corpus is {@link BadCifCorpusTest}).
 */
class BadStructureFileCorpusTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "CONTCAR_vasp4_no_species       | vasp4_no_species   | VASP 4 POSCAR without species",
            "POSCAR_unknown_species         | unknown_species    | line 6: unknown element 'Qq' in the species line",
            "POSCAR_truncated               | truncated          | file ends before the position of site 2 of 2",
            "POSCAR_no_coordinate_mode      | no_coordinate_mode | line 8: expected 'Direct' or 'Cartesian', found '0 0 0'",
            "POSCAR_selective_flags_missing | selective_flags_missing | selective dynamics needs 3 T/F flags",
            "molecule.xyz                   | molecule           | no Lattice= on the comment line",
            "slab.extxyz                    | slab               | pbc=\"T T F\" (only 3D periodic frames are crystals)",
            "truncated.xyz                  | truncated          | declares 4 atoms but the file ends before them",
    })
    void oneBadEntryWithItsReason(String file, String id, String expected) throws Exception {
        Path p = Paths.get(BadStructureFileCorpusTest.class.getResource("/bad-input/structures/" + file).toURI());
        List<StructureSource.Entry> entries = StructureSource.read(p);
        assertEquals(1, entries.size());
        StructureSource.Entry e = entries.get(0);
        assertFalse(e.ok());
        assertEquals(id, e.id());
        String msg = e.error();
        assertTrue(msg.startsWith(p.toString()), "names the file: " + msg);
        assertTrue(msg.contains(expected), "'" + msg + "' should contain '" + expected + "'");
        assertFalse(msg.contains("\n"), msg);
    }
}
