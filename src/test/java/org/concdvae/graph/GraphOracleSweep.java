package org.concdvae.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;


/** Runs a bonding strategy over an oracle file and counts rows whose directed edge multiset matches. */
final class GraphOracleSweep {
    final List<String> mismatches = new ArrayList<>();
    int total, sameSet, sameOrder;
    long nanos;

    static GraphOracleSweep run(List<GraphOracle> rows, GraphMethod method) {
        GraphOracleSweep s = new GraphOracleSweep();
        for (GraphOracle row : rows) {
            s.total++;
            long t0 = System.nanoTime();
            CrystalGraph d;
            try {
                d = method.build(row.structure());
            } catch (RuntimeException e) {
                s.nanos += System.nanoTime() - t0;
                s.mismatches.add(row.id() + ": " + e.getMessage());
                continue;
            }
            s.nanos += System.nanoTime() - t0;
            List<int[]> mine = GraphOracle.rows(d);
            Map<String, Integer> a = GraphOracle.multiset(mine), b = GraphOracle.multiset(row.edges());
            if (a.equals(b)) {
                s.sameSet++;
                boolean order = mine.size() == row.edges().size();
                for (int i = 0; order && i < mine.size(); i++) order = java.util.Arrays.equals(mine.get(i), row.edges().get(i));
                if (order) s.sameOrder++;
            } else {
                int extra = 0, missing = 0;
                for (var e : a.entrySet()) extra += Math.max(0, e.getValue() - b.getOrDefault(e.getKey(), 0));
                for (var e : b.entrySet()) missing += Math.max(0, e.getValue() - a.getOrDefault(e.getKey(), 0));
                s.mismatches.add(String.format("%s: %d edges vs %d (extra %d, missing %d)", row.id(), mine.size(),
                        row.edges().size(), extra, missing));
            }
        }
        return s;
    }

    double agreement() { return total == 0 ? 0 : (double) sameSet / total; }

    @Override
    public String toString() {
        return String.format("%d/%d same edge set (%.2f%%), %d same order, %.2f ms/structure; mismatches: %s",
                sameSet, total, 100 * agreement(), sameOrder, nanos / 1e6 / Math.max(1, total), mismatches);
    }
}
