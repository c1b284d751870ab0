package org.concdvae.analysis.symmetry;

import java.util.ArrayList;
import java.util.List;

/**
 * The refinement step of spglib that decides whether a found space group is accepted: atoms are moved to their
 * exact (symmetrised) positions in the ideal conventional cell (site-symmetry projection, Grosse-Kunstleve &amp;
 * Adams, Acta Cryst. A58, 60 (2002)), equivalent atoms are grouped, and every orbit must be consistent with its
 * site symmetry (|site group| × multiplicity = |G|). When it is not, spglib retries with a smaller tolerance;
 * near tolerance boundaries this is what makes it report the lower-symmetry group.
 */
final class Refinement {
    private Refinement() {}

    /** spglib's ref_get_conventional_lattice: the ideal lattice of the holohedry from the metric of {@code conv}. */
    static double[][] idealConventionalLattice(double[][] conv, PointGroup.Holohedry holohedry, String choice) {
        double[][] g = Mat.metric(conv);
        double a = Math.sqrt(g[0][0]), b = Math.sqrt(g[1][1]), c = Math.sqrt(g[2][2]);
        double[][] l = new double[3][3];
        switch (holohedry) {
            case TRICLI -> {
                double alpha = Math.acos(g[1][2] / b / c), beta = Math.acos(g[0][2] / a / c), gamma = Math.acos(g[0][1] / a / b);
                double cg = Math.cos(gamma), cb = Math.cos(beta), ca = Math.cos(alpha), sg = Math.sin(gamma);
                l[0][0] = a;
                l[0][1] = b * cg;
                l[0][2] = c * cb;
                l[1][1] = b * sg;
                l[1][2] = c * (ca - cb * cg) / sg;
                l[2][2] = c * Math.sqrt(1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg) / sg;
            }
            case MONOCLI -> {
                char axis = choice.isEmpty() ? 'b' : choice.charAt(choice.charAt(0) == '-' ? 1 : 0);
                switch (axis) {
                    case 'a' -> {
                        double angle = Math.acos(g[1][2] / b / c);
                        l[0][2] = c;
                        l[1][0] = a;
                        l[0][1] = b * Math.cos(angle);
                        l[2][1] = b * Math.sin(angle);
                    }
                    case 'c' -> {
                        double angle = Math.acos(g[0][1] / a / b);
                        l[0][1] = b;
                        l[1][2] = c;
                        l[0][0] = a * Math.cos(angle);
                        l[2][0] = a * Math.sin(angle);
                    }
                    default -> {
                        double angle = Math.acos(g[0][2] / a / c);
                        l[0][0] = a;
                        l[1][1] = b;
                        l[0][2] = c * Math.cos(angle);
                        l[2][2] = c * Math.sin(angle);
                    }
                }
            }
            case ORTHO -> {
                l[0][0] = a;
                l[1][1] = b;
                l[2][2] = c;
            }
            case TETRA -> {
                l[0][0] = (a + b) / 2;
                l[1][1] = (a + b) / 2;
                l[2][2] = c;
            }
            case TRIGO, HEXA -> {
                if (holohedry == PointGroup.Holohedry.TRIGO && choice.startsWith("R")) {
                    double angle = Math.acos((g[0][1] / a / b + g[0][2] / a / c + g[1][2] / b / c) / 3);
                    double ahex = 2 * (a + b + c) / 3 * Math.sin(angle / 2);
                    double chex = (a + b + c) / 3 * Math.sqrt(3 * (1 + 2 * Math.cos(angle)));
                    l[0][0] = ahex / 2;
                    l[1][0] = ahex / (2 * Math.sqrt(3));
                    l[2][0] = chex / 3;
                    l[0][1] = -ahex / 2;
                    l[1][1] = ahex / (2 * Math.sqrt(3));
                    l[2][1] = chex / 3;
                    l[1][2] = -ahex / Math.sqrt(3);
                    l[2][2] = chex / 3;
                } else {
                    l[0][0] = (a + b) / 2;
                    l[0][1] = -(a + b) / 4;
                    l[1][1] = (a + b) / 4 * Math.sqrt(3);
                    l[2][2] = c;
                }
            }
            case CUBIC -> {
                l[0][0] = (a + b + c) / 3;
                l[1][1] = (a + b + c) / 3;
                l[2][2] = (a + b + c) / 3;
            }
        }
        return l;
    }

    /**
     * spglib's ref_find_similar_bravais_lattice: among the proper rotations W of the setting, the basis
     * (a, b, c)·W closest (Frobenius norm, by more than symprec) to the ideal lattice replaces the found basis, and
     * the origin shift becomes W⁻¹(p − w), taking the shortest over the operations with that rotation. The exact
     * positions, and so the acceptance of the group, depend on this choice of basis.
     */
    static SpacegroupSearch.Found closestToIdealLattice(SpacegroupSearch.Found found, double symprec) {
        HallSymbols.SpaceGroupType type = HallSymbols.type(found.hallNumber());
        HallSymbols.Operations ops = HallSymbols.operations(found.hallNumber());
        PointGroup.Holohedry h = PointGroup.TYPES[type.pointGroupNumber()].holohedry();
        String choice = type.choice();
        double[][] brv = found.convLattice();
        double[][] ideal = idealConventionalLattice(brv, h, choice);
        double minLength = 0;
        for (double[] row : brv) for (double x : row) minLength += x * x;
        minLength = Math.sqrt(minLength);
        int best = -1;
        double[][] bestLattice = null;
        for (int i = 0; i < ops.size(); i++) {
            if (Mat.det(ops.rot()[i]) < 0) continue;
            double[][] rotated = Mat.mul(brv, ops.rot()[i]);
            double sum = 0;
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) {
                    double d = rotated[j][k] - ideal[j][k];
                    sum += d * d;
                }
            }
            double length = Math.sqrt(sum);
            if (length < minLength - symprec) {
                best = i;
                bestLattice = rotated;
                minLength = length;
            }
        }
        if (best < 0) return found;
        double[] shortest = null;
        double minShift = 2;
        for (int i = 0; i < ops.size(); i++) {
            if (!Mat.eq(ops.rot()[i], ops.rot()[best])) continue;
            double[][] wInv = Mat.inverse(Mat.toD(ops.rot()[i]), 0);
            double[] p = Mat.mulv(wInv, found.originShift());
            double[] w = Mat.mulv(wInv, ops.trans()[i]);
            for (int j = 0; j < 3; j++) {
                p[j] -= w[j];
                p[j] -= Mat.nint(p[j]);
            }
            double length = Math.sqrt(Mat.norm2(p));
            if (length < minShift - symprec) {
                minShift = length;
                for (int j = 0; j < 3; j++) p[j] = Mat.dmod1(p[j]);
                shortest = p;
            }
        }
        return new SpacegroupSearch.Found(found.hallNumber(), shortest, bestLattice, found.pointGroupNumber());
    }

    /**
     * spglib's get_refined_symmetry_operations: the setting's operations with the origin shift, brought to the
     * primitive cell and then to the input cell; operations whose rotation is not a symmetry of the input lattice
     * within symprec are dropped (a supercell can break them), and each is repeated over the lattice points of the
     * primitive cell inside the input cell. Null when those lattice points are not exactly |input| / |primitive|
     * within symprec, in which case spglib rejects the tolerance.
     */
    static SymmetrySearch.Ops inputCellOperations(Cell input, Cell prim, SpacegroupSearch.Found found, double symprec) {
        HallSymbols.Operations db = HallSymbols.operations(found.hallNumber());
        double[][] invPrim = Mat.inverse(prim.lattice(), 0);
        double[][] t = Mat.mul(invPrim, found.convLattice());
        double[][] tInv = Mat.inverse(t, 0);
        double[] w = found.originShift();
        // primitive-cell operations, one per distinct rotation: R' = T R T⁻¹, t' = T (t + (R - E) w)
        List<int[][]> primRot = new ArrayList<>();
        List<double[]> primTrans = new ArrayList<>();
        outer:
        for (int i = 0; i < db.size(); i++) {
            int[][] r = db.rot()[i];
            for (int j = 0; j < i; j++) if (Mat.eq(r, db.rot()[j])) continue outer;
            double[] tr = db.trans()[i].clone();
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) tr[a] += (r[a][b] - (a == b ? 1 : 0)) * w[b];
            }
            primRot.add(Mat.toI(Mat.mul(t, Mat.mul(r, tInv))));
            primTrans.add(Mat.mulv(t, tr));
        }
        int[][] m = Mat.toI(Mat.mul(invPrim, input.lattice()));
        double[][] mInv = Mat.inverse(Mat.toD(m), 0);
        if (mInv == null) return null;
        // lattice points of the primitive cell in the input cell, from the box around the input cell's corners
        int[] frame = new int[3];
        for (int i = 0; i < 3; i++) {
            int[] corners = {0, m[i][0], m[i][1], m[i][2], m[i][1] + m[i][2], m[i][2] + m[i][0], m[i][0] + m[i][1],
                    m[i][0] + m[i][1] + m[i][2]};
            int max = corners[0], min = corners[0];
            for (int c : corners) { max = Math.max(max, c); min = Math.min(min, c); }
            frame[i] = max - min;
        }
        List<double[]> pure = new ArrayList<>();
        for (int i = 0; i < frame[0]; i++) {
            for (int j = 0; j < frame[1]; j++) {
                for (int k = 0; k < frame[2]; k++) {
                    double[] v = Mat.mulv(mInv, new double[]{i, j, k});
                    for (int l = 0; l < 3; l++) v[l] = Mat.dmod1(v[l]);
                    boolean seen = false;
                    for (double[] q : pure) if (Cell.isOverlap(v, q, input.lattice(), symprec)) { seen = true; break; }
                    if (!seen) pure.add(v);
                }
            }
        }
        if (pure.size() != input.size() / prim.size()) return null;
        List<int[][]> rots = new ArrayList<>();
        List<double[]> trans = new ArrayList<>();
        for (int i = 0; i < primRot.size(); i++) {
            double[][] rd = Mat.mul(mInv, Mat.mul(primRot.get(i), Mat.toD(m)));
            int[][] ri = Mat.toI(rd);
            if (!Mat.eq(Mat.mul(input.lattice(), ri), Mat.mul(input.lattice(), rd), symprec)) continue;
            rots.add(ri);
            trans.add(Mat.mulv(mInv, primTrans.get(i)));
        }
        int n = rots.size();
        int[][][] outRot = new int[pure.size() * n][][];
        double[][] outTrans = new double[pure.size() * n][];
        for (int p = 0; p < pure.size(); p++) {
            for (int j = 0; j < n; j++) {
                double[] x = new double[3];
                for (int k = 0; k < 3; k++) x[k] = Mat.dmod1(trans.get(j)[k] + pure.get(p)[k]);
                outRot[p * n + j] = rots.get(j);
                outTrans[p * n + j] = x;
            }
        }
        return new SymmetrySearch.Ops(outRot, outTrans);
    }

    /** Positions of the primitive atoms in the conventional basis of the found setting, origin shifted. */
    static double[][] conventionalPositions(Cell prim, SpacegroupSearch.Found found) {
        double[][] t = Mat.mul(Mat.inverse(found.convLattice(), 0), prim.lattice());
        double[][] out = new double[prim.size()][];
        for (int i = 0; i < prim.size(); i++) {
            double[] x = Mat.mulv(t, prim.pos()[i]);
            for (int k = 0; k < 3; k++) x[k] = Mat.dmod1(x[k] + found.originShift()[k]);
            out[i] = x;
        }
        return out;
    }

    /** Refined (symmetrised) conventional cell: ideal lattice (columns), exact positions and types. */
    record Refined(double[][] lattice, double[][] positions, int[] types) {}

    /**
     * spglib's refinement: symmetrise positions with the setting's operations at symprec (up to 5 attempts with the
     * tolerance raised by 5 %) and require |site group| × multiplicity = |G| for every orbit. Returns the refined
     * conventional cell, or null when spglib would reject the result.
     */
    static Refined refine(Cell prim, SpacegroupSearch.Found found, double symprec) {
        HallSymbols.SpaceGroupType type = HallSymbols.type(found.hallNumber());
        HallSymbols.Operations ops = HallSymbols.operations(found.hallNumber());
        PointGroup.Holohedry h = PointGroup.TYPES[type.pointGroupNumber()].holohedry();
        double[][] lattice = idealConventionalLattice(found.convLattice(), h, type.choice());
        double[][] pos = conventionalPositions(prim, found);
        int numPureTrans = 0;
        for (int[][] r : ops.rot()) if (Mat.eq(r, Mat.IDENTITY)) numPureTrans++;
        double tol = symprec;
        for (int attempt = 0; attempt < 5; attempt++) {
            int[] equiv = new int[prim.size()];
            double[][] exact = exactPositions(pos, prim.types(), ops, lattice, tol, equiv);
            if (orbitsConsistent(exact, equiv, ops, lattice, numPureTrans, symprec)) {
                // expand the primitive atoms by the centring translations of the setting
                List<double[]> centring = new ArrayList<>();
                for (int k = 0; k < ops.size(); k++) if (Mat.eq(ops.rot()[k], Mat.IDENTITY)) centring.add(ops.trans()[k]);
                double[][] p = new double[exact.length * centring.size()][];
                int[] types = new int[p.length];
                int m = 0;
                for (double[] c : centring) {
                    for (int i = 0; i < exact.length; i++) {
                        p[m] = new double[]{Mat.dmod1(exact[i][0] + c[0]), Mat.dmod1(exact[i][1] + c[1]), Mat.dmod1(exact[i][2] + c[2])};
                        types[m++] = prim.types()[i];
                    }
                }
                return new Refined(lattice, p, types);
            }
            tol *= 1.05;
        }
        return null;
    }

    private static double[][] exactPositions(double[][] pos, int[] types, HallSymbols.Operations ops, double[][] lattice,
                                             double symprec, int[] equiv) {
        int n = pos.length;
        double[][] exact = new double[n][];
        List<Integer> indep = new ArrayList<>();
        double[] p = new double[3];
        for (int i = 0; i < n; i++) {
            boolean found = false;
            search:
            for (int j : indep) {
                if (types[j] != types[i]) continue;
                for (int k = 0; k < ops.size(); k++) {
                    apply(ops.rot()[k], exact[j], ops.trans()[k], p);
                    if (Cell.isOverlap(p, pos[i], lattice, symprec)) {
                        exact[i] = new double[]{Mat.dmod1(p[0]), Mat.dmod1(p[1]), Mat.dmod1(p[2])};
                        equiv[i] = j;
                        found = true;
                        break search;
                    }
                }
            }
            if (!found) {
                equiv[i] = i;
                indep.add(i);
                exact[i] = exactLocation(pos[i], ops, lattice, symprec);
            }
        }
        return exact;
    }

    /** Average of the site-symmetry operations applied to the position (the special-position operator). */
    private static double[] exactLocation(double[] x, HallSymbols.Operations ops, double[][] lattice, double symprec) {
        double[][] sumRot = new double[3][3];
        double[] sumTrans = new double[3];
        double[] p = new double[3];
        int count = 0;
        for (int k = 0; k < ops.size(); k++) {
            apply(ops.rot()[k], x, ops.trans()[k], p);
            if (Cell.isOverlap(p, x, lattice, symprec)) {
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 3; b++) sumRot[a][b] += ops.rot()[k][a][b];
                    sumTrans[a] += ops.trans()[k][a] - Mat.nint(p[a] - x[a]);
                }
                count++;
            }
        }
        if (count == 0) return x.clone();
        for (int a = 0; a < 3; a++) {
            sumTrans[a] /= count;
            for (int b = 0; b < 3; b++) sumRot[a][b] /= count;
        }
        double[] y = Mat.mulv(sumRot, x);
        for (int a = 0; a < 3; a++) y[a] += sumTrans[a];
        return y;
    }

    private static boolean orbitsConsistent(double[][] exact, int[] equiv, HallSymbols.Operations ops, double[][] lattice,
                                            int numPureTrans, double symprec) {
        int n = exact.length;
        int[] count = new int[n];
        for (int i = 0; i < n; i++) count[equiv[i]]++;
        double[] p = new double[3];
        for (int i = 0; i < n; i++) {
            if (equiv[i] != i) continue;
            int site = 0;
            for (int k = 0; k < ops.size(); k++) {
                apply(ops.rot()[k], exact[i], ops.trans()[k], p);
                if (Cell.isOverlap(p, exact[i], lattice, symprec)) site++;
            }
            if (site * count[i] * numPureTrans != ops.size()) return false;
        }
        return true;
    }

    private static void apply(int[][] r, double[] x, double[] t, double[] out) {
        out[0] = r[0][0] * x[0] + r[0][1] * x[1] + r[0][2] * x[2] + t[0];
        out[1] = r[1][0] * x[0] + r[1][1] * x[1] + r[1][2] * x[2] + t[1];
        out[2] = r[2][0] * x[0] + r[2][1] * x[1] + r[2][2] * x[2] + t[2];
    }
}
