package org.concdvae.analysis.symmetry;

import java.util.List;

/**
 * Identification of the space-group type from the operations of a primitive cell (spglib's spacegroup.c method):
 * conventional axes from the point group, the centring from the transformation matrix, then the operations are
 * matched against the standard Hall setting of each candidate type, trying the change-of-basis matrices of the
 * crystal family and solving for the origin shift (Smith normal form, Grosse-Kunstleve 1999).
 */
final class SpacegroupSearch {
    enum Centering { PRIMITIVE, BODY, FACE, A_FACE, B_FACE, C_FACE, R_CENTER }

    /** Result: Hall number, origin shift (conventional basis) and conventional lattice (columns). */
    record Found(int hallNumber, double[] originShift, double[][] convLattice, int pointGroupNumber) {}

    private SpacegroupSearch() {}

    // ---- tables from spglib (change of basis within each crystal family) ----
    private static final double[][][] CHANGE_OF_BASIS_MONOCLI = {
            {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, {{0, 0, 1}, {0, -1, 0}, {1, 0, 0}},
            {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}}, {{1, 0, 0}, {0, 0, 1}, {0, -1, 0}},
            {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}}, {{0, -1, 0}, {1, 0, 0}, {0, 0, 1}},
            {{-1, 0, 1}, {0, 1, 0}, {-1, 0, 0}}, {{1, 0, -1}, {0, -1, 0}, {0, 0, -1}},
            {{0, 1, -1}, {1, 0, 0}, {0, 0, -1}}, {{-1, -1, 0}, {0, 0, 1}, {-1, 0, 0}},
            {{1, -1, 0}, {0, 0, 1}, {0, -1, 0}}, {{0, 1, 1}, {1, 0, 0}, {0, 1, 0}},
            {{0, 0, -1}, {0, 1, 0}, {1, 0, -1}}, {{-1, 0, 0}, {0, -1, 0}, {-1, 0, 1}},
            {{0, -1, 0}, {1, 0, 0}, {0, -1, 1}}, {{0, 1, 0}, {0, 0, 1}, {1, 1, 0}},
            {{-1, 0, 0}, {0, 0, 1}, {-1, 1, 0}}, {{0, 0, -1}, {1, 0, 0}, {0, -1, -1}},
            {{1, 0, 0}, {0, -1, 0}, {0, 0, -1}}, {{0, 0, -1}, {0, 1, 0}, {1, 0, 0}},
            {{0, 0, 1}, {-1, 0, 0}, {0, -1, 0}}, {{-1, 0, 0}, {0, 0, -1}, {0, -1, 0}},
            {{0, 1, 0}, {0, 0, -1}, {-1, 0, 0}}, {{0, 1, 0}, {-1, 0, 0}, {0, 0, 1}},
            {{-1, 0, -1}, {0, -1, 0}, {-1, 0, 0}}, {{1, 0, 1}, {0, 1, 0}, {0, 0, 1}},
            {{0, -1, -1}, {-1, 0, 0}, {0, 0, -1}}, {{1, -1, 0}, {0, 0, -1}, {1, 0, 0}},
            {{-1, -1, 0}, {0, 0, -1}, {0, -1, 0}}, {{0, -1, 1}, {-1, 0, 0}, {0, -1, 0}},
            {{0, 0, 1}, {0, -1, 0}, {1, 0, 1}}, {{-1, 0, 0}, {0, 1, 0}, {-1, 0, -1}},
            {{0, 1, 0}, {-1, 0, 0}, {0, 1, 1}}, {{0, 1, 0}, {0, 0, -1}, {-1, 1, 0}},
            {{1, 0, 0}, {0, 0, -1}, {1, 1, 0}}, {{0, 0, -1}, {-1, 0, 0}, {0, 1, -1}}};
    private static final Centering[] CHANGE_OF_CENTERING_MONOCLI = {
            Centering.C_FACE, Centering.A_FACE, Centering.B_FACE, Centering.B_FACE, Centering.A_FACE, Centering.C_FACE,
            Centering.A_FACE, Centering.C_FACE, Centering.C_FACE, Centering.A_FACE, Centering.B_FACE, Centering.B_FACE,
            Centering.BODY, Centering.BODY, Centering.BODY, Centering.BODY, Centering.BODY, Centering.BODY,
            Centering.C_FACE, Centering.A_FACE, Centering.B_FACE, Centering.B_FACE, Centering.A_FACE, Centering.C_FACE,
            Centering.A_FACE, Centering.C_FACE, Centering.C_FACE, Centering.A_FACE, Centering.B_FACE, Centering.B_FACE,
            Centering.BODY, Centering.BODY, Centering.BODY, Centering.BODY, Centering.BODY, Centering.BODY};
    private static final double[][][] CHANGE_OF_BASIS_ORTHO = {
            {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}},
            {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}}, {{0, 1, 0}, {1, 0, 0}, {0, 0, -1}},
            {{1, 0, 0}, {0, 0, 1}, {0, -1, 0}}, {{0, 0, 1}, {0, 1, 0}, {-1, 0, 0}}};
    private static final Centering[] CHANGE_OF_CENTERING_ORTHO = {
            Centering.C_FACE, Centering.B_FACE, Centering.A_FACE, Centering.C_FACE, Centering.B_FACE, Centering.A_FACE};
    private static final double[][][] CHANGE_OF_BASIS_RHOMBO_HEX = {
            {{1, 0, 1}, {-1, 1, 1}, {0, -1, 1}}, {{0, -1, 1}, {1, 0, 1}, {-1, 1, 1}},
            {{-1, 1, 1}, {0, -1, 1}, {1, 0, 1}}, {{0, 1, -1}, {1, -1, -1}, {-1, 0, -1}},
            {{1, -1, -1}, {-1, 0, -1}, {0, 1, -1}}, {{-1, 0, -1}, {0, 1, -1}, {1, -1, -1}}};
    private static final double[][][] CHANGE_OF_BASIS_C4 = {
            {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, {{0, -1, 0}, {1, 0, 0}, {0, 0, 1}},
            {{-1, 0, 0}, {0, -1, 0}, {0, 0, 1}}, {{0, 1, 0}, {-1, 0, 0}, {0, 0, 1}},
            {{0, 1, 0}, {1, 0, 0}, {0, 0, -1}}, {{-1, 0, 0}, {0, 1, 0}, {0, 0, -1}},
            {{0, -1, 0}, {-1, 0, 0}, {0, 0, -1}}, {{1, 0, 0}, {0, -1, 0}, {0, 0, -1}}};
    private static final double[][][] CHANGE_OF_BASIS_C6 = {
            {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, {{1, -1, 0}, {1, 0, 0}, {0, 0, 1}},
            {{0, -1, 0}, {1, -1, 0}, {0, 0, 1}}, {{-1, 0, 0}, {0, -1, 0}, {0, 0, 1}},
            {{-1, 1, 0}, {-1, 0, 0}, {0, 0, 1}}, {{0, 1, 0}, {-1, 1, 0}, {0, 0, 1}},
            {{0, 1, 0}, {1, 0, 0}, {0, 0, -1}}, {{-1, 1, 0}, {0, 1, 0}, {0, 0, -1}},
            {{-1, 0, 0}, {-1, 1, 0}, {0, 0, -1}}, {{0, -1, 0}, {-1, 0, 0}, {0, 0, -1}},
            {{1, -1, 0}, {0, -1, 0}, {0, 0, -1}}, {{1, 0, 0}, {1, -1, 0}, {0, 0, -1}}};

    private static final double[][] MONOCLI_I2C = {{1, 0, -1}, {0, 1, 0}, {1, 0, 0}};
    private static final double[][] MONOCLI_A2C = {{0, 0, 1}, {0, -1, 0}, {1, 0, 0}};
    private static final double[][] RHOMBO_OBVERSE = {{2. / 3, -1. / 3, -1. / 3}, {1. / 3, 1. / 3, -2. / 3}, {1. / 3, 1. / 3, 1. / 3}};
    private static final double[][] RHOMBO_REVERSE = {{1. / 3, -2. / 3, 1. / 3}, {2. / 3, -1. / 3, -1. / 3}, {1. / 3, 1. / 3, 1. / 3}};
    private static final double[][] A2C = {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}};
    private static final double[][] B2C = {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}};

    // primitive basis of each centred lattice: frac_prim = M · frac_conv, lattice_prim = lattice_conv · M⁻¹
    private static final int[][] M_BCC = {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}};
    private static final int[][] M_FCC = {{-1, 1, 1}, {1, -1, 1}, {1, 1, -1}};
    private static final int[][] M_AC = {{1, 0, 0}, {0, 1, 1}, {0, -1, 1}};
    private static final int[][] M_BC = {{1, 0, 1}, {0, 1, 0}, {-1, 0, 1}};
    private static final int[][] M_CC = {{1, -1, 0}, {1, 1, 0}, {0, 0, 1}};
    private static final int[][] M_RC = {{1, 0, 1}, {-1, 1, 1}, {0, -1, 1}};

    private static int[][] centringMatrix(Centering c) {
        return switch (c) {
            case PRIMITIVE -> Mat.IDENTITY;
            case BODY -> M_BCC;
            case FACE -> M_FCC;
            case A_FACE -> M_AC;
            case B_FACE -> M_BC;
            case C_FACE -> M_CC;
            case R_CENTER -> M_RC;
        };
    }

    private static double[][] centringShifts(Centering c) {
        return switch (c) {
            case PRIMITIVE -> new double[0][];
            case BODY -> new double[][]{{0.5, 0.5, 0.5}};
            case A_FACE -> new double[][]{{0, 0.5, 0.5}};
            case B_FACE -> new double[][]{{0.5, 0, 0.5}};
            case C_FACE -> new double[][]{{0.5, 0.5, 0}};
            case R_CENTER -> new double[][]{{2. / 3, 1. / 3, 1. / 3}, {1. / 3, 2. / 3, 2. / 3}};
            case FACE -> new double[][]{{0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
        };
    }

    /**
     * spglib's search_spacegroup_with_symmetry + iterative_search_hall_number: identify the type, reducing the
     * tolerance of the operations when the set does not match any type. Null when nothing matches.
     */
    static Found search(SymmetrySearch.Primitive primitive, SymmetrySearch.Ops symmetry, double symprec, double angleTolerance) {
        if (PointGroup.distinct(symmetry.rot()).size() < symmetry.size()) return null;
        Found f = searchHallNumber(primitive.cell(), symmetry, symprec);
        if (f != null) return f;
        double tol = symprec;
        for (int attempt = 0; attempt < 100; attempt++) {
            tol *= 0.95;
            SymmetrySearch.Ops reduced = SymmetrySearch.reduceOperations(primitive.cell(), symmetry, tol, angleTolerance, false);
            if (reduced == null) continue;
            f = searchHallNumber(primitive.cell(), reduced, symprec);
            if (f != null) return f;
        }
        return null;
    }

    private static Found searchHallNumber(Cell prim, SymmetrySearch.Ops symmetry, double symprec) {
        List<int[][]> ps = PointGroup.distinct(symmetry.rot());
        int pgNum = PointGroup.identify(ps);
        if (pgNum == 0) return null;
        PointGroup.Type pg = PointGroup.TYPES[pgNum];
        int[][] tmatInt = PointGroup.transformationMatrix(pg, ps);
        if (tmatInt == null) return null;
        if (pg.laue() == PointGroup.Laue.LAUE2M) {
            // spglib's change_basis_monocli: 2D Delaunay reduction of the axes perpendicular to b
            double[][] reduced = Delaunay.reduce2D(Mat.mul(prim.lattice(), tmatInt), 1, symprec);
            if (reduced == null) return null;
            tmatInt = Mat.toI(Mat.mul(Mat.inverse(prim.lattice(), 0), reduced));
        }
        double[][] correction = Mat.identityD();
        Centering centering;
        int det = Math.abs(Mat.det(tmatInt));
        switch (det) {
            case 1 -> centering = Centering.PRIMITIVE;
            case 2 -> {
                centering = baseCenter(tmatInt);
                if (centering == Centering.A_FACE) {
                    correction = pg.laue() == PointGroup.Laue.LAUE2M ? MONOCLI_A2C : A2C;
                    centering = Centering.C_FACE;
                }
                if (centering == Centering.B_FACE) {
                    correction = B2C;
                    centering = Centering.C_FACE;
                }
                if (pg.laue() == PointGroup.Laue.LAUE2M && centering == Centering.BODY) {
                    correction = MONOCLI_I2C;
                    centering = Centering.C_FACE;
                }
            }
            case 3 -> {
                centering = Centering.R_CENTER;
                if (Mat.isInt(Mat.mul(tmatInt, RHOMBO_OBVERSE), 0.1)) correction = RHOMBO_OBVERSE;
                if (Mat.isInt(Mat.mul(tmatInt, RHOMBO_REVERSE), 0.1)) correction = RHOMBO_REVERSE;
            }
            case 4 -> centering = Centering.FACE;
            default -> { return null; }
        }
        double[][] tmat = Mat.mul(tmatInt, correction);
        double[][] convLattice = Mat.mul(prim.lattice(), tmat);
        SymmetrySearch.Ops convSym = conventionalSymmetry(tmat, centering == Centering.R_CENTER ? Centering.PRIMITIVE : centering, symmetry);
        for (int number = 1; number <= 230; number++) {
            int hall = HallSymbols.standardHallNumber(number);
            HallSymbols.SpaceGroupType type = HallSymbols.type(hall);
            if (type.pointGroupNumber() != pgNum) continue;
            Found f = matchHall(convLattice, hall, pg.holohedry(), centering, convSym, symprec);
            if (f != null) return new Found(f.hallNumber(), f.originShift(), f.convLattice(), pgNum);
        }
        return null;
    }

    private static Centering baseCenter(int[][] t) {
        for (int i = 0; i < 3; i++) if (t[i][0] == 0 && t[i][1] == 0 && Math.abs(t[i][2]) == 1) return Centering.C_FACE;
        for (int i = 0; i < 3; i++) if (Math.abs(t[i][0]) == 1 && t[i][1] == 0 && t[i][2] == 0) return Centering.A_FACE;
        for (int i = 0; i < 3; i++) if (t[i][0] == 0 && Math.abs(t[i][1]) == 1 && t[i][2] == 0) return Centering.B_FACE;
        boolean body = true;
        for (int i = 0; i < 3; i++) if (Math.abs(t[i][0]) + Math.abs(t[i][1]) + Math.abs(t[i][2]) != 2) body = false;
        return body ? Centering.BODY : Centering.PRIMITIVE;
    }

    /** Operations in the basis given by tmat (rotation T⁻¹RT, translation T⁻¹t), with centring translations added. */
    static SymmetrySearch.Ops conventionalSymmetry(double[][] tmat, Centering centering, SymmetrySearch.Ops sym) {
        double[][] inv = Mat.inverse(tmat, 0);
        if (inv == null) return null;
        double[][][] shifts = new double[][][]{centringShifts(centering)};
        int multi = 1 + shifts[0].length;
        int n = sym.size();
        int[][][] rot = new int[n * multi][][];
        double[][] tr = new double[n * multi][];
        for (int i = 0; i < n; i++) {
            rot[i] = Mat.toI(Mat.mul(inv, Mat.mul(Mat.toD(sym.rot()[i]), tmat)));
            tr[i] = Mat.mulv(inv, sym.trans()[i]);
        }
        for (int c = 1; c < multi; c++) {
            for (int i = 0; i < n; i++) {
                rot[c * n + i] = rot[i];
                double[] s = shifts[0][c - 1];
                tr[c * n + i] = new double[]{tr[i][0] + s[0], tr[i][1] + s[1], tr[i][2] + s[2]};
            }
        }
        return new SymmetrySearch.Ops(rot, tr);
    }

    private static Found matchHall(double[][] convLattice, int hall, PointGroup.Holohedry holohedry, Centering centering,
                                   SymmetrySearch.Ops convSym, double symprec) {
        switch (holohedry) {
            case MONOCLI -> {
                return matchMonoclinic(convLattice, hall, centering, convSym, symprec);
            }
            case ORTHO -> {
                for (int i = 0; i < 6; i++) {
                    Centering cc = centering == Centering.C_FACE ? CHANGE_OF_CENTERING_ORTHO[i] : centering;
                    Found f = tryBasis(convLattice, CHANGE_OF_BASIS_ORTHO[i], Centering.PRIMITIVE, hall, cc, convSym, symprec);
                    if (f != null) return f;
                }
                return null;
            }
            case CUBIC -> {
                for (int i = 0; i < 6; i++) {
                    Found f = tryBasis(convLattice, CHANGE_OF_BASIS_ORTHO[i], Centering.PRIMITIVE, hall, centering, convSym, symprec);
                    if (f != null) return f;
                }
                return null;
            }
            case TRICLI -> {
                return hallMatch(convLattice, hall, centering, convSym, symprec);
            }
            case TETRA -> {
                for (double[][] cob : CHANGE_OF_BASIS_C4) {
                    Found f = tryBasis(convLattice, cob, centering == Centering.R_CENTER ? Centering.R_CENTER : Centering.PRIMITIVE, hall, centering, convSym, symprec);
                    if (f != null) return f;
                }
                return null;
            }
            default -> { // TRIGO, HEXA
                if (centering == Centering.R_CENTER) {
                    if (!isRhomboHexSetting(hall)) return null;
                    for (double[][] cob : CHANGE_OF_BASIS_RHOMBO_HEX) {
                        Found f = tryBasis(convLattice, cob, Centering.R_CENTER, hall, Centering.R_CENTER, convSym, symprec);
                        if (f != null) return f;
                    }
                    return null;
                }
                for (double[][] cob : CHANGE_OF_BASIS_C6) {
                    Found f = tryBasis(convLattice, cob, Centering.PRIMITIVE, hall, centering, convSym, symprec);
                    if (f != null) return f;
                }
                return null;
            }
        }
    }

    private static final int[] UNIQUE_AXIS_MONOCLI = {
            1, 1, 0, 2, 2, 0, 1, 1, 0, 2, 2, 0, 1, 1, 0, 2, 2, 0, 1, 1, 0, 2, 2, 0, 1, 1, 0, 2, 2, 0, 1, 1, 0, 2, 2, 0};

    /**
     * spglib's match_hall_symbol_db_monocli: among the 36 monoclinic cell choices that match, keep non-acute ones
     * (and |a| ≤ |c| for P2, P2_1, Pm, P2/m, P2_1/m) and take the one with the shortest two non-unique axes.
     */
    private static Found matchMonoclinic(double[][] convLattice, int hall, Centering centering,
                                         SymmetrySearch.Ops convSym, double symprec) {
        int number = HallSymbols.type(hall).number();
        boolean checkNorms = number == 3 || number == 4 || number == 6 || number == 10 || number == 11;
        Found best = null;
        double bestSum = Double.MAX_VALUE;
        Found[] found = new Found[CHANGE_OF_BASIS_MONOCLI.length];
        double[] sums = new double[found.length];
        for (int i = 0; i < CHANGE_OF_BASIS_MONOCLI.length; i++) {
            double[][] lat = Mat.mul(convLattice, CHANGE_OF_BASIS_MONOCLI[i]);
            int u = UNIQUE_AXIS_MONOCLI[i];
            double[][] v = new double[2][];
            int l = 0;
            for (int j = 0; j < 3; j++) if (j != u) v[l++] = Mat.column(lat, j);
            double n0 = Mat.norm2(v[0]), n1 = Mat.norm2(v[1]);
            if (v[0][0] * v[1][0] + v[0][1] * v[1][1] + v[0][2] * v[1][2] > 1e-10) continue;
            if (checkNorms && n0 > n1 + 1e-10) continue;
            Centering cc = centering == Centering.C_FACE ? CHANGE_OF_CENTERING_MONOCLI[i] : centering;
            found[i] = tryBasis(convLattice, CHANGE_OF_BASIS_MONOCLI[i], Centering.PRIMITIVE, hall, cc, convSym, symprec);
            sums[i] = Math.sqrt(n0) + Math.sqrt(n1);
            if (found[i] != null && sums[i] < bestSum) bestSum = sums[i];
        }
        for (int i = 0; i < found.length; i++) {
            if (found[i] != null && Math.abs(sums[i] - bestSum) < symprec) {
                best = found[i];
                break;
            }
        }
        return best;
    }

    private static boolean isRhomboHexSetting(int hall) {
        return hall == 433 || hall == 436 || hall == 444 || hall == 450 || hall == 452 || hall == 458 || hall == 460;
    }

    private static Found tryBasis(double[][] convLattice, double[][] cob, Centering centeringForSymmetry, int hall,
                                  Centering centering, SymmetrySearch.Ops convSym, double symprec) {
        SymmetrySearch.Ops changed = conventionalSymmetry(cob, centeringForSymmetry, convSym);
        if (changed == null) return null;
        return hallMatch(Mat.mul(convLattice, cob), hall, centering, changed, symprec);
    }

    /**
     * Do the operations (in the conventional basis of {@code bravais}) equal those of the Hall setting up to an
     * origin shift? spglib's hal_match_hall_symbol_db: for each generator set of the crystal family (in order), the
     * origin shift is V·S⁺·U·Δw from the translations of the generators, then every operation is verified within
     * symprec.
     */
    static Found hallMatch(double[][] bravais, int hall, Centering centering, SymmetrySearch.Ops sym, double symprec) {
        HallSymbols.Operations db = HallSymbols.operations(hall);
        if (db.size() != sym.size()) return null;
        int[][] m = centringMatrix(centering);
        double[][] mD = Mat.toD(m);
        double[][] mInv = Mat.inverse(mD, 0);
        double[][] primLattice = Mat.mul(bravais, mInv);
        List<OriginShiftTables.Entry> sets = OriginShiftTables.forSetting(hall, centering);
        if (sets == null) return null;
        // translations are reduced to this primitive basis (spglib passes P for the triclinic/trigonal/hexagonal sets)
        double[][] mw = Mat.toD(centringMatrix(OriginShiftTables.centringForDw(hall, centering)));
        double[][] mwInv = Mat.inverse(mw, 0);
        for (OriginShiftTables.Entry e : sets) {
            double[] dw = new double[9];
            boolean ok = true;
            for (int g = 0; g < 3 && ok; g++) {
                int[][] r = e.generators()[g];
                if (Mat.det(r) == 0) continue;
                int ours = -1, theirs = -1;
                for (int i = 0; i < sym.size(); i++) if (Mat.eq(sym.rot()[i], r)) { ours = i; break; }
                for (int i = 0; i < db.size(); i++) if (Mat.eq(db.rot()[i], r)) { theirs = i; break; }
                if (ours < 0 || theirs < 0) { ok = false; break; }
                double[] tp = Mat.mulv(mw, sym.trans()[ours]);
                double[] tdb = Mat.mulv(mw, db.trans()[theirs]);
                for (int i = 0; i < 3; i++) dw[3 * g + i] = Mat.dmod1(tp[i] - tdb[i]);
            }
            if (!ok) continue;
            double[] shift = new double[3];
            for (int i = 0; i < 3; i++) {
                double x = 0;
                for (int j = 0; j < 9; j++) x += e.vspu()[i][j] * dw[j];
                shift[i] = Mat.dmod1(x);
            }
            if (matchesDatabase(db, sym, shift, mw, mwInv, primLattice, symprec)) {
                return new Found(hall, Mat.mulv(mInv, shift), bravais, 0);
            }
        }
        return null;
    }

    /** spglib's is_match_database: every operation equals a distinct setting operation after the origin shift. */
    private static boolean matchesDatabase(HallSymbols.Operations db, SymmetrySearch.Ops sym, double[] shift,
                                           double[][] mD, double[][] mInv, double[][] primLattice, double symprec) {
        boolean[] used = new boolean[db.size()];
        double[] diff = new double[3];
        for (int i = 0; i < sym.size(); i++) {
            boolean ok = false;
            double[] tp = Mat.mulv(mD, sym.trans()[i]);
            for (int j = 0; j < db.size(); j++) {
                if (!Mat.eq(sym.rot()[i], db.rot()[j])) continue;
                double[] tdb = Mat.mulv(mD, db.trans()[j]);
                double[][] rp = Mat.mul(mD, Mat.mul(Mat.toD(db.rot()[j]), mInv));
                double[] sr = Mat.mulv(rp, shift);
                for (int l = 0; l < 3; l++) diff[l] = tp[l] - tdb[l] + shift[l];
                if (Cell.isOverlap(diff, sr, primLattice, symprec)) {
                    if (!used[j]) {
                        used[j] = true;
                        ok = true;
                        break;
                    }
                }
            }
            if (!ok) return false;
        }
        return true;
    }
}
