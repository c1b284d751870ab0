package org.concdvae.analysis;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LinearAssignmentTest {
    @Test
    void matchesBruteForceOnRandomMatrices() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rnd.nextInt(7);
            double[][] c = new double[n][n];
            for (double[] row : c) for (int j = 0; j < n; j++) row[j] = rnd.nextInt(4) == 0 ? rnd.nextInt(3) : rnd.nextDouble() * 10;
            if (trial % 5 == 0) c[0][rnd.nextInt(n)] = 1e20; // pymatgen's sentinel for forbidden pairs
            int[] sol = LinearAssignment.solve(c);
            boolean[] seen = new boolean[n];
            for (int j : sol) seen[j] = true;
            for (boolean b : seen) assertEquals(true, b, "a permutation");
            assertEquals(bruteForce(c, 0, new boolean[n]), LinearAssignment.cost(c, sol), 1e-9);
        }
    }

    @Test
    void rejectsBadMatrices() {
        assertThrows(IllegalArgumentException.class, () -> LinearAssignment.solve(new double[][]{{1, 2}}));
        assertThrows(IllegalArgumentException.class, () -> LinearAssignment.solve(new double[][]{{Double.NaN}}));
        assertEquals(0, LinearAssignment.solve(new double[0][]).length);
    }

    private static double bruteForce(double[][] c, int row, boolean[] used) {
        if (row == c.length) return 0;
        double best = Double.POSITIVE_INFINITY;
        for (int j = 0; j < c.length; j++) {
            if (used[j]) continue;
            used[j] = true;
            best = Math.min(best, c[row][j] + bruteForce(c, row + 1, used));
            used[j] = false;
        }
        return best;
    }
}
