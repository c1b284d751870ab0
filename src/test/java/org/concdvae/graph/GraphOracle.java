package org.concdvae.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.OracleStructures;
import org.concdvae.testutil.SharedData;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Rows of ../shared/oracles/graphs/{crystalnn,mindist}.csv: the exact graph input and pymatgen's edge list. */
record GraphOracle(String id, Structure structure, List<int[]> edges) {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, List<GraphOracle>> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    /** Rows of one oracle file (parsed once per test JVM). */
    static List<GraphOracle> load(String file) {
        Path p = SharedData.path("oracles/graphs/" + file);
        return CACHE.computeIfAbsent(file, f -> parse(p));
    }

    private static List<GraphOracle> parse(Path p) {
        List<GraphOracle> rows = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(p)) {
            for (CSVRecord rec : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                Structure structure = OracleStructures.of(JSON.readTree(rec.get("lattice_matrix")), JSON.readTree(rec.get("structure")));
                List<int[]> edges = new ArrayList<>();
                for (JsonNode e : JSON.readTree(rec.get("edges"))) {
                    int[] row = new int[5];
                    for (int k = 0; k < 5; k++) row[k] = e.get(k).asInt();
                    edges.add(row);
                }
                rows.add(new GraphOracle(rec.get("id"), structure, edges));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return List.copyOf(rows);
    }

    /** Multiset of edges as "s,t,ix,iy,iz" → count. */
    static Map<String, Integer> multiset(List<int[]> edges) {
        Map<String, Integer> m = new HashMap<>();
        for (int[] e : edges) m.merge(e[0] + "," + e[1] + "," + e[2] + "," + e[3] + "," + e[4], 1, Integer::sum);
        return m;
    }

    /** Edges as {@code [source, target, ix, iy, iz]} rows. */
    static List<int[]> rows(CrystalGraph g) {
        List<int[]> r = new ArrayList<>(g.numEdges());
        int[] s = g.source(), t = g.target(), im = g.images();
        for (int e = 0; e < g.numEdges(); e++) r.add(new int[]{s[e], t[e], im[3 * e], im[3 * e + 1], im[3 * e + 2]});
        return r;
    }
}
