package org.concdvae.io;

import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.InvalidStructureException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file of src/test/resources/bad-input/cif is rejected with a one-line message that names the file and says
 * what is wrong, both by the strict reader and as a bad entry of the lenient one.
 */
class BadCifCorpusTest {
    static Path corpus(String name) throws URISyntaxException {
        return Paths.get(BadCifCorpusTest.class.getResource("/bad-input/cif/" + name).toURI());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "truncated_row.cif                  | not a multiple of 6",
            "truncated_text_field.cif           | ';' text field is never closed",
            "unknown_element.cif                | unknown element 'Xx'",
            "partial_occupancy.cif              | partial occupancy 0.5",
            "mixed_species_site.cif             | duplicate or mixed-species site",
            "duplicate_sites.cif                | duplicate or mixed-species site",
            "zero_volume_angles.cif             | zero volume",
            "negative_volume_angles.cif         | impossible (negative squared) volume",
            "zero_cell_length.cif               | cell length c = 0.0 must be positive",
            "angle_out_of_range.cif             | cell angle beta = 180 must lie strictly between 0 and 180",
            "missing_cell_length.cif            | missing cell parameter _cell_length_b",
            "non_numeric_coordinate.cif         | fractional coordinate x 'abc' is not a number",
            "unknown_coordinate.cif             | fractional coordinate x is missing ('?')",
            "empty.cif                          | empty CIF input",
            "blank.cif                          | no data_ block found",
            "binary_garbage.cif                 | binary or non-text content",
            "no_atoms.cif                       | no atoms (the atom site loop is empty)",
            "missing_atom_site_loop.cif         | no _atom_site_fract_x/y/z loop (no atoms)",
            "bad_symmetry_operation.cif         | bad symmetry operation 'x,y'",
            "unknown_space_group_symbol.cif     | space group 'F m -3 q' (no operation loop): unknown Hermann-Mauguin symbol",
            "superspace.cif                     | incommensurate (superspace) structure (_cell_modulation_dimension)",
            "ambiguous_label.cif                | ambiguous label 'CA1' (Ca or C?)",
            "group_label.cif                    | label 'OH1' names a group of atoms, not one element",
            "tetrahedral_site_label.cif         | ambiguous label 'T1' (tritium or a tetrahedral site?)",
            "magnetic_group_without_operations.cif | magnetic space group P_C 4/n c c without _space_group_symop_magn_operation.xyz",
            "bad_magnetic_operation.cif         | bad magnetic symmetry operation '-x,-y,z,+2' (time reversal must be +1 or -1)",
            "contradicting_space_group.cif      | space group number 221 contradicts space group 'F m -3 m' (No. 225)",
            "setting_does_not_fit_cell.cif      | do not fit the cell parameters (wrong setting or unique axis?)",
            "rhombohedral_axes_unknown.cif      | rhombohedral group without ':H' or ':R'",
            "implicit_hydrogens.cif             | 4 implicit hydrogen atoms (_atom_site_attached_hydrogens)",
            "symmetry_operation_missing_sign.cif | bad symmetry operation '-x1,-y,-z' (cannot read '-x1')",
            "duplicate_tag.cif                  | tag _cell_length_a given twice with different values (first on line 2)",
            "cartesian_only.cif                 | only Cartesian atom sites",
            "not_a_cif.cif                      | before any data_ block (not a CIF file?)",
            "unterminated_quote.cif             | is never closed",
            "negative_occupancy.cif             | negative occupancy -1.0",
            "missing_fract_z.cif                | missing _atom_site_fract_z",
            "huge_number.cif                    | fractional coordinate x '1e400' is out of range",
    })
    void rejectedWithOneLineReason(String file, String expected) throws Exception {
        Path p = corpus(file);
        InvalidStructureException e = assertThrows(InvalidStructureException.class,
                () -> CifReader.readAll(StructureSource.readText(p), file));
        String msg = e.getMessage();
        assertTrue(msg.startsWith(file), "message names the file: " + msg);
        assertTrue(msg.contains(expected), "message '" + msg + "' should contain '" + expected + "'");
        assertFalse(msg.contains("\n") || msg.contains("\r"), "one line: " + msg);
        assertTrue(msg.length() < 300, "short: " + msg);

        List<StructureSource.Entry> entries = StructureSource.read(p);
        assertEquals(1, entries.size());
        assertFalse(entries.get(0).ok());
        assertEquals(file.substring(0, file.length() - 4), entries.get(0).id());
        assertTrue(entries.get(0).error().contains(expected), entries.get(0).error());
        assertTrue(entries.get(0).error().contains(p.toString()), "lenient entry names the path");
        assertThrows(InvalidStructureException.class, () -> StructureSource.readStrict(p));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"truncated_row.cif, near line 20", "unknown_element.cif, line 19", "partial_occupancy.cif, line 19"})
    void messagesNameTheLine(String file, String line) throws Exception {
        String msg = assertThrows(InvalidStructureException.class,
                () -> CifReader.readAll(StructureSource.readText(corpus(file)), file)).getMessage();
        assertTrue(msg.toLowerCase(Locale.ROOT).contains(line), msg);
        assertTrue(msg.contains("block 'test'"), msg);
    }
}
