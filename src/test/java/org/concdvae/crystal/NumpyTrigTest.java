package org.concdvae.crystal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NumPy 1.24's AVX-512 float64 sin / cos / arccos, and through them pymatgen's {@code Lattice.from_parameters}, bit for
 * bit: against values of the SVML kernels themselves, and against every lattice matrix recorded in
 * ../shared/oracles/graphs/niggli.csv (pymatgen 2022.11.7, NumPy 1.24.2).
 */
class NumpyTrigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Kernel outputs (run natively) where the correctly rounded value, {@link Math}'s answer, differs. */
    @Test
    void reproducesTheSvmlKernelsWhereTheyAreNotCorrectlyRounded() {
        double third = Math.toRadians(60), twoThirds = Math.toRadians(120);
        assertBits(0.8660254037844385, NumpyTrig.sin(third));
        assertNotEquals(NumpyTrig.sin(third), Math.sin(third));
        assertBits(-0.4999999999999997, NumpyTrig.cos(twoThirds));
        assertNotEquals(NumpyTrig.cos(twoThirds), Math.cos(twoThirds));
        assertBits(0.8660254037844387, NumpyTrig.sin(twoThirds));
        assertBits(-0.33333333333333343, NumpyTrig.cos(1.9106332362490186));
        assertBits(1.0471974785909011, NumpyTrig.acos(0.5000000628783765));   // √ branch (|x| ≥ ½), uses rsqrt14
        assertBits(1.9106332362490184, NumpyTrig.acos(-1.0 / 3));             // polynomial branch
        assertBits(0.463839123856094, NumpyTrig.acos(0.8943415265505412));
        // exact cases
        assertBits(1.0, NumpyTrig.sin(Math.PI / 2));
        assertBits(6.123233995736766e-17, NumpyTrig.cos(Math.PI / 2));
        assertBits(1.0, NumpyTrig.cos(0.0));
        assertBits(-0.0, NumpyTrig.sin(-0.0));
        assertBits(Math.PI / 2, NumpyTrig.acos(0.0));
        assertBits(0.0, NumpyTrig.acos(1.0));
        assertBits(Math.PI, NumpyTrig.acos(-1.0));
    }

    @Test
    void staysWithinFourUlpOfTheTrueFunctions() {
        java.util.Random rnd = new java.util.Random(7);
        for (int k = 0; k < 200_000; k++) {
            double x = (rnd.nextDouble() * 2 - 1) * 10, y = rnd.nextDouble() * 2 - 1;
            assertTrue(Math.abs(NumpyTrig.sin(x) - Math.sin(x)) <= 4 * Math.ulp(Math.sin(x)) + 1e-300, "sin " + x);
            assertTrue(Math.abs(NumpyTrig.cos(x) - Math.cos(x)) <= 4 * Math.ulp(Math.cos(x)) + 1e-300, "cos " + x);
            assertTrue(Math.abs(NumpyTrig.acos(y) - Math.acos(y)) <= 4 * Math.ulp(Math.acos(y)), "acos " + y);
        }
    }

    @Test
    void rsqrt14IsA14BitEstimateExactAtPowersOfFour() {
        for (int p = 0; p < 2; p++) {
            for (int m = 0; m < 1 << 15; m++) {
                double y = Math.scalb(1.0 + (m + 0.5) / 32768.0, p - 6);
                double est = NumpyTrig.rsqrt14(y), exact = 1 / Math.sqrt(y);
                assertTrue(Math.abs(est - exact) <= 0x1p-14 * exact, y + ": " + est);
            }
        }
        assertBits(0.5, NumpyTrig.rsqrt14(4.0));
        assertBits(8.0, NumpyTrig.rsqrt14(1.0 / 64));
    }

    /**
     * {@code Lattice.fromParameters} equals pymatgen's {@code Lattice.from_parameters} in every bit: (1) the lattice
     * CifReader builds from each niggli.csv CIF (mp20, perov_5, carbon_24 cells and skewed unimodular variants) equals
     * pymatgen's parsed {@code input_structure}; (2) the rebuild from the Niggli parameters equals {@code lattice_matrix}.
     */
    @Test
    void latticesFromParametersMatchPymatgenBitForBit() throws IOException {
        List<CSVRecord> rows = OracleRows.read(SharedData.path("oracles/graphs/niggli.csv"));
        int parsed = 0, rebuilt = 0;
        List<String> bad = new ArrayList<>();
        for (CSVRecord r : rows) {
            double[][] input = matrix(JSON.readTree(r.get("input_structure")).get("lattice_matrix"));
            if (same(CifReader.readOne(r.get("cif"), r.get("id")).lattice().matrix(), input)) parsed++;
            else bad.add(r.get("id") + " (parsed)");
            double[] p = new double[6];
            String[] names = {"a", "b", "c", "alpha", "beta", "gamma"};
            for (int k = 0; k < 6; k++) p[k] = Double.parseDouble(r.get(names[k]));
            double[][] rebuild = matrix(JSON.readTree(r.get("lattice_matrix")));
            if (same(Lattice.fromParameters(p[0], p[1], p[2], p[3], p[4], p[5]).matrix(), rebuild)) rebuilt++;
            else bad.add(r.get("id") + " (rebuilt)");
        }
        System.out.printf("lattices bit-identical to pymatgen: parsed %d/%d, rebuilt %d/%d%n", parsed, rows.size(), rebuilt, rows.size());
        assertTrue(rows.size() > 1200);
        assertEquals(List.of(), bad);
    }

    private static double[][] matrix(JsonNode n) {
        double[][] m = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) m[i][j] = n.get(i).get(j).asDouble();
        return m;
    }

    private static boolean same(double[][] a, double[][] b) {
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (Double.doubleToLongBits(a[i][j]) != Double.doubleToLongBits(b[i][j])) return false;
            }
        }
        return true;
    }

    private static void assertBits(double expected, double actual) {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual), expected + " vs " + actual);
    }
}
