package org.concdvae.crystal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CIF forms from databases and other programs: magnetic CIFs, space groups by symbol or number only, element from
 * labels, DDLm tag spellings, lenient syntax pymatgen accepts, and the features that are refused.
 */
class CifDialectsTest {
    private static String cell(double a, double b, double c, double al, double be, double ga) {
        return "_cell_length_a " + a + "\n_cell_length_b " + b + "\n_cell_length_c " + c + "\n_cell_angle_alpha " + al
                + "\n_cell_angle_beta " + be + "\n_cell_angle_gamma " + ga + "\n";
    }

    private static final String CUBIC = cell(5.64, 5.64, 5.64, 90, 90, 90);

    private static String sites(String... rows) {
        StringBuilder sb = new StringBuilder("loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n");
        for (String r : rows) sb.append(r).append('\n');
        return sb.toString();
    }

    private static Structure read(String body) {
        return CifReader.readOne("data_t\n" + body, "t.cif");
    }

    private static String error(String body) {
        return assertThrows(InvalidStructureException.class, () -> read(body)).getMessage();
    }

    private static int count(Structure s, int z) {
        return (int) Arrays.stream(s.atomicNumbers()).filter(x -> x == z).count();
    }

    // ---- magnetic CIFs ----

    /** A magCIF listing its operations with time reversal and a centring: all images, no moments, no time reversal. */
    @Test
    void magneticOperationsAndCentringsAreApplied() {
        String mcif = "data_mag\n" + cell(4, 4, 8, 90, 90, 90) + """
                _space_group_magn.name_BNS "I_c 4/m"
                loop_
                _space_group_symop_magn_operation.id
                _space_group_symop_magn_operation.xyz
                1 x,y,z,+1
                2 -x,-y,z,+1
                3 -y,x,z,-1
                4 y,-x,z,-1
                5 -x,-y,-z,+1
                6 x,y,-z,+1
                7 y,-x,-z,-1
                8 -y,x,-z,-1
                loop_
                _space_group_symop_magn_centering.id
                _space_group_symop_magn_centering.xyz
                1 x,y,z,+1
                2 x+1/2,y+1/2,z+1/2,-1
                loop_
                _atom_site_label
                _atom_site_type_symbol
                _atom_site_fract_x
                _atom_site_fract_y
                _atom_site_fract_z
                Mn1 Mn 0 0 0
                O1 O 0.1 0.2 0.3
                loop_
                _atom_site_moment.label
                _atom_site_moment.crystalaxis_x
                _atom_site_moment.crystalaxis_y
                _atom_site_moment.crystalaxis_z
                Mn1 0 0 3.5
                """;
        Structure s = CifReader.readOne(mcif, "m.mcif");
        // Mn at the origin: 4/m fixes it, the I centring adds (1/2,1/2,1/2); O on a general position: 8 x 2
        assertEquals(2, count(s, 25));
        assertEquals(16, count(s, 8));
        // the centred image of O carries the centring translation
        boolean found = false;
        for (double[] f : s.fracCoords()) {
            if (Math.abs(f[0] - 0.6) < 1e-12 && Math.abs(f[1] - 0.7) < 1e-12 && Math.abs(f[2] - 0.8) < 1e-12) found = true;
        }
        assertTrue(found, "x+1/2, y+1/2, z+1/2 image of O");
    }

    @Test
    void magneticRefusals() {
        String base = CUBIC + sites("Mn1 0.1 0.2 0.3");
        assertTrue(error(base.replace("loop_\n_atom_site_label", "_space_group_magn.number_BNS 85.59\nloop_\n_atom_site_label"))
                .contains("magnetic space group 85.59 without _space_group_symop_magn_operation.xyz operations"));
        String badCentring = "loop_\n_space_group_symop_magn_operation.xyz\nx,y,z,+1\n"
                + "loop_\n_space_group_symop_magn_centering.xyz\nx,y,z,+1\n-x,y,z,+1\n";
        assertTrue(error(badCentring + base).contains("magnetic centring operation with a rotation part"));
        assertTrue(error("loop_\n_space_group_symop_magn_operation.xyz\nx,y,z,+1\n-x,-y,z,+3\n" + base)
                .contains("time reversal must be +1 or -1"));
    }

    @Test
    void superspaceIsRefused() {
        String msg = error(CUBIC + "loop_\n_cell_wave_vector_seq_id\n_cell_wave_vector_x\n_cell_wave_vector_y\n"
                + "_cell_wave_vector_z\n1 0 0 0.31\n" + sites("Cr1 0 0 0"));
        assertTrue(msg.contains("incommensurate (superspace) structure (_cell_wave_vector_seq_id)"), msg);
        // a modulation dimension of 0 is an ordinary crystal
        assertEquals(1, read(CUBIC + "_cell_modulation_dimension 0\n" + sites("Cr1 0 0 0")).size());
    }

    // ---- space group by symbol or number ----

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "_symmetry_space_group_name_H-M 'F m -3 m'        | 8",
            "_symmetry_space_group_name_H-M Fm-3m             | 8",
            "_symmetry_space_group_name_H-M 'F m 3 m'         | 8",   // pre-1983 cubic symbol
            "_space_group_name_H-M_alt 'F 4/m -3 2/m'         | 8",   // full symbol
            "_space_group_name_Hall '-F 4 2 3'                | 8",
            "_symmetry_Int_Tables_number 225                  | 8",
            "_space_group_IT_number 225                       | 8",
            "_symmetry_space_group_name_H-M 'P m -3 m'        | 2",
            "_symmetry_space_group_name_H-M 'P 1'             | 2",
            "_symmetry_Int_Tables_number 1                    | 2",
    })
    void rockSaltBySymbolOrNumber(String tag, int sites) {
        Structure s = read(CUBIC + tag + "\n" + sites("Na1 0 0 0", "Cl1 0.5 0.5 0.5"));
        assertEquals(sites, s.size());
        assertEquals(sites / 2, count(s, 11));
    }

    /** General position (0.13, 0.27, 0.31): its image count is the group order of the setting the symbol names. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "'P 1 21/n 1'     | 5 6 7 90 100 90   | 4",
            "P21/n            | 5 6 7 90 100 90   | 4",
            "P2_1/c           | 5 6 7 90 100 90   | 4",
            "C12/m1           | 5 6 7 90 100 90   | 8",
            "C2/m             | 5 6 7 90 100 90   | 8",
            "'P 1 1 21/b'     | 5 6 7 90 90 100   | 4",
            "P21              | 5 6 7 90 90 100   | 2",    // the axis the cell allows: P 1 1 21
            "Pm               | 5 6 7 100 90 90   | 2",
            "Pnma             | 5 6 7 90 90 90    | 8",
            "Pbnm             | 5 6 7 90 90 90    | 8",
            "Cmca             | 5 6 7 90 90 90    | 16",
            "R-3m             | 5 5 7 90 90 120   | 36",
            "'R -3 m :H'      | 5 5 7 90 90 120   | 36",
            "R-3mH            | 5 5 7 90 90 120   | 36",
            "'R -3 m H'       | 5 5 7 90 90 120   | 36",
            "R-3m             | 5 5 5 80 80 80    | 12",
            "'R -3 m :R'      | 5 5 5 80 80 80    | 12",
            "P6_3/mmc         | 5 5 7 90 90 120   | 24",
            "'P 63/m m c'     | 5 5 7 90 90 120   | 24",
            "I41/amd          | 5 5 7 90 90 90    | 32",
            "Fd-3m            | 5 5 5 90 90 90    | 192",
    })
    void generalPositionCounts(String symbol, String cell, int images) {
        double[] p = Arrays.stream(cell.trim().split("\\s+")).mapToDouble(Double::parseDouble).toArray();
        Structure s = read(cell(p[0], p[1], p[2], p[3], p[4], p[5]) + "_symmetry_space_group_name_H-M '" + symbol + "'\n"
                + sites("Na1 0.13 0.27 0.31"));
        assertEquals(images, s.size());
    }

    /** Origin choice 2 unless the symbol says :1 (or ICSD's S); diamond's 8a site sits at 1/8 in choice 2, 0 in 1. */
    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource(delimiter = '|', value = {
            "Fd-3m            | 0.125 0.125 0.125 | 8",
            "'F d -3 m :2'    | 0.125 0.125 0.125 | 8",
            "'F d -3 m Z'     | 0.125 0.125 0.125 | 8",
            "'F d -3 m :1'    | 0 0 0             | 8",
            "'F d -3 m S'     | 0 0 0             | 8",
            "Fd-3m            | 0 0 0             | 16",
    })
    void originChoice(String symbol, String xyz, int sites) {
        assertEquals(sites, read(CUBIC + "_symmetry_space_group_name_H-M '" + symbol + "'\n" + sites("Si1 " + xyz)).size());
        if (symbol.equals("Fd-3m") && sites == 8) {
            assertEquals(8, read(CUBIC + "_symmetry_Int_Tables_number 227\n" + sites("Si1 " + xyz)).size());
        }
    }

    @Test
    void explicitOperationsWinOverTheSymbol() {
        // the operation loop is authoritative; the symbol is not consulted
        Structure s = read(CUBIC + "_symmetry_space_group_name_H-M 'F m -3 m'\nloop_\n_symmetry_equiv_pos_as_xyz\nx,y,z\n"
                + sites("Na1 0 0 0"));
        assertEquals(1, s.size());
    }

    @Test
    void unresolvableOrContradictorySpaceGroups() {
        String na = sites("Na1 0.1 0.2 0.3");
        assertTrue(error(CUBIC + "_symmetry_space_group_name_H-M 'X 9'\n" + na).contains("unknown Hermann-Mauguin symbol"));
        assertTrue(error(CUBIC + "_space_group_name_Hall '-Q 9'\n" + na).contains("not one of the 530 tabulated settings"));
        assertTrue(error(CUBIC + "_symmetry_Int_Tables_number 231\n" + na).contains("outside 1..230"));
        assertTrue(error(CUBIC + "_symmetry_Int_Tables_number 22x\n" + na).contains("is not an integer"));
        assertTrue(error(CUBIC + "_symmetry_space_group_name_H-M 'P m -3 m'\n_space_group_name_Hall '-F 4 2 3'\n" + na)
                .contains("contradicts Hall symbol '-F 4 2 3' (No. 225)"));
        assertTrue(error(CUBIC + "_symmetry_space_group_name_H-M 'F d -3 m :3'\n" + na).contains("setting ':3' does not exist"));
        assertTrue(error(CUBIC + "_symmetry_space_group_name_H-M 'P m -3 m (a-1/4,b,c)'\n" + na).contains("origin shifts"));
        // hexagonal operations on a cubic cell
        assertTrue(error(CUBIC + "_symmetry_space_group_name_H-M 'P 6/m m m'\n" + na).contains("do not fit the cell"));
        // P21/c names the c glide of unique axis b; on a cell with gamma != 90 the glide is unknown
        assertTrue(error(cell(5, 6, 7, 90, 90, 100) + "_symmetry_space_group_name_H-M 'P 21/c'\n" + na)
                .contains("(P 1 2_1/c 1, setting b1) do not fit the cell parameters"));
    }

    // ---- elements from labels ----

    @ParameterizedTest(name = "{0}")
    @CsvSource({"Wat, 8", "wat1, 8", "Ow2, 8", "Hw1, 1", "D1, 1", "D, 1", "Dy1, 66", "Ca1, 20", "Co2a, 27", "O1, 8",
            "o3, 8", "Cl1, 17", "Ti4, 22", "Ob, 8", "Md1, 101"})
    void elementFromLabel(String label, int z) {
        assertEquals(z, read(CUBIC + sites(label + " 0 0 0")).atomicNumber(0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "CA1  | ambiguous label 'CA1' (Ca or C?)",
            "NB2  | ambiguous label 'NB2' (Nb or N?)",
            "OH1  | label 'OH1' names a group of atoms",
            "OH2  | label 'OH2' names a group of atoms",
            "NO3a | label 'NO3a' names a group of atoms",
            "T1   | ambiguous label 'T1' (tritium or a tetrahedral site?)",
            "Xx1  | unknown element in label 'Xx1'",
            "1Na  | unknown element in label '1Na'",
    })
    void labelsThatNameNoSingleElement(String label, String expected) {
        String msg = error(CUBIC + sites(label + " 0 0 0"));
        assertTrue(msg.contains(expected), msg);
        assertTrue(msg.startsWith("t.cif, block 't', line "), msg);
    }

    @Test
    void typeSymbolsAreElementSymbols() {
        String loop = "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n";
        // in a type symbol CA is calcium (a symbol, upper-cased), and a charge is dropped
        assertEquals(20, read(CUBIC + loop + "X1 CA 0 0 0\n").atomicNumber(0));
        assertEquals(26, read(CUBIC + loop + "X1 Fe3+ 0 0 0\n").atomicNumber(0));
        assertEquals(1, read(CUBIC + loop + "X1 D 0 0 0\n").atomicNumber(0));
        assertTrue(error(CUBIC + loop + "X1 ? 0 0 0\n").contains("type symbol '?' names no element"));
    }

    // ---- syntax pymatgen accepts ----

    @Test
    void dotCoordinateIsZeroQuestionMarkIsAnError() {
        Structure s = read(CUBIC + sites("Na1 . 0.5 .", "Cl1 0.5 0 0"));
        assertEquals(List.of(0.0, 0.5, 0.0), Arrays.stream(s.fracCoord(0)).boxed().toList());
        assertTrue(error(CUBIC + sites("Na1 ? 0 0")).contains("fractional coordinate x is missing ('?')"));
    }

    @Test
    void ddlmTagSpellingsAreTheSameTags() {
        String ddlm = "_cell.length_a 4\n_cell.length_b 4\n_cell.length_c 4\n_cell.angle_alpha 90\n_cell.angle_beta 90\n"
                + "_cell.angle_gamma 90\nloop_\n_space_group_symop.operation_xyz\nx,y,z\n-x,-y,-z\n"
                + "loop_\n_atom_site.label\n_atom_site.type_symbol\n_atom_site.fract_x\n_atom_site.fract_y\n"
                + "_atom_site.fract_z\nSi1 Si 0.1 0.2 0.3\n";
        assertEquals(2, read(ddlm).size());
    }

    @Test
    void malformedBlockWithoutCrystalDataIsSkipped() {
        String text = "data_powder\n_pd_block_id 1\nloop_\n_pd_meas_2theta\n_pd_meas_intensity\n10.0 100\n10.1\n"
                + "data_crystal\n" + CUBIC + sites("Na1 0 0 0");
        List<Structure> all = CifReader.readAll(text, "p.cif");
        assertEquals(1, all.size());
        assertEquals(11, all.get(0).atomicNumber(0));
        // a malformed block with atom sites is reported, the good block is still read
        String bad = "data_broken\n" + CUBIC + "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n"
                + "_atom_site_fract_z\nNa1 0 0\n" + "data_good\n" + CUBIC + sites("K1 0 0 0");
        List<CifReader.Block> blocks = CifReader.readBlocks(bad, "b.cif");
        assertEquals(2, blocks.size());
        assertTrue(blocks.get(0).error().contains("not a multiple of 4"), blocks.get(0).error());
        assertNull(blocks.get(1).error());
        assertEquals(19, blocks.get(1).structure().atomicNumber(0));
    }

    @Test
    void quotedCommentOverLinesAndEofMarker() {
        String text = "data_c\n_cgraph_comments 'Crystal structure of\n\n  something'\n" + CUBIC + sites("Na1 0 0 0") + "_eof\n";
        assertEquals(1, CifReader.readAll(text, "c.cif").size());
        // a quote still open when the next tag starts is an error, not a value that swallows the tag
        String open = "data_c\n_chemical_name_common 'rock salt\n" + CUBIC + sites("Na1 0 0 0");
        assertTrue(assertThrows(InvalidStructureException.class, () -> CifReader.readAll(open, "o.cif"))
                .getMessage().contains("is never closed"));
    }

    @Test
    void implicitHydrogensAreRefused() {
        String loop = "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
                + "_atom_site_attached_hydrogens\nN1 0 0 0 4\nCl1 0.5 0.5 0.5 0\n";
        assertTrue(error(CUBIC + loop).contains("4 implicit hydrogen atoms"));
        assertEquals(2, read(CUBIC + loop.replace("0 0 0 4", "0 0 0 0")).size());
    }

    @Test
    void symmetryOperationTermsNeedSigns() {
        assertThrows(IllegalArgumentException.class, () -> SymmetryOperation.parse("x1,y,z"));
        assertEquals(0.5, SymmetryOperation.parse("x+1/2,y,z").translation()[0]);
        assertEquals(0.5, SymmetryOperation.parse("1/2+x,y,z").translation()[0]);
    }
}
