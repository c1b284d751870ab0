package org.concdvae.crystal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NiggliReductionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void reducedCellIsNiggliAndSpansTheSameLattice() {
        Random rnd = new Random(7);
        int checked = 0, notNiggli = 0;
        for (int trial = 0; trial < 300; trial++) {
            Lattice base = Lattice.fromParameters(2 + 6 * rnd.nextDouble(), 2 + 6 * rnd.nextDouble(), 2 + 6 * rnd.nextDouble(),
                    60 + 60 * rnd.nextDouble(), 60 + 60 * rnd.nextDouble(), 60 + 60 * rnd.nextDouble());
            if (base.volume() < 1) continue;
            int[][] u = randomUnimodular(rnd);
            Lattice skew = Lattice.fromMatrix(mul(u, base.matrix()));
            Lattice red = NiggliReduction.reduce(skew);
            assertEquals(skew.volume(), red.volume(), 1e-8 * skew.volume(), "volume preserved");
            assertTrue(red.signedVolume() > 0, "right-handed");
            // same lattice-point set: the reduced vectors are integer combinations of the input and vice versa
            assertIntegral(mul(red.matrix(), skew.inverse()));
            assertIntegral(mul(skew.matrix(), red.inverse()));
            double eps = 1e-5 * Math.cbrt(red.volume()) * 10;
            checked++;
            if (!lengthConditionsHold(red.metric(), eps) || !signConditionsHold(red.metric(), eps)) {
                notNiggli++;
                continue;
            }
            // the reduction of an already reduced cell gives the same parameters
            assertArrayEquals(red.parameters(), NiggliReduction.reduce(red).parameters(), 1e-8);
        }
        // pymatgen tests A2 and the A3/A4 signs on metric values read before step A1; after an A1 swap this can
        // end the loop on a cell with B > C or mixed off-diagonal signs. The port keeps that quirk (the oracle
        // depends on it), so a small share of random skewed cells is not strictly Niggli-reduced.
        System.out.printf("random cells: %d reduced, %d not strictly Niggli (pymatgen quirk)%n", checked, notNiggli);
        assertTrue(checked > 250);
        assertTrue(notNiggli <= checked / 10, "cells failing the Niggli conditions: " + notNiggli);
    }

    @Test
    void agreesWithPymatgenOnTheOracle() throws Exception {
        int rows = 0, niggli = 0, sameMatrix = 0, sameCoords = 0, paramOk = 0, coordsOk = 0, onesExpected = 0, onesReproduced = 0;
        List<String> bad = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(SharedData.path("oracles/graphs/niggli.csv"));
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            for (CSVRecord rec : p) {
                rows++;
                JsonNode in = JSON.readTree(rec.get("input_structure"));
                Structure s = new Structure(Lattice.fromMatrix(matrix(in.get("lattice_matrix"))), species(in.get("species")),
                        matrix(in.get("frac_coords")));
                Structure red = NiggliReduction.reducedStructure(s);
                double[] want = {d(rec, "a"), d(rec, "b"), d(rec, "c"), d(rec, "alpha"), d(rec, "beta"), d(rec, "gamma")};
                double[] got = red.lattice().parameters();
                boolean ok = true;
                for (int i = 0; i < 6; i++) ok &= Math.abs(got[i] - want[i]) <= 1e-6;
                assertEquals(Boolean.parseBoolean(rec.get("lattice_changed")), red != s, rec.get("id") + " lattice_changed");
                JsonNode out = JSON.readTree(rec.get("structure"));
                assertArrayEquals(species(out.get("species")), red.atomicNumbers(), rec.get("id") + " site order");
                double[][] wantF = matrix(out.get("frac_coords"));
                boolean fOk = true;
                for (int i = 0; i < wantF.length; i++) {
                    double[] f = red.fracCoord(i);
                    for (int k = 0; k < 3; k++) {
                        double dd = Math.abs(f[k] - wantF[i][k]);
                        fOk &= Math.min(dd, 1 - dd) <= 1e-6;
                        if (wantF[i][k] == 1.0) {
                            onesExpected++;
                            if (f[k] == 1.0) onesReproduced++;
                        }
                    }
                }
                double eps = 1e-4 * Math.cbrt(red.volume());
                if (lengthConditionsHold(red.lattice().metric(), eps) && signConditionsHold(red.lattice().metric(), eps)) niggli++;
                if (java.util.Arrays.deepEquals(matrix(JSON.readTree(rec.get("niggli_matrix"))), red.lattice().matrix())) sameMatrix++;
                if (java.util.Arrays.deepEquals(wantF, red.fracCoords())) sameCoords++;
                if (ok) paramOk++;
                if (fOk) coordsOk++;
                if ((!ok || !fOk) && bad.size() < 20) bad.add(rec.get("id") + (ok ? "" : " params") + (fOk ? "" : " coords"));
            }
        }
        System.out.printf("niggli oracle: %d rows, parameters within 1e-6: %d, coordinates (mod 1) within 1e-6: %d, "
                + "exact 1.0 coordinates reproduced %d of %d; strictly Niggli cells %d; bit-identical reduced matrix %d, coordinates %d; first misses %s%n", rows, paramOk, coordsOk, onesReproduced, onesExpected, niggli, sameMatrix, sameCoords, bad);
        assertTrue(niggli >= rows * 0.95, "Niggli conditions hold (within 1e-4 V^(1/3)) for 95% of rows: " + niggli);
        assertTrue(rows > 1000);
        assertEquals(rows, paramOk, "all lattice parameters agree to 1e-6: " + bad);
        assertTrue(coordsOk >= rows * 0.99, "coordinates agree (mod 1) for 99% of rows: " + bad);
        // pymatgen's arithmetic is followed closely: reduced cells bit for bit, coordinates nearly so, and every
        // coordinate that pymatgen leaves at exactly 1.0 (np.mod of a tiny negative) is reproduced
        assertTrue(sameMatrix >= rows * 0.99, "bit-identical reduced matrices " + sameMatrix);
        assertTrue(sameCoords >= rows * 0.95, "bit-identical coordinates " + sameCoords);
        assertTrue(onesReproduced >= onesExpected - 2, "exact 1.0 coordinates " + onesReproduced + "/" + onesExpected);
    }

    @Test
    void malformedInputsGiveClearErrors() {
        Lattice flat = Lattice.fromMatrix(new double[][]{{1, 0, 0}, {0, 1, 0}, {1, 1, 0}});
        assertThrows(InvalidStructureException.class, () -> NiggliReduction.reduce(flat));
        Lattice ok = Lattice.fromParameters(3, 3, 3, 90, 90, 90);
        assertThrows(InvalidStructureException.class,
                () -> NiggliReduction.reducedStructure(new Structure(ok, new int[0], new double[0][])));
    }

    @Test
    void pythonStyleModuloKeepsTinyNegativesAtOne() {
        assertEquals(1.0, NiggliReduction.pyMod1(-1e-17), 0.0);
        assertEquals(0.25, NiggliReduction.pyMod1(-0.75), 0.0);
        assertEquals(0.0, NiggliReduction.pyMod1(-0.0), 0.0);
        assertEquals(0.5, NiggliReduction.pyMod1(2.5), 0.0);
    }

    /** Niggli's main conditions on lengths: A <= B <= C, |xi| <= B, |eta| <= A, |zeta| <= A, within eps. */
    static boolean lengthConditionsHold(double[][] g, double eps) {
        double a = g[0][0], b = g[1][1], c = g[2][2], xi = 2 * g[1][2], eta = 2 * g[0][2], zeta = 2 * g[0][1];
        return a <= b + eps && b <= c + eps
                && Math.abs(xi) <= b + eps && Math.abs(eta) <= a + eps && Math.abs(zeta) <= a + eps;
    }

    /** Type I (all off-diagonals positive) or type II (all non-positive, with A + B + xi + eta + zeta >= 0). */
    static boolean signConditionsHold(double[][] g, double eps) {
        double a = g[0][0], b = g[1][1], xi = 2 * g[1][2], eta = 2 * g[0][2], zeta = 2 * g[0][1];
        boolean allPos = xi > -eps && eta > -eps && zeta > -eps; // within eps a zero counts as either sign
        boolean allNonPos = xi <= eps && eta <= eps && zeta <= eps;
        return allPos || (allNonPos && xi + eta + zeta + a + b >= -eps);
    }

    private static int[][] randomUnimodular(Random rnd) {
        int[][] m = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        for (int s = 0; s < 6; s++) { // products of elementary shears have det 1
            int i = rnd.nextInt(3), j = (i + 1 + rnd.nextInt(2)) % 3, f = rnd.nextInt(5) - 2;
            for (int k = 0; k < 3; k++) m[i][k] += f * m[j][k];
        }
        return m;
    }

    private static double[][] mul(int[][] a, double[][] b) {
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) r[i][j] += a[i][k] * b[k][j];
        return r;
    }

    private static double[][] mul(double[][] a, double[][] b) {
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) r[i][j] += a[i][k] * b[k][j];
        return r;
    }

    private static void assertIntegral(double[][] m) {
        for (double[] row : m) for (double x : row) assertEquals(Math.rint(x), x, 1e-6, "integer transformation");
    }

    private static double d(CSVRecord r, String k) { return Double.parseDouble(r.get(k)); }

    static double[][] matrix(JsonNode n) {
        double[][] m = new double[n.size()][];
        for (int i = 0; i < n.size(); i++) {
            m[i] = new double[n.get(i).size()];
            for (int j = 0; j < m[i].length; j++) m[i][j] = n.get(i).get(j).asDouble();
        }
        return m;
    }

    static int[] species(JsonNode n) {
        int[] z = new int[n.size()];
        for (int i = 0; i < z.length; i++) z[i] = Element.fromSymbol(n.get(i).asText()).z();
        return z;
    }
}
