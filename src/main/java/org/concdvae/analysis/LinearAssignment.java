package org.concdvae.analysis;

import java.util.Arrays;

/**
 * Minimum-cost perfect assignment of a square cost matrix (the linear assignment problem), by the Hungarian method
 * with shortest augmenting paths and dual potentials (Kuhn-Munkres in the O(n³) form of Jonker &amp; Volgenant).
 * Plays the role of pymatgen's {@code LinearAssignment} in StructureMatcher.
 */
public final class LinearAssignment {
    private LinearAssignment() {}

    /**
     * Solves min Σ cost[i][solution[i]] over permutations. Costs must be finite (large sentinels such as 1e20 are
     * fine). Returns solution[row] = assigned column.
     */
    public static int[] solve(double[][] cost) {
        int n = cost.length;
        for (double[] row : cost) {
            if (row.length != n) throw new IllegalArgumentException("cost matrix must be square");
            for (double c : row) if (!Double.isFinite(c)) throw new IllegalArgumentException("cost matrix has a non-finite entry");
        }
        if (n == 0) return new int[0];
        // 1-based arrays; p[j] = row matched to column j; way[j] = previous column on the alternating path
        double[] u = new double[n + 1], v = new double[n + 1], minv = new double[n + 1];
        int[] p = new int[n + 1], way = new int[n + 1];
        boolean[] used = new boolean[n + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            Arrays.fill(used, false);
            int guard = 0;
            do {
                if (++guard > n + 1) throw new IllegalStateException("assignment search did not terminate");
                used[j0] = true;
                int i0 = p[j0], j1 = -1;
                double delta = Double.POSITIVE_INFINITY;
                double[] ci = cost[i0 - 1];
                for (int j = 1; j <= n; j++) {
                    if (used[j]) continue;
                    double cur = ci[j - 1] - u[i0] - v[j];
                    if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
                    if (minv[j] < delta) { delta = minv[j]; j1 = j; }
                }
                if (j1 < 0) throw new IllegalStateException("assignment search failed (NaN costs?)");
                for (int j = 0; j <= n; j++) {
                    if (used[j]) { u[p[j]] += delta; v[j] -= delta; } else minv[j] -= delta;
                }
                j0 = j1;
            } while (p[j0] != 0);
            do { // augment along the path
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] sol = new int[n];
        for (int j = 1; j <= n; j++) sol[p[j] - 1] = j - 1;
        return sol;
    }

    /** Total cost of an assignment. */
    public static double cost(double[][] cost, int[] solution) {
        double s = 0;
        for (int i = 0; i < solution.length; i++) s += cost[i][solution[i]];
        return s;
    }
}
