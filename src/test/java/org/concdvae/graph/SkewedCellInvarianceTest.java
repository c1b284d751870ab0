package org.concdvae.graph;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.OracleStructures;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bonds are a property of the crystal, not of the cell: the unimodular variants of niggli.csv (the same crystal
 * in cells skewed by M with entries up to ±2, coordinates written with 8 decimals) must give the same bonds, used as
 * given without reduction, as their originals. Compared as sorted (Z_source, Z_target, length) lists within 1e-5 Å.
 */
class SkewedCellInvarianceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void skewedCellsGiveTheSameBondsAsTheirOriginals() throws Exception {
        Map<String, Structure> originals = new HashMap<>();
        List<String[]> variants = new ArrayList<>();
        Map<String, Structure> variantStructures = new HashMap<>();
        try (Reader r = Files.newBufferedReader(SharedData.path("oracles/graphs/niggli.csv"))) {
            for (CSVRecord rec : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                Structure s = OracleStructures.of(JSON.readTree(rec.get("input_structure")));
                if (rec.get("kind").equals("original")) {
                    originals.put(rec.get("id"), s);
                } else {
                    variants.add(new String[]{rec.get("id"), rec.get("base_id")});
                    variantStructures.put(rec.get("id"), s);
                }
            }
        }
        for (String method : new String[]{"crystalnn", "mindistance"}) {
            GraphMethod gm = GraphMethods.create(method, new GraphMethods.Params(7, 20));
            int same = 0, total = 0;
            StringBuilder bad = new StringBuilder();
            for (int i = 0; i < variants.size(); i += 4) { // a quarter of the 500 keeps the default suite short
                String[] v = variants.get(i);
                total++;
                if (sameBonds(gm, originals.get(v[1]), variantStructures.get(v[0]))) same++;
                else bad.append(' ').append(v[0]);
            }
            System.out.printf("%s: %d/%d skewed cells give the original's bonds;%s%n", method, same, total, bad);
            assertTrue(same >= 0.97 * total, method + ": " + same + "/" + total + bad);
        }
    }

    private static boolean sameBonds(GraphMethod gm, Structure a, Structure b) {
        List<double[]> x = bonds(a, gm.build(a)), y = bonds(b, gm.build(b));
        if (x.size() != y.size()) return false;
        for (int i = 0; i < x.size(); i++) {
            if (x.get(i)[0] != y.get(i)[0] || x.get(i)[1] != y.get(i)[1] || Math.abs(x.get(i)[2] - y.get(i)[2]) > 1e-5) return false;
        }
        return true;
    }

    private static List<double[]> bonds(Structure s, CrystalGraph g) {
        List<double[]> out = new ArrayList<>();
        for (int e = 0; e < g.numEdges(); e++) {
            out.add(new double[]{s.atomicNumber(g.source()[e]), s.atomicNumber(g.target()[e]), g.distances()[e]});
        }
        out.sort(Comparator.<double[]>comparingDouble(t -> t[0]).thenComparingDouble(t -> t[1]).thenComparingDouble(t -> t[2]));
        return out;
    }
}
