package org.concdvae.analysis.symmetry;

import java.util.Arrays;

/**
 * Checks whether an operation (R, t) maps every atom of a cell onto an atom of the same type within symprec
 * (spglib's overlap checker): atoms are sorted by type and by distance to their nearest lattice point, the
 * transformed atoms likewise, and a greedy one-to-one match is searched in that order.
 */
final class OverlapChecker {
    private final double[][] lattice;
    private final double[][] posSorted;
    private final int[] typesSorted;
    private final int n;
    // work arrays
    private final double[][] tmp1;
    private final double[][] tmp2;
    private final long[] keys;
    private final double[] dist;
    private final boolean[] found;
    private final Integer[] perm;

    OverlapChecker(Cell cell) {
        this.lattice = cell.lattice();
        this.n = cell.size();
        this.tmp1 = new double[n][3];
        this.tmp2 = new double[n][3];
        this.keys = new long[n];
        this.dist = new double[n];
        this.found = new boolean[n];
        this.perm = new Integer[n];
        int[] p = argsort(cell.pos(), cell.types());
        posSorted = new double[n][];
        typesSorted = new int[n];
        for (int i = 0; i < n; i++) {
            posSorted[i] = cell.pos()[p[i]].clone();
            typesSorted[i] = cell.types()[p[i]];
        }
    }

    private int[] argsort(double[][] positions, int[] types) {
        for (int i = 0; i < n; i++) {
            double d0 = positions[i][0] - Mat.nint(positions[i][0]);
            double d1 = positions[i][1] - Mat.nint(positions[i][1]);
            double d2 = positions[i][2] - Mat.nint(positions[i][2]);
            double x = lattice[0][0] * d0 + lattice[0][1] * d1 + lattice[0][2] * d2;
            double y = lattice[1][0] * d0 + lattice[1][1] * d1 + lattice[1][2] * d2;
            double z = lattice[2][0] * d0 + lattice[2][1] * d1 + lattice[2][2] * d2;
            dist[i] = x * x + y * y + z * z;
            perm[i] = i;
        }
        Arrays.sort(perm, (a, b) -> {
            int c = Integer.compare(types[a], types[b]);
            return c != 0 ? c : Double.compare(dist[a], dist[b]);
        });
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = perm[i];
        return r;
    }

    private boolean hasOverlap(double[] a, double[] b, double symprec) {
        double d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
        d0 -= Mat.nint(d0);
        d1 -= Mat.nint(d1);
        d2 -= Mat.nint(d2);
        double x = lattice[0][0] * d0 + lattice[0][1] * d1 + lattice[0][2] * d2;
        double y = lattice[1][0] * d0 + lattice[1][1] * d1 + lattice[1][2] * d2;
        double z = lattice[2][0] * d0 + lattice[2][1] * d1 + lattice[2][2] * d2;
        return Math.sqrt(x * x + y * y + z * z) <= symprec;
    }

    /** True when (rot, trans) maps the cell onto itself within symprec. */
    boolean check(int[][] rot, double[] trans, double symprec, boolean isIdentity) {
        // quick rejection on a few atoms
        int search = Math.min(n, 3);
        double[] pr = new double[3];
        for (int it = 0; it < search; it++) {
            apply(rot, posSorted[it], trans, pr);
            boolean ok = false;
            for (int i = 0; i < n; i++) {
                if (typesSorted[i] == typesSorted[it] && hasOverlap(pr, posSorted[i], symprec)) { ok = true; break; }
            }
            if (!ok) return false;
        }
        for (int i = 0; i < n; i++) {
            if (isIdentity) {
                tmp1[i][0] = posSorted[i][0] + trans[0];
                tmp1[i][1] = posSorted[i][1] + trans[1];
                tmp1[i][2] = posSorted[i][2] + trans[2];
            } else {
                apply(rot, posSorted[i], trans, tmp1[i]);
            }
        }
        int[] p = argsort(tmp1, typesSorted);
        for (int i = 0; i < n; i++) {
            tmp2[i][0] = tmp1[p[i]][0];
            tmp2[i][1] = tmp1[p[i]][1];
            tmp2[i][2] = tmp1[p[i]][2];
        }
        int[] typesRot = new int[n];
        for (int i = 0; i < n; i++) typesRot[i] = typesSorted[p[i]];
        Arrays.fill(found, false);
        int start = 0;
        for (int io = 0; io < n; io++) {
            while (start < n && found[start]) start++;
            int ir;
            for (ir = start; ir < n; ir++) {
                if (found[ir]) continue;
                if (typesSorted[io] == typesRot[ir] && hasOverlap(posSorted[io], tmp2[ir], symprec)) {
                    found[ir] = true;
                    break;
                }
            }
            if (ir == n) return false;
        }
        return true;
    }

    private static void apply(int[][] r, double[] x, double[] t, double[] out) {
        out[0] = r[0][0] * x[0] + r[0][1] * x[1] + r[0][2] * x[2] + t[0];
        out[1] = r[1][0] * x[0] + r[1][1] * x[1] + r[1][2] * x[2] + t[1];
        out[2] = r[2][0] * x[0] + r[2][1] * x[1] + r[2][2] * x[2] + t[2];
    }
}
