package org.concdvae.analysis.symmetry;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** spglib's Niggli step (used for triclinic groups): the published example, and failure with a large epsilon. */
class NiggliTest {

    /** Basis (columns) with the metric (A, B, C, ξ, η, ζ), from its Cholesky factor. */
    private static double[][] fromMetric(double a, double b, double c, double xi, double eta, double zeta) {
        double[][] g = {{a, zeta / 2, eta / 2}, {zeta / 2, b, xi / 2}, {eta / 2, xi / 2, c}};
        double[][] l = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j <= i; j++) {
                double s = g[i][j];
                for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
                l[i][j] = i == j ? Math.sqrt(s) : s / l[j][j];
            }
        }
        return Mat.transpose(l); // rows of l are the basis vectors
    }

    private static double[] params(double[][] basis) {
        double[][] g = Mat.metric(basis);
        return new double[]{g[0][0], g[1][1], g[2][2], 2 * g[1][2], 2 * g[0][2], 2 * g[0][1]};
    }

    /** Křivý &amp; Gruber (1976), worked example: (9, 27, 4, -5, -4, -22) reduces to (4, 9, 9, 9, 3, 4). */
    @Test
    void reducesThePublishedExample() {
        double[][] reduced = Niggli.reduce(fromMetric(9, 27, 4, -5, -4, -22), 1e-5);
        assertNotNull(reduced);
        double[] p = params(reduced);
        double[] expected = {4, 9, 9, 9, 3, 4};
        for (int i = 0; i < 6; i++) assertEquals(expected[i], p[i], 1e-9, "parameter " + i);
        assertEquals(Math.abs(Mat.det(fromMetric(9, 27, 4, -5, -4, -22))), Math.abs(Mat.det(reduced)), 1e-9);
    }

    /**
     * A nearly monoclinic cell (a ≈ b ≈ c ≈ 3 Å, angles near 90°, 120°, 90°): with eps = 0.3² Å² the steps cycle
     * and the reduction fails, as spglib's does for this basis (checked against spglib 2.0.2's niggli_reduce); with
     * a small eps it settles on a Niggli cell.
     */
    @Test
    void largeEpsilonCanFail() {
        double[][] rows = {{3.0, 0.0, 0.0}, {-0.027451544442322517, 2.945163536555782, 0.0},
                {-1.5112245185056448, -0.0006215704584483206, 2.6187192085493085}};
        double[][] basis = Mat.transpose(rows);
        assertNull(Niggli.reduce(basis, 0.3 * 0.3));
        double[][] reduced = Niggli.reduce(basis, 1e-10);
        assertNotNull(reduced);
        double[] p = params(reduced);
        assertTrue(p[0] <= p[1] && p[1] <= p[2], "A <= B <= C");
        assertTrue(Math.abs(p[3]) <= p[1] && Math.abs(p[4]) <= p[0] && Math.abs(p[5]) <= p[0], "|ξ| <= B, |η|, |ζ| <= A");
        boolean allPositive = p[3] > 0 && p[4] > 0 && p[5] > 0, nonePositive = p[3] <= 0 && p[4] <= 0 && p[5] <= 0;
        assertTrue(allPositive || nonePositive, "type I or II");
        assertEquals(Math.abs(Mat.det(basis)), Math.abs(Mat.det(reduced)), 1e-9);
        // spglib 2.0.2 gives (8.674742, 9, 9.074143, 8.932653, 0.085400, 0.164709) for this basis
        double[] spglib = {8.67474184, 9, 9.07414311, 8.93265289, 0.08539963, 0.16470927};
        for (int i = 0; i < 6; i++) assertEquals(spglib[i], p[i], 1e-6, "parameter " + i);
    }
}
