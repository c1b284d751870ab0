package org.concdvae.analysis.symmetry;

import java.util.ArrayList;
import java.util.List;

/**
 * Search of symmetry operations following spglib's published method (symmetry.c and primitive.c of spglib 2.0):
 * the point group of the Delaunay-reduced lattice within the length and angle tolerances, then for each lattice
 * rotation the translations that map all atoms onto atoms of the same type; pure translations give the primitive
 * cell. Every loop is bounded by spglib's attempt counts.
 */
final class SymmetrySearch {
    private SymmetrySearch() {}

    /** Space-group operations (rotations in the cell's basis, translations in [0,1)). */
    record Ops(int[][][] rot, double[][] trans) {
        int size() { return rot.length; }
    }

    /** Primitive cell found from pure translations, with the tolerances that produced it. */
    record Primitive(Cell cell, int[] mapping, double tolerance, double angleTolerance, double[][] origLattice) {}

    private static final int[][] RELATIVE_AXES = {
            {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {-1, 0, 0}, {0, -1, 0},
            {0, 0, -1}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {0, -1, -1},
            {-1, 0, -1}, {-1, -1, 0}, {0, 1, -1}, {-1, 0, 1}, {1, -1, 0},
            {0, -1, 1}, {1, 0, -1}, {-1, 1, 0}, {1, 1, 1}, {-1, -1, -1},
            {-1, 1, 1}, {1, -1, 1}, {1, 1, -1}, {1, -1, -1}, {-1, 1, -1},
            {-1, -1, 1}};

    // ---------------- lattice point group ----------------

    /** Rotations (in the basis of cell.lattice) that keep the lattice metric within tolerance; empty on failure. */
    static int[][][] latticeSymmetry(double[][] lattice, double symprec, double angleSymprec) {
        double[][] minLattice = Delaunay.reduce(lattice, symprec);
        if (minLattice == null) return new int[0][][];
        double[][] metricOrig = Mat.metric(minLattice);
        double[] lo = {Math.sqrt(metricOrig[0][0]), Math.sqrt(metricOrig[1][1]), Math.sqrt(metricOrig[2][2])};
        // images of the 26 candidate axes; a column of a lattice rotation must keep its length within symprec
        double[][] w = new double[26][];
        double[] wl = new double[26];
        for (int a = 0; a < 26; a++) {
            w[a] = Mat.mulv(minLattice, new double[]{RELATIVE_AXES[a][0], RELATIVE_AXES[a][1], RELATIVE_AXES[a][2]});
            wl[a] = Math.sqrt(w[a][0] * w[a][0] + w[a][1] * w[a][1] + w[a][2] * w[a][2]);
        }
        int[][] cand = new int[3][];
        for (int c = 0; c < 3; c++) {
            int[] tmp = new int[26];
            int n = 0;
            for (int a = 0; a < 26; a++) if (!(Math.abs(lo[c] - wl[a]) > symprec)) tmp[n++] = a;
            cand[c] = java.util.Arrays.copyOf(tmp, n);
        }
        // angles between candidate images, computed as spglib does from the metric (once per pair, not per triple)
        double[][] ang = new double[26][26];
        for (double[] row : ang) java.util.Arrays.fill(row, Double.NaN);
        double[] angOrig = {angle(metricOrig, lo, 0, 1), angle(metricOrig, lo, 0, 2), angle(metricOrig, lo, 1, 2)};
        double angleTol = angleSymprec;
        List<int[][]> found = new ArrayList<>();
        double[][] metric = new double[3][3];
        for (int attempt = 0; attempt < 100; attempt++) {
            found.clear();
            boolean tooMany = false;
            outer:
            for (int i : cand[0]) {
                for (int j : cand[1]) {
                    for (int k : cand[2]) {
                        int[][] axes = new int[3][3];
                        for (int l = 0; l < 3; l++) {
                            axes[l][0] = RELATIVE_AXES[i][l];
                            axes[l][1] = RELATIVE_AXES[j][l];
                            axes[l][2] = RELATIVE_AXES[k][l];
                        }
                        int d = Mat.det(axes);
                        if (d != 1 && d != -1) continue;
                        boolean same;
                        if (angleTol > 0) {
                            same = !(Math.abs(angOrig[0] - pairAngle(ang, w, wl, i, j)) > angleTol)
                                    && !(Math.abs(angOrig[1] - pairAngle(ang, w, wl, i, k)) > angleTol)
                                    && !(Math.abs(angOrig[2] - pairAngle(ang, w, wl, j, k)) > angleTol);
                        } else {
                            double[][] col = {w[i], w[j], w[k]};
                            for (int p = 0; p < 3; p++)
                                for (int q = 0; q < 3; q++)
                                    metric[p][q] = col[p][0] * col[q][0] + col[p][1] * col[q][1] + col[p][2] * col[q][2];
                            same = isIdentityMetric(metric, metricOrig, symprec, angleTol);
                        }
                        if (same) {
                            if (found.size() > 47) {
                                tooMany = true;
                                if (angleTol > 0) angleTol *= 0.95;
                                break outer;
                            }
                            found.add(axes);
                        }
                    }
                }
            }
            if (!tooMany && (found.size() < 49 || angleTol < 0)) {
                return transformPointSymmetry(found, lattice, minLattice);
            }
        }
        return new int[0][][];
    }

    private static double angle(double[][] metric, double[] len, int i, int j) {
        return Math.acos(metric[i][j] / len[i] / len[j]) / Math.PI * 180;
    }

    private static double pairAngle(double[][] cache, double[][] w, double[] wl, int a, int b) {
        double v = cache[a][b];
        if (Double.isNaN(v)) {
            double dot = w[a][0] * w[b][0] + w[a][1] * w[b][1] + w[a][2] * w[b][2];
            v = Math.acos(dot / wl[a] / wl[b]) / Math.PI * 180;
            cache[a][b] = v;
        }
        return v;
    }

    private static boolean isIdentityMetric(double[][] rotated, double[][] orig, double symprec, double angleSymprec) {
        double[] lo = new double[3], lr = new double[3];
        for (int i = 0; i < 3; i++) {
            lo[i] = Math.sqrt(orig[i][i]);
            lr[i] = Math.sqrt(rotated[i][i]);
            if (Math.abs(lo[i] - lr[i]) > symprec) return false;
        }
        int[][] sets = {{0, 1}, {0, 2}, {1, 2}};
        for (int[] s : sets) {
            int j = s[0], k = s[1];
            if (angleSymprec > 0) {
                double a1 = Math.acos(orig[j][k] / lo[j] / lo[k]) / Math.PI * 180;
                double a2 = Math.acos(rotated[j][k] / lr[j] / lr[k]) / Math.PI * 180;
                if (Math.abs(a1 - a2) > angleSymprec) return false;
            } else {
                double cos1 = orig[j][k] / lo[j] / lo[k];
                double cos2 = rotated[j][k] / lr[j] / lr[k];
                double x = cos1 * cos2 + Math.sqrt(1 - cos1 * cos1) * Math.sqrt(1 - cos2 * cos2);
                double sin2 = 1 - x * x;
                double lave2 = ((lo[j] + lr[j]) * (lo[k] + lr[k])) / 4;
                if (sin2 > 1e-12 && sin2 * lave2 > symprec * symprec) return false;
            }
        }
        return true;
    }

    private static int[][][] transformPointSymmetry(List<int[][]> rots, double[][] newLattice, double[][] origLattice) {
        double[][] tmat = Mat.mul(Mat.inverse(origLattice, 0), newLattice);
        double[][] tinv = Mat.inverse(tmat, 0);
        double tol = Math.abs(Mat.det(tmat)) / 10;
        List<int[][]> out = new ArrayList<>();
        for (int[][] r : rots) {
            double[][] d = Mat.mul(tinv, Mat.mul(Mat.toD(r), tmat));
            if (Mat.isInt(d, tol)) {
                int[][] ri = Mat.toI(d);
                if (Math.abs(Mat.det(ri)) != 1) return out.toArray(new int[0][][]);
                out.add(ri);
            }
        }
        return out.toArray(new int[0][][]);
    }

    // ---------------- translations ----------------

    private static int indexWithLeastAtoms(Cell cell) {
        int n = cell.size();
        int[] count = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (cell.types()[i] == cell.types()[j]) { count[j]++; break; }
            }
        }
        int min = count[0], minIndex = 0;
        for (int i = 0; i < n; i++) {
            if (min > count[i] && count[i] > 0) { min = count[i]; minIndex = i; }
        }
        return minIndex;
    }

    /** Translations t such that (rot, t) maps the cell onto itself. */
    static List<double[]> translations(int[][] rot, Cell cell, OverlapChecker checker, double symprec, boolean isIdentity) {
        int n = cell.size();
        boolean[] isFound = new boolean[n];
        int minIndex = indexWithLeastAtoms(cell);
        double[] origin = Mat.mulv(rot, cell.pos()[minIndex]);
        int minType = cell.types()[minIndex];
        for (int i = 0; i < n; i++) {
            if (isFound[i] || cell.types()[i] != minType) continue;
            double[] t = {cell.pos()[i][0] - origin[0], cell.pos()[i][1] - origin[1], cell.pos()[i][2] - origin[2]};
            if (checker.check(rot, t, symprec, isIdentity)) {
                isFound[i] = true;
                if (isIdentity) searchPureTranslations(isFound, cell, t, symprec);
            }
        }
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (isFound[i]) {
                double[] t = new double[3];
                for (int j = 0; j < 3; j++) t[j] = Mat.dmod1(cell.pos()[i][j] - origin[j]);
                out.add(t);
            }
        }
        return out;
    }

    private static void searchPureTranslations(boolean[] atomsFound, Cell cell, double[] trans, double symprec) {
        int n = cell.size();
        boolean[] copy = atomsFound.clone();
        double[] vec = new double[3];
        for (int initial = 0; initial < n; initial++) {
            if (!copy[initial]) continue;
            int iAtom = initial;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < 3; j++) vec[j] = cell.pos()[iAtom][j] + trans[j];
                for (int j = 0; j < n; j++) {
                    if (cell.types()[iAtom] == cell.types()[j] && Cell.isOverlap(vec, cell.pos()[j], cell.lattice(), symprec)) {
                        atomsFound[j] = true;
                        iAtom = j;
                        break;
                    }
                }
                if (iAtom == initial) break;
            }
        }
    }

    /** Pure translations (identity rotation) of a cell. */
    static List<double[]> pureTranslations(Cell cell, double symprec) {
        return translations(Mat.IDENTITY, cell, new OverlapChecker(cell), symprec, true);
    }

    /** Operations of a (primitive) cell: lattice point group × translations. Null on failure. */
    static Ops operations(Cell primitive, double symprec, double angleSymprec) {
        int[][][] latticeSym = latticeSymmetry(primitive.lattice(), symprec, angleSymprec);
        if (latticeSym.length == 0) return null;
        OverlapChecker checker = new OverlapChecker(primitive);
        List<int[][]> rots = new ArrayList<>();
        List<double[]> trs = new ArrayList<>();
        for (int[][] r : latticeSym) {
            for (double[] t : translations(r, primitive, checker, symprec, false)) {
                rots.add(r);
                trs.add(t);
            }
        }
        if (rots.isEmpty()) return null;
        return new Ops(rots.toArray(new int[0][][]), trs.toArray(new double[0][]));
    }

    /** Keep only operations valid at a (smaller) tolerance; spglib's reduce_operation. */
    static Ops reduceOperations(Cell primitive, Ops sym, double symprec, double angleSymprec, boolean pureTrans) {
        int[][][] pointSym;
        if (pureTrans) {
            pointSym = new int[][][]{Mat.IDENTITY};
        } else {
            pointSym = latticeSymmetry(primitive.lattice(), symprec, angleSymprec);
            if (pointSym.length == 0) return null;
        }
        OverlapChecker checker = new OverlapChecker(primitive);
        List<int[][]> rots = new ArrayList<>();
        List<double[]> trs = new ArrayList<>();
        for (int[][] p : pointSym) {
            for (int j = 0; j < sym.size(); j++) {
                if (Mat.eq(p, sym.rot()[j]) && checker.check(sym.rot()[j], sym.trans()[j], symprec, false)) {
                    rots.add(sym.rot()[j]);
                    trs.add(sym.trans()[j]);
                }
            }
        }
        if (rots.isEmpty()) return null;
        return new Ops(rots.toArray(new int[0][][]), trs.toArray(new double[0][]));
    }

    // ---------------- primitive cell ----------------

    /** spglib's get_primitive: pure translations → primitive cell, reducing the tolerance when inconsistent. */
    static Primitive primitive(Cell cell, double symprec, double angleTolerance) {
        double tol = symprec;
        for (int attempt = 0; attempt < 20; attempt++) {
            List<double[]> pure = pureTranslations(cell, tol);
            if (!pure.isEmpty()) {
                Primitive p = primitiveWithPureTrans(cell, pure, tol, angleTolerance);
                if (p != null) return p;
            }
            tol *= 0.95;
        }
        return null;
    }

    private static Primitive primitiveWithPureTrans(Cell cell, List<double[]> pure, double symprec, double angleTolerance) {
        int[] mapping = new int[cell.size()];
        Cell prim;
        if (pure.size() == 1) {
            double[][] minLat = Delaunay.reduce(cell.lattice(), symprec);
            if (minLat == null) return null;
            double[][] t = Mat.mul(Mat.inverse(minLat, 0), cell.lattice());
            double[][] pos = new double[cell.size()][];
            for (int i = 0; i < cell.size(); i++) {
                pos[i] = Mat.mulv(t, cell.pos()[i]);
                for (int j = 0; j < 3; j++) pos[i][j] = Mat.dmod1(pos[i][j]);
                mapping[i] = i;
            }
            prim = new Cell(minLat, pos, cell.types().clone());
        } else {
            double[][] primLat = primitiveLatticeVectors(cell, pure, symprec, angleTolerance);
            if (primLat == null) return null;
            prim = cell.trim(mapping, primLat, symprec);
            if (prim == null) return null;
        }
        return new Primitive(prim, mapping, symprec, angleTolerance, Mat.copy(cell.lattice()));
    }

    private static double[][] primitiveLatticeVectors(Cell cell, List<double[]> pure, double symprec, double angleTolerance) {
        double tol = symprec;
        List<double[]> reduced = new ArrayList<>(pure);
        for (int attempt = 0; attempt < 20; attempt++) {
            int multi = reduced.size();
            List<double[]> vectors = new ArrayList<>();
            for (int i = 1; i < multi; i++) vectors.add(reduced.get(i));
            vectors.add(new double[]{1, 0, 0});
            vectors.add(new double[]{0, 1, 0});
            vectors.add(new double[]{0, 0, 1});
            double[][] lat = findPrimitiveLatticeVectors(vectors, cell, tol);
            if (lat != null) {
                return Delaunay.reduce(lat, symprec);
            }
            int[][][] ids = new int[multi][][];
            for (int i = 0; i < multi; i++) ids[i] = Mat.IDENTITY;
            Ops r = reduceOperations(cell, new Ops(ids, reduced.toArray(new double[0][])), tol, angleTolerance, true);
            if (r == null) return null;
            reduced = new ArrayList<>(List.of(r.trans()));
            tol *= 0.95;
        }
        return null;
    }

    private static double[][] findPrimitiveLatticeVectors(List<double[]> vectors, Cell cell, double symprec) {
        int size = vectors.size();
        double initialVolume = Math.abs(Mat.det(cell.lattice()));
        double[][] lat = cell.lattice();
        for (int i = 0; i < size; i++) {
            for (int j = i + 1; j < size; j++) {
                for (int k = j + 1; k < size; k++) {
                    double[] a = Mat.mulv(lat, vectors.get(i)), b = Mat.mulv(lat, vectors.get(j)), c = Mat.mulv(lat, vectors.get(k));
                    double[][] tmp = {{a[0], b[0], c[0]}, {a[1], b[1], c[1]}, {a[2], b[2], c[2]}};
                    double volume = Math.abs(Mat.det(tmp));
                    if (volume > symprec && Mat.nint(initialVolume / volume) == size - 2) {
                        double[][] rel = new double[3][3];
                        double[][] mv = {vectors.get(i), vectors.get(j), vectors.get(k)};
                        for (int p = 0; p < 3; p++) for (int q = 0; q < 3; q++) rel[q][p] = mv[p][q];
                        double[][] invD = Mat.inverse(rel, 0);
                        int[][] invI = Mat.toI(invD);
                        if (Math.abs(Mat.det(invI)) == size - 2) {
                            rel = Mat.inverse(Mat.toD(invI), 0);
                        }
                        return Mat.mul(lat, rel);
                    }
                }
            }
        }
        return null;
    }
}
