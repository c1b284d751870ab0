package org.concdvae.graph;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PymatgenNeighborOrder} against pymatgen 2022.11.7 (../shared/oracles) and {@link PeriodicNeighborSearch}. */
class PymatgenNeighborOrderTest {

    /**
     * The order: pymatgen's MinimumDistanceNN keeps, in {@code get_neighbors(site, 10)} order, the neighbours within
     * 1.1·d_min, and StructureGraph inserts bonds in that order. Replaying that with this class's per-site order gives
     * the oracle's directed edge list in exactly its order for every row of mindist.csv (the distance-sorted lists of
     * MinimumDistanceNN get the order of only 10 of 496).
     */
    @Test
    void reproducesPymatgensNeighbourOrderEdgeForEdge() {
        List<GraphOracle> rows = GraphOracle.load("mindist.csv");
        List<String> bad = new ArrayList<>();
        for (GraphOracle row : rows) {
            Structure s = row.structure();
            List<List<Neighbor>> all = new ArrayList<>();
            for (int n = 0; n < s.size(); n++) {
                NeighborList nl = PymatgenNeighborOrder.find(s, 10.0, new int[]{n});
                double dmin = Double.POSITIVE_INFINITY;
                for (int e = nl.start(0); e < nl.end(0); e++) dmin = Math.min(dmin, nl.distance(e));
                List<Neighbor> kept = new ArrayList<>();
                for (int e = nl.start(0); e < nl.end(0); e++) {
                    double d = nl.distance(e);
                    if (d < 1.1 * dmin) kept.add(new Neighbor(nl.neighbor(e), new int[]{nl.image(e, 0), nl.image(e, 1), nl.image(e, 2)}, dmin / d, d));
                }
                all.add(kept);
            }
            List<int[]> mine = GraphOracle.rows(StructureGraph.fromNeighbors(s, all).crystalGraph());
            boolean same = mine.size() == row.edges().size();
            for (int i = 0; same && i < mine.size(); i++) same = Arrays.equals(mine.get(i), row.edges().get(i));
            if (!same) bad.add(row.id());
        }
        System.out.printf("pymatgen neighbour order: %d/%d MinimumDistanceNN edge lists identical in order%n",
                rows.size() - bad.size(), rows.size());
        assertTrue(rows.size() > 400);
        assertEquals(List.of(), bad);
    }

    /**
     * The set: counts equal {@code get_all_neighbors(R)} for R = 4, 6, 8 Å on all 4322 geometry.csv structures, with
     * no allowance near the cutoff (distances are pymatgen's to the bit, so even the 1e-6 Å margins agree).
     */
    @Test
    void countsMatchPymatgenExactly() throws IOException {
        List<CSVRecord> rows;
        try (Reader r = Files.newBufferedReader(SharedData.path("oracles/geometry.csv"), StandardCharsets.UTF_8)) {
            rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
        List<String> bad = new ArrayList<>();
        for (CSVRecord row : rows) {
            Structure s = CifReader.readOne(row.get("cif"), row.get("id"));
            for (int r : new int[]{4, 6, 8}) {
                int expected = Integer.parseInt(row.get("nbr_count_" + r));
                int got = PymatgenNeighborOrder.find(s, r).size();
                if (got != expected) bad.add(row.get("id") + " R=" + r + ": " + got + " vs " + expected);
            }
        }
        assertEquals(4322, rows.size());
        assertEquals(List.of(), bad);
    }

    /** Same (neighbour, image) entries with the same distances as the exact search, only in another order. */
    @Test
    void sameEntriesAsThePeriodicNeighborSearch() {
        List<GraphOracle> rows = GraphOracle.load("mindist.csv");
        for (int k = 0; k < rows.size(); k += 5) {
            Structure s = rows.get(k).structure();
            NeighborList a = PymatgenNeighborOrder.find(s, 6.0), b = PeriodicNeighborSearch.find(s, 6.0);
            assertEquals(b.size(), a.size(), rows.get(k).id());
            for (int i = 0; i < s.size(); i++) {
                Map<String, Integer> want = new HashMap<>();
                for (int e = b.start(i); e < b.end(i); e++) want.put(key(b, e), e);
                for (int e = a.start(i); e < a.end(i); e++) {
                    Integer f = want.remove(key(a, e));
                    assertTrue(f != null, rows.get(k).id() + " site " + i + ": " + key(a, e) + " not found by the exact search");
                    assertEquals(b.distance(f), a.distance(e), 1e-12);
                    for (int x = 0; x < 3; x++) assertEquals(b.vector(f, x), a.vector(e, x), 1e-12);
                }
                assertTrue(want.isEmpty());
            }
        }
    }

    @Test
    void rejectsDegenerateSearches() {
        Structure needle = new Structure(org.concdvae.crystal.Lattice.fromMatrix(new double[][]{{1e-5, 0, 0}, {0, 5, 0}, {0, 0, 5}}),
                new int[]{6}, new double[][]{{0, 0, 0}});
        assertThrowsInvalid(() -> PymatgenNeighborOrder.find(needle, 8));
    }

    private static void assertThrowsInvalid(Runnable r) {
        org.junit.jupiter.api.Assertions.assertThrows(org.concdvae.crystal.InvalidStructureException.class, r::run);
    }

    private static String key(NeighborList l, int e) {
        return l.neighbor(e) + ":" + l.image(e, 0) + "," + l.image(e, 1) + "," + l.image(e, 2);
    }

}
