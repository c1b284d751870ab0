package org.concdvae.graph;

import org.junit.jupiter.api.Test;

class DebugOneTest {
    @Test
    void dump() {
        String id = System.getProperty("dbg.id", "mp-550206");
        String file = System.getProperty("dbg.file", "crystalnn.csv");
        for (GraphOracle row : GraphOracle.load(file)) {
            if (!row.id().equals(id)) continue;
            var s = row.structure();
            PeriodicSphere sp = new PeriodicSphere(s);
            CrystalNN c = new CrystalNN();
            for (int n = 0; n < s.size(); n++) {
                var faces = new VoronoiNN(7).polyhedron(sp, s, n);
                double max = faces.stream().mapToDouble(VoronoiFace::solidAngle).max().orElse(0);
                StringBuilder sb = new StringBuilder("site " + n + ":");
                for (var f : faces) if (f.solidAngle() / max > 0.0004)
                    sb.append(String.format(" (%.6f %d %s %.4f %d)", f.solidAngle() / max, f.site(), java.util.Arrays.toString(f.image()), f.distance(), f.nVerts()));
                System.out.println(sb);
                System.out.println("  cnWeights " + c.nnData(s, n).cnWeights());
            }
        }
    }
}
