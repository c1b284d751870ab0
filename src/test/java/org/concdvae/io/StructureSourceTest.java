package org.concdvae.io;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StructureSourceTest {
    private static final String NACL = """
            data_NaCl
            _cell_length_a 5.64
            _cell_length_b 5.64
            _cell_length_c 5.64
            _cell_angle_alpha 90
            _cell_angle_beta 90
            _cell_angle_gamma 90
            loop_
            _atom_site_type_symbol
            _atom_site_label
            _atom_site_fract_x
            _atom_site_fract_y
            _atom_site_fract_z
            Na Na1 0 0 0
            Cl Cl1 0.5 0.5 0.5
            """;

    /** Every CIF of every data table parses, the count per file is the table's row count, ids are material ids. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "data/mp20-sample/train.csv, 1083", "data/mp20-sample/val.csv, 136", "data/mp20-sample/test.csv, 136",
            "data/mptest/train.csv, 49", "data/mptest/val.csv, 10", "data/mptest/test.csv, 10",
            "data/mptest4conz/train.csv, 49", "data/mptest4conz/val.csv, 10", "data/mptest4conz/test.csv, 10",
            "data/perov_5/val.csv, 3787", "data/perov_5/test.csv, 3785",
            "data/carbon_24/val.csv, 2032", "data/carbon_24/test.csv, 2030"})
    void everySharedCifParses(String file, int rows) {
        List<StructureSource.Entry> entries = StructureSource.read(SharedData.path(file));
        assertEquals(rows, entries.size());
        List<String> bad = entries.stream().filter(e -> !e.ok()).map(StructureSource.Entry::error).toList();
        assertTrue(bad.isEmpty(), bad.size() + " rejected, first: " + bad.subList(0, Math.min(5, bad.size())));
        for (StructureSource.Entry e : entries) {
            assertTrue(e.structure().size() >= 1 && e.structure().size() <= 24, e.id());
            assertFalse(e.id().matches("\\d+") && file.contains("mp"), "material_id used as id: " + e.id());
        }
        if (file.contains("perov")) assertTrue(entries.stream().allMatch(e -> e.structure().size() == 5));
        if (file.contains("carbon")) {
            assertTrue(entries.stream().allMatch(e -> e.structure().composition().numElements() == 1
                    && e.structure().atomicNumber(0) == 6));
        }
    }

    @Test
    void csvIdsRowsAndPerRowErrors(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("gen.csv");
        String bad = NACL.replace("Cl Cl1", "Qq Qq1");
        Files.writeString(csv, ",cif,energy\n0,\"" + NACL + "\",1.0\n1,\"" + bad + "\",2.0\n2,\"" + NACL + "\",3.0\n");
        List<StructureSource.Entry> e = StructureSource.read(csv);
        assertEquals(3, e.size());
        assertEquals(List.of("1", "2", "3"), e.stream().map(StructureSource.Entry::id).toList());
        assertTrue(e.get(0).ok() && e.get(2).ok());
        assertFalse(e.get(1).ok());
        assertTrue(e.get(1).error().startsWith(csv + " row 2 (id 2)"), e.get(1).error());
        assertTrue(e.get(1).error().contains("unknown element 'Qq'"), e.get(1).error());
        InvalidStructureException ex = assertThrows(InvalidStructureException.class, () -> StructureSource.readStrict(csv));
        assertTrue(ex.getMessage().contains("row 2"), ex.getMessage());

        Path withId = dir.resolve("ids.csv");
        Files.writeString(withId, "id,material_id,cif\nabc,mp-1,\"" + NACL + "\"\n");
        assertEquals("abc", StructureSource.read(withId).get(0).id());
        Path noCif = dir.resolve("nocif.csv");
        Files.writeString(noCif, "a,b\n1,2\n");
        InvalidInputException ie = assertThrows(InvalidInputException.class, () -> StructureSource.read(noCif));
        assertTrue(ie.getMessage().contains("no 'cif' column"), ie.getMessage());
        Path broken = dir.resolve("broken.csv");
        Files.writeString(broken, "id,cif\n1,\"data_x\n_cell_length_a 3\n");
        assertThrows(InvalidInputException.class, () -> StructureSource.read(broken));
        assertThrows(InvalidInputException.class, () -> StructureSource.read(dir.resolve("missing.cif")));
        Path bom = dir.resolve("bom.csv");
        Files.writeString(bom, "\uFEFFid,cif\nx1,\"" + NACL + "\"\n");
        assertEquals("x1", StructureSource.read(bom).get(0).id());
        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, "");
        assertTrue(assertThrows(InvalidInputException.class, () -> StructureSource.read(empty)).getMessage()
                .endsWith("empty.csv: empty file"));
        Path shortRow = dir.resolve("short.csv");
        Files.writeString(shortRow, "id,energy,cif\na,1.0\nb,2.0,\"" + NACL + "\"\n");
        List<StructureSource.Entry> sr = StructureSource.read(shortRow);
        assertFalse(sr.get(0).ok());
        assertTrue(sr.get(0).error().contains("row 1") && sr.get(0).error().contains("no 'cif' value"), sr.get(0).error());
        assertTrue(sr.get(1).ok());
    }

    @Test
    void directoriesAndMultiBlockFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b.cif"), NACL);
        Files.writeString(dir.resolve("a.cif"), NACL + "\n" + NACL.replace("data_NaCl", "data_second"));
        Files.writeString(dir.resolve("c.cif"), "garbage\n");
        Files.writeString(dir.resolve("notes.txt"), "not a cif");
        List<StructureSource.Entry> e = StructureSource.read(dir);
        assertEquals(List.of("a#NaCl", "a#second", "b", "c"), e.stream().map(StructureSource.Entry::id).toList());
        assertTrue(e.get(0).ok() && e.get(1).ok() && e.get(2).ok());
        assertFalse(e.get(3).ok());
        assertTrue(e.get(3).error().contains("c.cif"), e.get(3).error());
        Structure s = e.get(2).require();
        assertEquals(2, s.size());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(InvalidInputException.class, () -> StructureSource.read(empty));
    }

    @Test
    void latin1FilesAreRead(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("latin.cif");
        byte[] text = ("# auteur: Fran\u00e7ois\n" + NACL).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(f, text);
        assertTrue(StructureSource.read(f).get(0).ok());
    }

    private static final String POSCAR = "NaCl\n1.0\n5.64 0 0\n0 5.64 0\n0 0 5.64\nNa Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n";

    private static String xyzFrames(int n) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < n; k++) {
            sb.append("2\nLattice=\"5.64 0 0 0 5.64 0 0 0 5.64\" Properties=species:S:1:pos:R:3 pbc=\"T T T\" step=")
                    .append(k).append("\nNa 0 0 0\nCl 2.82 2.82 2.82\n");
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"POSCAR, POSCAR", "CONTCAR, CONTCAR", "CONTCAR_0012, 0012", "POSCAR-195, 195", "poscar.mp-1, mp-1",
            "NaCl.vasp, NaCl", "NaCl.poscar, NaCl"})
    void poscarNamesAndIds(String name, String id, @TempDir Path dir) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, POSCAR);
        List<StructureSource.Entry> e = StructureSource.read(f);
        assertEquals(1, e.size());
        assertEquals(id, e.get(0).id());
        assertEquals(2, e.get(0).require().size());
        assertEquals(11, e.get(0).require().atomicNumber(0));
    }

    @Test
    void extendedXyzOneEntryPerFrame(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("one.xyz"), xyzFrames(1));
        Files.writeString(dir.resolve("traj.extxyz"), xyzFrames(3));
        assertEquals(List.of("one"), StructureSource.read(dir.resolve("one.xyz")).stream().map(StructureSource.Entry::id).toList());
        List<StructureSource.Entry> t = StructureSource.read(dir.resolve("traj.extxyz"));
        assertEquals(List.of("traj#1", "traj#2", "traj#3"), t.stream().map(StructureSource.Entry::id).toList());
        assertTrue(t.stream().allMatch(StructureSource.Entry::ok));
    }

    /** A directory mixes formats; a subdirectory with a CONTCAR (a DFT relaxation) is one entry named after it. */
    @Test
    void directoryOfMixedFormatsAndRelaxationSubdirectories(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.cif"), NACL);
        Files.writeString(dir.resolve("b.vasp"), POSCAR);
        Files.writeString(dir.resolve("c.xyz"), xyzFrames(2));
        Files.writeString(dir.resolve("CONTCAR_d"), POSCAR);
        Files.writeString(dir.resolve("readme.txt"), "notes");
        Path relax = Files.createDirectory(dir.resolve("e"));
        Files.writeString(relax.resolve("POSCAR"), POSCAR.replace("Na Cl", "K Br"));
        Files.writeString(relax.resolve("CONTCAR"), POSCAR);
        Files.writeString(relax.resolve("OUTCAR"), "not read");
        Files.createDirectory(dir.resolve("f")); // no CONTCAR or POSCAR: not a structure
        List<StructureSource.Entry> e = StructureSource.read(dir);
        assertEquals(List.of("d", "a", "b", "c#1", "c#2", "e"), e.stream().map(StructureSource.Entry::id).toList());
        assertTrue(e.stream().allMatch(StructureSource.Entry::ok));
        assertEquals(11, e.get(5).require().atomicNumber(0), "the CONTCAR, not the POSCAR, of the relaxation");
    }

    @Test
    void ambiguousOrUnknownNamesAreErrors(@TempDir Path dir) throws Exception {
        Path both = dir.resolve("POSCAR.cif");
        Files.writeString(both, NACL);
        InvalidInputException a = assertThrows(InvalidInputException.class, () -> StructureSource.read(both));
        assertTrue(a.getMessage().contains("ambiguous name"), a.getMessage());
        Path unknown = dir.resolve("structure.txt");
        Files.writeString(unknown, POSCAR);
        InvalidInputException u = assertThrows(InvalidInputException.class, () -> StructureSource.read(unknown));
        assertTrue(u.getMessage().contains("cannot tell the structure format from the name"), u.getMessage());
        // a CIF under another name is still read as before
        Path cifText = dir.resolve("structure.dat");
        Files.writeString(cifText, NACL);
        assertTrue(StructureSource.read(cifText).get(0).ok());
        // a bad POSCAR is an entry with its reason
        Path bad = dir.resolve("CONTCAR");
        Files.writeString(bad, POSCAR.replace("Na Cl\n", ""));
        StructureSource.Entry b = StructureSource.read(bad).get(0);
        assertFalse(b.ok());
        assertTrue(b.error().startsWith(bad.toString()) && b.error().contains("VASP 4 POSCAR without species"), b.error());
    }
}
