package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.CifReader;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.graph.GraphMethods;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzeGraphCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path tmp;

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    static String cif(String name, double a, String... sites) {
        StringBuilder sb = new StringBuilder("data_" + name + "\n_symmetry_space_group_name_H-M   'P 1'\n");
        sb.append("_cell_length_a ").append(a).append("\n_cell_length_b ").append(a).append("\n_cell_length_c ").append(a)
                .append("\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n")
                .append("loop_\n_symmetry_equiv_pos_as_xyz\n  'x, y, z'\n")
                .append("loop_\n_atom_site_type_symbol\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\n");
        for (int i = 0; i < sites.length; i++) sb.append(sites[i].replaceFirst(" ", " " + sites[i].split(" ")[0] + i + " ")).append(" 1\n");
        return sb.toString();
    }

    private static final String ROCKSALT = cif("NaCl", 5.64, "Na 0 0 0", "Na 0.5 0.5 0", "Na 0.5 0 0.5", "Na 0 0.5 0.5",
            "Cl 0.5 0 0", "Cl 0 0.5 0", "Cl 0 0 0.5", "Cl 0.5 0.5 0.5");
    private static final String POLONIUM = cif("Po", 3.35, "Po 0 0 0");

    private List<CSVRecord> readOutput(Path f) throws Exception {
        try (Reader r = Files.newBufferedReader(f)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
    }

    @Test
    void writesOneRowPerStructureInTheOfficialEdgeOrder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cifs"));
        Files.writeString(dir.resolve("a_nacl.cif"), ROCKSALT);
        Files.writeString(dir.resolve("b_po.cif"), POLONIUM);
        Files.writeString(dir.resolve("c_broken.cif"), "data_x\n_cell_length_a 3\n");
        Path o = tmp.resolve("graphs.csv");
        assertEquals(ExitCode.OK, run("analyze", "graph", "--input", dir.toString(), "--output", o.toString(), "--threads", "2"), err.toString());
        assertTrue(err.toString().contains("warning: skipped c_broken"), err.toString());
        assertTrue(out.toString().contains("crystalnn graphs: 2 structures written"), out.toString());
        List<CSVRecord> rows = readOutput(o);
        assertEquals(List.of("id", "n_edges", "edges"), rows.get(0).getParser().getHeaderNames());
        assertEquals("a_nacl", rows.get(0).get("id"));
        assertEquals(48, Integer.parseInt(rows.get(0).get("n_edges")));   // 24 Na–Cl bonds
        assertEquals("b_po", rows.get(1).get("id"));
        JsonNode po = new ObjectMapper().readTree(rows.get(1).get("edges"));
        assertEquals(6, po.size());
        // same edges, same order as the library call on the cell as given
        CrystalGraph g = GraphMethods.create("crystalnn", new GraphMethods.Params(7, 20))
                .build(CifReader.readOne(ROCKSALT, "test"));
        JsonNode nacl = new ObjectMapper().readTree(rows.get(0).get("edges"));
        for (int e = 0; e < g.numEdges(); e++) {
            int[] row = new int[5];
            for (int k = 0; k < 5; k++) row[k] = nacl.get(e).get(k).asInt();
            assertArrayEquals(new int[]{g.source()[e], g.target()[e], g.images()[3 * e], g.images()[3 * e + 1], g.images()[3 * e + 2]}, row);
        }
    }

    @Test
    void radiusAndMinimumDistanceMethods() throws Exception {
        Path in = tmp.resolve("po.cif");
        Files.writeString(in, POLONIUM);
        Path o = tmp.resolve("r.csv");
        assertEquals(ExitCode.OK, run("analyze", "graph", "--method", "radius", "--cutoff", "4", "--max-neighbors", "4",
                "--input", in.toString(), "--output", o.toString(), "-q"), err.toString());
        assertEquals(4, Integer.parseInt(readOutput(o).get(0).get("n_edges")));
        assertEquals(ExitCode.OK, run("analyze", "graph", "--method", "mindistance", "--input", in.toString(),
                "--output", o.toString(), "-q"), err.toString());
        assertEquals(6, Integer.parseInt(readOutput(o).get(0).get("n_edges")));
    }

    @Test
    void badOptionsAreOneLineErrors() throws Exception {
        Path in = tmp.resolve("po.cif");
        Files.writeString(in, POLONIUM);
        Path o = tmp.resolve("x.csv");
        assertEquals(ExitCode.BAD_INPUT, run("analyze", "graph", "--cutoff", "5", "--input", in.toString(), "--output", o.toString()));
        assertEquals(ExitCode.BAD_INPUT, run("analyze", "graph", "--method", "voronoi", "--input", in.toString(), "--output", o.toString()));
        assertEquals(ExitCode.BAD_INPUT, run("analyze", "graph", "--input", tmp.resolve("missing.csv").toString(), "--output", o.toString()));
        for (String line : err.toString().trim().split("\n")) assertTrue(line.startsWith("error: "), err.toString());
        assertFalse(Files.exists(o));
        err.getBuffer().setLength(0);
        // a structure that cannot be used (here overlapping atoms, caught by the CIF reader) is skipped with its
        // reason; if nothing is left, exit 2
        Path dup = tmp.resolve("dup.cif");
        Files.writeString(dup, cif("dup", 4.0, "O 0.0 0.2 0.2", "O 0.99999 0.2 0.2"));
        assertEquals(ExitCode.BAD_INPUT, run("analyze", "graph", "--input", dup.toString(), "--output", o.toString()));
        assertTrue(err.toString().contains("warning: skipped dup: ") && err.toString().contains("same position"), err.toString());
        assertTrue(err.toString().contains("error: no graph could be built"), err.toString());
    }

    @Test
    void benchPrintsMediansBesidePymatgen() {
        Path timings = SharedData.path("oracles/graphs/timings.json");
        Path csv = SharedData.path("data/mptest/test.csv");
        assertEquals(ExitCode.OK, run("bench", "graph", "--input", csv.toString(), "--repeat", "1", "--limit", "5",
                "--reference", timings.toString(), "--threads", "1", "-q"), err.toString());
        String text = out.toString();
        assertTrue(text.contains("niggli + graph"), text);
        assertTrue(text.matches("(?s).*pymatgen 2022\\.11\\.7 .*niggli \\+ graph median 93\\.13 ms.*"), text);
        assertTrue(text.contains("speed-up over pymatgen"), text);
    }
}
