package org.concdvae.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.cli.Main;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.CifWriter;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Relaxed = generated with a, b, c stretched by 2 % and γ unchanged: MAC = 0.02·mean(a), RMSD ≈ 0 (matcher scales). */
class RelaxationComparisonTest {
    @TempDir
    Path tmp;

    @Test
    void macAndRmsdOfStretchedCells() throws Exception {
        List<Structure> structures = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(SharedData.path("data/mp20-sample/test.csv"));
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setAllowMissingColumnNames(true).build().parse(r)) {
            for (CSVRecord rec : p) {
                structures.add(CifReader.readOne(rec.get("cif"), rec.get("material_id")));
                if (structures.size() == 3) break;
            }
        }
        Path gen = Files.createDirectories(tmp.resolve("gen")), rel = Files.createDirectories(tmp.resolve("rel"));
        double[] sum = new double[3];
        for (int i = 0; i < 3; i++) {
            Structure s = structures.get(i);
            Files.writeString(gen.resolve("x" + i + ".cif"), CifWriter.write(s));
            if (i == 2) continue;                                   // x2 has no relaxed partner
            double[] m = s.lattice().parameters();
            for (int k = 0; k < 3; k++) sum[k] += 0.02 * m[k];
            Lattice stretched = Lattice.fromParameters(1.02 * m[0], 1.02 * m[1], 1.02 * m[2], m[3], m[4], m[5]);
            Files.writeString(rel.resolve("x" + i + ".cif"), CifWriter.write(s.withLatticeKeepingFractional(stretched)));
        }
        Path out = tmp.resolve("out");
        int code = new CommandLine(new Main()).execute("evaluate", "relaxed", "--generated", gen.toString(), "--relaxed", rel.toString(),
                "--out", out.toString(), "--quiet");
        assertEquals(0, code);
        JsonNode j = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(2, j.get("pairs").asInt());
        assertEquals(2, j.get("matched").asInt());
        // CIF coordinates carry ~1e-6 Å rounding; tolerance 1e-4 Å
        assertEquals(sum[0] / 2, j.get("mac_a").asDouble(), 1e-4);
        assertEquals(sum[1] / 2, j.get("mac_b").asDouble(), 1e-4);
        assertEquals(sum[2] / 2, j.get("mac_c").asDouble(), 1e-4);
        assertEquals(0.0, j.get("mac_gamma").asDouble(), 1e-3);
        assertEquals(0.0, j.get("mean_rmsd").asDouble(), 1e-3);
        assertEquals("x2", j.get("only_generated").get(0).asText());
        assertTrue(Files.readString(out.resolve("report.md")).contains("MAC a"));

        Path empty = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(empty.resolve("y.cif"), CifWriter.write(structures.get(0)));
        assertEquals(2, new CommandLine(new Main()).execute("evaluate", "relaxed", "--generated", gen.toString(), "--relaxed",
                empty.toString(), "--out", tmp.resolve("o2").toString(), "--quiet"));
    }
}
