package org.concdvae.graph;

import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PeriodicNeighborSearchTest {

    /** Brute force over a generous image box: sorted "i j a b c" keys with distance. */
    static List<String> brute(Lattice l, double[][] f, double r) {
        List<String> out = new ArrayList<>();
        double[] w = l.perpendicularWidths();
        int[] m = new int[3];
        for (int k = 0; k < 3; k++) m[k] = (int) Math.ceil(r / w[k]) + 2;
        for (int i = 0; i < f.length; i++) for (int j = 0; j < f.length; j++)
            for (int a = -m[0]; a <= m[0]; a++) for (int b = -m[1]; b <= m[1]; b++) for (int c = -m[2]; c <= m[2]; c++) {
                double[] d = {f[j][0] + a - f[i][0], f[j][1] + b - f[i][1], f[j][2] + c - f[i][2]};
                double[] v = l.toCartesian(d);
                double dist = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                if (dist <= r && dist > 1e-8) out.add(i + " " + j + " " + a + " " + b + " " + c);
            }
        Collections.sort(out);
        return out;
    }

    static List<String> keys(NeighborList nl) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nl.numSites(); i++)
            for (int e = nl.start(i); e < nl.end(i); e++)
                out.add(i + " " + nl.neighbor(e) + " " + nl.image(e, 0) + " " + nl.image(e, 1) + " " + nl.image(e, 2));
        Collections.sort(out);
        return out;
    }

    @Test
    void matchesBruteForceOnRandomCellsBothPaths() {
        Random rnd = new Random(7);
        for (int t = 0; t < 30; t++) {
            Lattice l = Lattice.fromParameters(2 + 6 * rnd.nextDouble(), 2 + 6 * rnd.nextDouble(), 2 + 6 * rnd.nextDouble(),
                    60 + 60 * rnd.nextDouble(), 60 + 60 * rnd.nextDouble(), 60 + 60 * rnd.nextDouble());
            if (l.volume() < 1) continue;
            int n = 1 + rnd.nextInt(12);
            double[][] f = new double[n][3];
            // some coordinates outside [0,1) to exercise the image bookkeeping
            for (double[] p : f) for (int k = 0; k < 3; k++) p[k] = -1 + 3 * rnd.nextDouble();
            double r = 2 + 6 * rnd.nextDouble();
            List<String> expect = brute(l, f, r);
            assertEquals(expect, keys(PeriodicNeighborSearch.find(l, f, r, 1, false)), "direct, trial " + t);
            assertEquals(expect, keys(PeriodicNeighborSearch.find(l, f, r, 2, true)), "cell list, trial " + t);
        }
    }

    @Test
    void distancesAndVectorsAreConsistent() {
        Lattice l = Lattice.fromParameters(5.64, 5.64, 5.64, 90, 90, 90);
        Structure nacl = new Structure(l, new int[]{11, 11, 11, 11, 17, 17, 17, 17}, new double[][]{
                {0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}, {.5, 0, 0}, {0, .5, 0}, {0, 0, .5}, {.5, .5, .5}});
        NeighborList nl = PeriodicNeighborSearch.find(nacl, 2.9);
        for (int i = 0; i < 8; i++) assertEquals(6, nl.count(i), "rock salt: 6 nearest neighbours");
        for (int e = 0; e < nl.size(); e++) {
            assertEquals(2.82, nl.distance(e), 1e-12);
            double v = Math.sqrt(Math.pow(nl.vector(e, 0), 2) + Math.pow(nl.vector(e, 1), 2) + Math.pow(nl.vector(e, 2), 2));
            assertEquals(nl.distance(e), v, 1e-12);
        }
    }

    @Test
    void largeSupercellUsesCellListAndAgreesWithDirect() {
        Random rnd = new Random(3);
        Lattice l = Lattice.fromParameters(21, 23, 19, 88, 95, 101);
        double[][] f = new double[300][3];
        for (double[] p : f) for (int k = 0; k < 3; k++) p[k] = rnd.nextDouble();
        assertEquals(keys(PeriodicNeighborSearch.find(l, f, 5.0, 1, false)), keys(PeriodicNeighborSearch.find(l, f, 5.0, 2, true)));
    }
}
