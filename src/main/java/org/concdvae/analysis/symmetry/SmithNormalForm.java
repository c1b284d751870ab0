package org.concdvae.analysis.symmetry;

/**
 * Smith normal form U·A·V = D of a small integer matrix, used to solve A·s ≡ b (mod 1) for an origin shift s
 * (R. W. Grosse-Kunstleve, Acta Cryst. A55, 383 (1999)): s = V·D⁺·U·b.
 */
final class SmithNormalForm {
    private SmithNormalForm() {}

    /** One solution s of A s ≡ b (mod integers); A is m×3. */
    static double[] solveModOne(int[][] a, double[] b) {
        int m = a.length, n = 3;
        long[][] d = new long[m][n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) d[i][j] = a[i][j];
        long[][] u = identity(m);
        long[][] v = identity(n);
        int r = Math.min(m, n);
        for (int t = 0; t < r; t++) {
            for (int guard = 0; guard < 1000; guard++) {
                // pivot: smallest non-zero |entry| in the lower-right block
                int pi = -1, pj = -1;
                long best = Long.MAX_VALUE;
                for (int i = t; i < m; i++)
                    for (int j = t; j < n; j++)
                        if (d[i][j] != 0 && Math.abs(d[i][j]) < best) { best = Math.abs(d[i][j]); pi = i; pj = j; }
                if (pi < 0) break; // block is zero
                swapRows(d, t, pi);
                swapRows(u, t, pi);
                swapCols(d, t, pj);
                swapCols(v, t, pj);
                boolean clean = true;
                for (int i = t + 1; i < m; i++) {
                    long q = Math.floorDiv(d[i][t], d[t][t]);
                    if (q != 0) { addRow(d, i, t, -q); addRow(u, i, t, -q); }
                    if (d[i][t] != 0) clean = false;
                }
                for (int j = t + 1; j < n; j++) {
                    long q = Math.floorDiv(d[t][j], d[t][t]);
                    if (q != 0) { addCol(d, j, t, -q); addCol(v, j, t, -q); }
                    if (d[t][j] != 0) clean = false;
                }
                if (!clean) continue;
                // divisibility condition: d[t][t] must divide the rest of the block
                boolean divides = true;
                outer:
                for (int i = t + 1; i < m; i++)
                    for (int j = t + 1; j < n; j++)
                        if (d[i][j] % d[t][t] != 0) {
                            addRow(d, t, i, 1);
                            addRow(u, t, i, 1);
                            divides = false;
                            break outer;
                        }
                if (divides) break;
            }
        }
        // U b
        double[] ub = new double[m];
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int j = 0; j < m; j++) s += u[i][j] * b[j];
            ub[i] = s;
        }
        double[] q = new double[n];
        for (int i = 0; i < r; i++) q[i] = d[i][i] != 0 ? ub[i] / d[i][i] : 0.0;
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            double x = 0;
            for (int j = 0; j < n; j++) x += v[i][j] * q[j];
            s[i] = x;
        }
        return s;
    }

    private static long[][] identity(int k) {
        long[][] id = new long[k][k];
        for (int i = 0; i < k; i++) id[i][i] = 1;
        return id;
    }

    private static void swapRows(long[][] x, int i, int j) {
        if (i == j) return;
        long[] t = x[i];
        x[i] = x[j];
        x[j] = t;
    }

    private static void swapCols(long[][] x, int i, int j) {
        if (i == j) return;
        for (long[] row : x) {
            long t = row[i];
            row[i] = row[j];
            row[j] = t;
        }
    }

    /** row i += f · row j */
    private static void addRow(long[][] x, int i, int j, long f) {
        for (int k = 0; k < x[i].length; k++) x[i][k] += f * x[j][k];
    }

    /** column i += f · column j */
    private static void addCol(long[][] x, int i, int j, long f) {
        for (long[] row : x) row[i] += f * row[j];
    }
}
