package org.concdvae.analysis.symmetry;

import java.util.ArrayList;
import java.util.List;

/**
 * The 32 crystallographic point groups, identified from the counts of rotation types, and the choice of
 * conventional axes from the rotation axes (spglib's pointgroup.c method).
 */
final class PointGroup {
    enum Holohedry { TRICLI, MONOCLI, ORTHO, TETRA, TRIGO, HEXA, CUBIC }

    enum Laue { LAUE1, LAUE2M, LAUEMMM, LAUE4M, LAUE4MMM, LAUE3, LAUE3M, LAUE6M, LAUE6MMM, LAUEM3, LAUEM3M }

    record Type(int number, int[] table, String symbol, String schoenflies, Holohedry holohedry, Laue laue) {}

    // counts of  -6 -4 -3 -2 -1 1 2 3 4 6
    static final Type[] TYPES = {
            null,
            t(1, "0000010000", "1", "C1", Holohedry.TRICLI, Laue.LAUE1),
            t(2, "0000110000", "-1", "Ci", Holohedry.TRICLI, Laue.LAUE1),
            t(3, "0000011000", "2", "C2", Holohedry.MONOCLI, Laue.LAUE2M),
            t(4, "0001010000", "m", "Cs", Holohedry.MONOCLI, Laue.LAUE2M),
            t(5, "0001111000", "2/m", "C2h", Holohedry.MONOCLI, Laue.LAUE2M),
            t(6, "0000013000", "222", "D2", Holohedry.ORTHO, Laue.LAUEMMM),
            t(7, "0002011000", "mm2", "C2v", Holohedry.ORTHO, Laue.LAUEMMM),
            t(8, "0003113000", "mmm", "D2h", Holohedry.ORTHO, Laue.LAUEMMM),
            t(9, "0000011020", "4", "C4", Holohedry.TETRA, Laue.LAUE4M),
            t(10, "0200011000", "-4", "S4", Holohedry.TETRA, Laue.LAUE4M),
            t(11, "0201111020", "4/m", "C4h", Holohedry.TETRA, Laue.LAUE4M),
            t(12, "0000015020", "422", "D4", Holohedry.TETRA, Laue.LAUE4MMM),
            t(13, "0004011020", "4mm", "C4v", Holohedry.TETRA, Laue.LAUE4MMM),
            t(14, "0202013000", "-42m", "D2d", Holohedry.TETRA, Laue.LAUE4MMM),
            t(15, "0205115020", "4/mmm", "D4h", Holohedry.TETRA, Laue.LAUE4MMM),
            t(16, "0000010200", "3", "C3", Holohedry.TRIGO, Laue.LAUE3),
            t(17, "0020110200", "-3", "C3i", Holohedry.TRIGO, Laue.LAUE3),
            t(18, "0000013200", "32", "D3", Holohedry.TRIGO, Laue.LAUE3M),
            t(19, "0003010200", "3m", "C3v", Holohedry.TRIGO, Laue.LAUE3M),
            t(20, "0023113200", "-3m", "D3d", Holohedry.TRIGO, Laue.LAUE3M),
            t(21, "0000011202", "6", "C6", Holohedry.HEXA, Laue.LAUE6M),
            t(22, "2001010200", "-6", "C3h", Holohedry.HEXA, Laue.LAUE6M),
            t(23, "2021111202", "6/m", "C6h", Holohedry.HEXA, Laue.LAUE6M),
            t(24, "0000017202", "622", "D6", Holohedry.HEXA, Laue.LAUE6MMM),
            t(25, "0006011202", "6mm", "C6v", Holohedry.HEXA, Laue.LAUE6MMM),
            t(26, "2004013200", "-6m2", "D3h", Holohedry.HEXA, Laue.LAUE6MMM),
            t(27, "2027117202", "6/mmm", "D6h", Holohedry.HEXA, Laue.LAUE6MMM),
            t(28, "0000013800", "23", "T", Holohedry.CUBIC, Laue.LAUEM3),
            t(29, "0083113800", "m-3", "Th", Holohedry.CUBIC, Laue.LAUEM3),
            t(30, "0000019860", "432", "O", Holohedry.CUBIC, Laue.LAUEM3M),
            t(31, "0606013800", "-43m", "Td", Holohedry.CUBIC, Laue.LAUEM3M),
            t(32, "0689119860", "m-3m", "Oh", Holohedry.CUBIC, Laue.LAUEM3M)};

    private static Type t(int n, String table, String sym, String sch, Holohedry h, Laue l) {
        int[] tb = new int[10];
        for (int i = 0; i < 10; i++) tb[i] = table.charAt(i) - '0';
        return new Type(n, tb, sym, sch, h, l);
    }

    private PointGroup() {}

    static final int[][] ROT_AXES = {
            {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 1, 1}, {1, 0, 1},
            {1, 1, 0}, {0, 1, -1}, {-1, 0, 1}, {1, -1, 0}, {1, 1, 1},
            {-1, 1, 1}, {1, -1, 1}, {1, 1, -1}, {0, 1, 2}, {2, 0, 1},
            {1, 2, 0}, {0, 2, 1}, {1, 0, 2}, {2, 1, 0}, {0, -1, 2},
            {2, 0, -1}, {-1, 2, 0}, {0, -2, 1}, {1, 0, -2}, {-2, 1, 0},
            {2, 1, 1}, {1, 2, 1}, {1, 1, 2}, {2, -1, -1}, {-1, 2, -1},
            {-1, -1, 2}, {2, 1, -1}, {-1, 2, 1}, {1, -1, 2}, {2, -1, 1},
            {1, 2, -1}, {-1, 1, 2}, {3, 1, 2}, {2, 3, 1}, {1, 2, 3},
            {3, 2, 1}, {1, 3, 2}, {2, 1, 3}, {3, -1, 2}, {2, 3, -1},
            {-1, 2, 3}, {3, -2, 1}, {1, 3, -2}, {-2, 1, 3}, {3, -1, -2},
            {-2, 3, -1}, {-1, -2, 3}, {3, -2, -1}, {-1, 3, -2}, {-2, -1, 3},
            {3, 1, -2}, {-2, 3, 1}, {1, -2, 3}, {3, 2, -1}, {-1, 3, 2},
            {2, -1, 3}, {1, 1, 3}, {-1, 1, 3}, {1, -1, 3}, {-1, -1, 3},
            {1, 3, 1}, {-1, 3, 1}, {1, 3, -1}, {-1, 3, -1}, {3, 1, 1},
            {3, 1, -1}, {3, -1, 1}, {3, -1, -1}};
    private static final int NUM_ROT_AXES = 73;

    /** Distinct rotations of an operation list. */
    static List<int[][]> distinct(int[][][] rotations) {
        List<int[][]> out = new ArrayList<>();
        for (int[][] r : rotations) {
            boolean seen = false;
            for (int[][] o : out) if (Mat.eq(o, r)) { seen = true; break; }
            if (!seen) out.add(r);
        }
        return out;
    }

    static int rotationType(int[][] r) {
        int d = Mat.det(r), tr = Mat.trace(r);
        if (d == -1) {
            return switch (tr) { case -2 -> 0; case -1 -> 1; case 0 -> 2; case 1 -> 3; case -3 -> 4; default -> -1; };
        }
        return switch (tr) { case 3 -> 5; case -1 -> 6; case 0 -> 7; case 1 -> 8; case 2 -> 9; default -> -1; };
    }

    /** Point-group number 1..32 of a set of distinct rotations, 0 if none matches. */
    static int identify(List<int[][]> pointsym) {
        int[] table = new int[10];
        for (int[][] r : pointsym) {
            int t = rotationType(r);
            if (t < 0) return 0;
            table[t]++;
        }
        for (int i = 1; i <= 32; i++) {
            if (java.util.Arrays.equals(TYPES[i].table(), table)) return i;
        }
        return 0;
    }

    /**
     * Transformation matrix (columns = conventional axes in the primitive basis) for a point group given by its
     * distinct rotations; null if the axes cannot be found.
     */
    static int[][] transformationMatrix(Type type, List<int[][]> ps) {
        int[] axes = new int[]{-1, -1, -1};
        boolean ok = switch (type.laue()) {
            case LAUE1 -> { axes = new int[]{0, 1, 2}; yield true; }
            case LAUE2M -> laue2m(axes, ps);
            case LAUEMMM -> lauennn(axes, ps, 2);
            case LAUE4M, LAUE4MMM -> laueOneAxis(axes, ps, 4);
            case LAUE3, LAUE3M, LAUE6M, LAUE6MMM -> laueOneAxis(axes, ps, 3);
            case LAUEM3 -> lauennn(axes, ps, 2);
            case LAUEM3M -> lauennn(axes, ps, 4);
        };
        if (!ok) return null;
        for (int a : axes) if (a < 0) return null;
        return tmat(axes);
    }

    private static int[][] properRotation(int[][] r) {
        if (Mat.det(r) == -1) {
            int[][] p = new int[3][3];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) p[i][j] = -r[i][j];
            return p;
        }
        return r;
    }

    private static int rotationAxis(int[][] prop) {
        if (Mat.eq(prop, Mat.IDENTITY)) return -1;
        for (int i = 0; i < NUM_ROT_AXES; i++) {
            int[] v = Mat.mulv(prop, ROT_AXES[i]);
            if (v[0] == ROT_AXES[i][0] && v[1] == ROT_AXES[i][1] && v[2] == ROT_AXES[i][2]) return i;
        }
        return -1;
    }

    private static List<Integer> orthogonalAxes(int[][] prop, int order) {
        int[][] sum = Mat.copy(Mat.IDENTITY), rot = Mat.copy(Mat.IDENTITY);
        for (int i = 0; i < order - 1; i++) {
            rot = Mat.mul(prop, rot);
            for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) sum[a][b] += rot[a][b];
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < NUM_ROT_AXES; i++) {
            int[] v = Mat.mulv(sum, ROT_AXES[i]);
            if (v[0] == 0 && v[1] == 0 && v[2] == 0) out.add(i);
        }
        return out;
    }

    private static int[][] tmat(int[] axes) {
        int[][] t = new int[3][3];
        for (int j = 0; j < 3; j++) {
            int s = axes[j] < NUM_ROT_AXES ? 1 : -1;
            int[] v = ROT_AXES[axes[j] % NUM_ROT_AXES];
            for (int i = 0; i < 3; i++) t[i][j] = s * v[i];
        }
        return t;
    }

    private static int existAxis(int[] v, int idx) {
        int[] a = ROT_AXES[idx];
        if (v[0] == a[0] && v[1] == a[1] && v[2] == a[2]) return 1;
        if (v[0] == -a[0] && v[1] == -a[1] && v[2] == -a[2]) return -1;
        return 0;
    }

    private static boolean laue2m(int[] axes, List<int[][]> ps) {
        int[][] prop = null;
        for (int[][] r : ps) {
            int[][] p = properRotation(r);
            if (Mat.trace(p) == -1) {
                axes[1] = rotationAxis(p);
                prop = p;
                break;
            }
        }
        if (prop == null) return false;
        List<Integer> ortho = orthogonalAxes(prop, 2);
        if (ortho.isEmpty()) return false;
        int minNorm = 8;
        boolean found = false;
        for (int o : ortho) {
            int nrm = Mat.norm2(ROT_AXES[o]);
            if (nrm < minNorm) { minNorm = nrm; axes[0] = o; found = true; }
        }
        if (!found) return false;
        minNorm = 8;
        found = false;
        for (int o : ortho) {
            int nrm = Mat.norm2(ROT_AXES[o]);
            if (nrm < minNorm && o != axes[0]) { minNorm = nrm; axes[2] = o; found = true; }
        }
        return found;
    }

    private static boolean laueOneAxis(int[] axes, List<int[][]> ps, int order) {
        int[][] prop = null;
        for (int[][] r : ps) {
            int[][] p = properRotation(r);
            if ((order == 4 && Mat.trace(p) == 1) || (order == 3 && Mat.trace(p) == 0)) {
                axes[2] = rotationAxis(p);
                prop = p;
                break;
            }
        }
        if (prop == null) return false;
        List<Integer> ortho = orthogonalAxes(prop, order);
        if (ortho.isEmpty()) return false;
        int[] tmp = {-1, -1, axes[2]};
        for (int o : ortho) {
            tmp[0] = o;
            int[] v = Mat.mulv(prop, ROT_AXES[o]);
            int isFound = 0;
            for (int o2 : ortho) {
                isFound = existAxis(v, o2);
                if (isFound == 1) { tmp[1] = o2; break; }
                if (isFound == -1) { tmp[1] = o2 + NUM_ROT_AXES; break; }
            }
            if (isFound == 0) continue;
            if (Math.abs(Mat.det(tmat(tmp))) < 4) {
                axes[0] = tmp[0];
                axes[1] = tmp[1];
                if (Mat.det(tmat(axes)) < 0) {
                    int x = axes[0];
                    axes[0] = axes[1];
                    axes[1] = x;
                }
                return true;
            }
        }
        return false;
    }

    private static boolean lauennn(int[] axes, List<int[][]> ps, int order) {
        int count = 0;
        for (int[][] r : ps) {
            int[][] p = properRotation(r);
            if ((Mat.trace(p) == -1 && order == 2) || (Mat.trace(p) == 1 && order == 4)) {
                int axis = rotationAxis(p);
                if (axis != axes[0] && axis != axes[1] && axis != axes[2]) {
                    if (count >= 3) return false;
                    axes[count++] = axis;
                }
            }
        }
        if (count != 3) return false;
        sortAxes(axes);
        return true;
    }

    private static void sortAxes(int[] axes) {
        if (axes[1] > axes[2]) swap(axes, 1, 2);
        if (axes[0] > axes[1]) swap(axes, 0, 1);
        if (axes[1] > axes[2]) swap(axes, 1, 2);
        if (Mat.det(tmat(axes)) < 0) swap(axes, 1, 2);
    }

    private static void swap(int[] a, int i, int j) {
        int x = a[i];
        a[i] = a[j];
        a[j] = x;
    }
}
