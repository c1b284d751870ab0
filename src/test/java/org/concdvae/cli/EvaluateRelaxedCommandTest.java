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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code evaluate relaxed} pairs generated CIFs with the CONTCARs of their DFT relaxations. */
class EvaluateRelaxedCommandTest {
    private static final String CSCL_CIF = "data_CsCl\n_cell_length_a 4.12\n_cell_length_b 4.12\n_cell_length_c 4.12\n"
            + "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_type_symbol\n"
            + "_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nCs 0 0 0\nCl 0.5 0.5 0.5\n";

    private static String contcar(double a) {
        return "CsCl relaxed\n1.0\n" + a + " 0 0\n0 " + a + " 0\n0 0 " + a + "\nCs Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n"
                + "\n0 0 0\n0 0 0\n"; // CONTCAR velocities
    }

    @Test
    void contcarsInRelaxationDirectoriesAndByName(@TempDir Path dir) throws Exception {
        Path gen = Files.createDirectory(dir.resolve("gen"));
        Files.writeString(gen.resolve("s1.cif"), CSCL_CIF);
        Files.writeString(gen.resolve("s2.cif"), CSCL_CIF);
        Path rel = Files.createDirectory(dir.resolve("rel"));
        Path s1 = Files.createDirectory(rel.resolve("s1"));
        Files.writeString(s1.resolve("CONTCAR"), contcar(4.20));
        Files.writeString(rel.resolve("CONTCAR_s2"), contcar(4.02));
        Path out = dir.resolve("out");
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("evaluate", "relaxed", "--generated", gen.toString(), "--relaxed", rel.toString(),
                "--out", out.toString(), "--quiet");
        assertEquals(0, code, err.toString());
        List<String> rows = Files.readAllLines(out.resolve("relaxed.csv"));
        assertEquals(3, rows.size(), rows.toString());
        assertTrue(rows.get(1).startsWith("s1,0.08"), rows.get(1));
        assertTrue(rows.get(2).startsWith("s2,0.1"), rows.get(2));
        assertTrue(rows.get(1).endsWith(",true,"), rows.get(1));
    }
}
