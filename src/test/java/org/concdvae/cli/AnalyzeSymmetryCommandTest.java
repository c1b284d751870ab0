package org.concdvae.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzeSymmetryCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private static final String CSCL = """
            data_CsCl
            _cell_length_a 4.12
            _cell_length_b 4.12
            _cell_length_c 4.12
            _cell_angle_alpha 90
            _cell_angle_beta 90
            _cell_angle_gamma 90
            loop_
            _atom_site_type_symbol
            _atom_site_fract_x
            _atom_site_fract_y
            _atom_site_fract_z
            Cs 0 0 0
            Cl 0.5 0.5 0.5
            """;

    private static final String HCP = """
            data_Mg
            _cell_length_a 3.21
            _cell_length_b 3.21
            _cell_length_c 5.21
            _cell_angle_alpha 90
            _cell_angle_beta 90
            _cell_angle_gamma 120
            loop_
            _atom_site_type_symbol
            _atom_site_fract_x
            _atom_site_fract_y
            _atom_site_fract_z
            Mg 0.33333333 0.66666667 0.25
            Mg 0.66666667 0.33333333 0.75
            """;

    @Test
    void writesOneRowPerStructureWithErrorsInTheirOwnColumn(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectory(dir.resolve("cifs"));
        Files.writeString(in.resolve("a_cscl.cif"), CSCL);
        Files.writeString(in.resolve("b_mg.cif"), HCP);
        Files.writeString(in.resolve("c_broken.cif"), "data_x\n_cell_length_a 3\n");
        Path outCsv = dir.resolve("sym.csv");
        assertEquals(ExitCode.OK, run("analyze", "symmetry", "--input", in.toString(), "--output", outCsv.toString(),
                "--symprec", "0.1", "--threads", "2", "--quiet"), err.toString());
        List<String> lines = Files.readAllLines(outCsv);
        assertEquals("id,formula,n_sites,spacegroup_number,spacegroup_symbol,crystal_system,point_group,error", lines.get(0));
        assertEquals("a_cscl,CsCl,2,221,Pm-3m,cubic,m-3m,", lines.get(1));
        assertEquals("b_mg,Mg,2,194,P6_3/mmc,hexagonal,6/mmm,", lines.get(2));
        assertTrue(lines.get(3).startsWith("c_broken,,,,,,,"), lines.get(3));
        assertFalse(lines.get(3).endsWith(","), "error message present: " + lines.get(3));
    }

    @Test
    void badOptionsAndMissingInputAreOneLineErrors(@TempDir Path dir) {
        assertEquals(ExitCode.BAD_INPUT, run("analyze", "symmetry", "--input", dir.resolve("none.cif").toString(),
                "--output", dir.resolve("o.csv").toString(), "--quiet"));
        assertTrue(err.toString().startsWith("error: "), err.toString());
        assertEquals(1, err.toString().strip().lines().count());
        assertEquals(ExitCode.BAD_INPUT, run("analyze", "symmetry", "--input", dir.toString(),
                "--output", dir.resolve("o.csv").toString(), "--symprec", "-1", "--quiet"));
        assertFalse(Files.exists(dir.resolve("o.csv")));
    }
}
