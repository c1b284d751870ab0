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
        Found f = searchHallNumber(primitive.cell(), primitive.origLattice(), symmetry, symprec);
        if (f != null) return f;
        double tol = symprec;
        for (int attempt = 0; attempt < 100; attempt++) {
            tol *= 0.95;
            SymmetrySearch.Ops reduced = SymmetrySearch.reduceOperations(primitive.cell(), symmetry, tol, angleTolerance, false);
            if (reduced == null) continue;
            f = searchHallNumber(primitive.cell(), primitive.origLattice(), reduced, symprec);
            if (f != null) return f;
        }
        return null;
    }

    private static Found searchHallNumber(Cell prim, double[][] origLattice, SymmetrySearch.Ops symmetry, double symprec) {
        List<int[][]> ps = PointGroup.distinct(symmetry.rot());
        int pgNum = PointGroup.identify(ps);
        if (pgNum == 0) return null;
        PointGroup.Type pg = PointGroup.TYPES[pgNum];
        int[][] tmatInt = PointGroup.transformationMatrix(pg, ps);
        if (tmatInt == null) return null;
        if (pg.laue() == PointGroup.Laue.LAUE1) {
            // spglib's change_basis_tricli: its Niggli reduction with eps = symprec²; when that does not settle,
            // spglib gives up this tolerance
            double[][] reduced = Niggli.reduce(Mat.mul(prim.lattice(), tmatInt), symprec * symprec);
            if (reduced == null) return null;
            if (Mat.det(reduced) < 0) {
                for (double[] row : reduced) for (int k = 0; k < 3; k++) row[k] = -row[k];
            }
            tmatInt = Mat.toI(Mat.mul(Mat.inverse(prim.lattice(), 0), reduced));
        }
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
            Found f = matchHall(convLattice, origLattice, hall, pg.holohedry(), centering, convSym, symprec);
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
        double[][] rt = new double[3][3];
        for (int i = 0; i < n; i++) {
            // T⁻¹·R·T without boxing R into a double matrix (this runs for every basis of every candidate type)
            int[][] r = sym.rot()[i];
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) rt[a][b] = r[a][0] * tmat[0][b] + r[a][1] * tmat[1][b] + r[a][2] * tmat[2][b];
            }
            int[][] ri = new int[3][3];
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) ri[a][b] = Mat.nint(inv[a][0] * rt[0][b] + inv[a][1] * rt[1][b] + inv[a][2] * rt[2][b]);
            }
            rot[i] = ri;
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

    /**
     * spglib's match_hall_symbol_db for one Hall setting. Where the input cell is itself a conventional cell of the
     * group (same volume, right-handed), spglib first looks for a basis that equals the input basis up to axis flips
     * (cubic, orthorhombic, monoclinic) or within symprec (tetragonal, trigonal, hexagonal) and only then searches
     * without it; the basis chosen fixes the origin and the exact positions that the refinement checks.
     */
    private static Found matchHall(double[][] convLattice, double[][] origLattice, int hall, PointGroup.Holohedry holohedry,
                                   Centering centering, SymmetrySearch.Ops convSym, double symprec) {
        boolean useOrig = origLattice != null && Mat.det(origLattice) > symprec;
        switch (holohedry) {
            case MONOCLI -> {
                return matchMonoclinic(convLattice, useOrig ? origLattice : null, hall, centering, convSym, symprec);
            }
            case ORTHO -> {
                return matchOrthorhombic(convLattice, useOrig ? origLattice : null, hall, centering, convSym, symprec);
            }
            case CUBIC -> {
                if (useOrig) {
                    for (int i = 0; i < 6; i++) {
                        Found f = orthoBasis(convLattice, origLattice, i, hall, centering, false, convSym, -1, symprec);
                        if (f != null) return f;
                    }
                }
                for (int i = 0; i < 6; i++) {
                    Found f = orthoBasis(convLattice, null, i, hall, centering, false, convSym, -1, symprec);
                    if (f != null) return f;
                }
                return null;
            }
            case TRICLI -> {
                return hallMatch(convLattice, hall, centering, convSym, symprec);
            }
            case TETRA -> {
                return basisLoop(convLattice, useOrig ? origLattice : null, CHANGE_OF_BASIS_C4, hall, centering, convSym, symprec);
            }
            default -> { // TRIGO, HEXA
                if (centering == Centering.R_CENTER) {
                    if (!isRhomboHexSetting(hall)) return null;
                    return basisLoop(convLattice, useOrig ? origLattice : null, CHANGE_OF_BASIS_RHOMBO_HEX, hall, centering, convSym, symprec);
                }
                return basisLoop(convLattice, useOrig ? origLattice : null, CHANGE_OF_BASIS_C6, hall, centering, convSym, symprec);
            }
        }
    }

    /**
     * spglib's match_hall_symbol_db_change_of_basis_loop: the bases equal to the input basis within symprec first,
     * then all bases in table order.
     */
    private static Found basisLoop(double[][] convLattice, double[][] origLattice, double[][][] bases, int hall,
                                   Centering centering, SymmetrySearch.Ops convSym, double symprec) {
        Centering forSymmetry = centering == Centering.R_CENTER ? Centering.R_CENTER : Centering.PRIMITIVE;
        if (origLattice != null) {
            for (double[][] cob : bases) {
                if (equivalentLattice(Mat.mul(convLattice, cob), origLattice, false, symprec) == null) continue;
                Found f = tryBasis(convLattice, cob, forSymmetry, hall, centering, convSym, symprec);
                if (f != null) return f;
            }
        }
        for (double[][] cob : bases) {
            Found f = tryBasis(convLattice, cob, forSymmetry, hall, centering, convSym, symprec);
            if (f != null) return f;
        }
        return null;
    }

    // spglib's num_axis_choices_ortho (space groups 16-74): how many axis settings the type has, which decides the
    // length order imposed on the axes of the standard setting
    private static final int[] NUM_AXIS_CHOICES_ORTHO = {
            6, 2, 2, 6, 2, 2, 6, 6, 6, 2, 1, 2, 1, 1, 1, 1, 2, 1, 2, 2, 1, 2, 1, 1, 1,
            1, 2, 2, 2, 2, 1, 6, 6, 2, 2, 1, 1, 1, 1, 2, 2, 1, 2, 2, 1, 3, 1, 1, 1, 2,
            2, 2, 2, 6, 6, 6, 2, 6, 2};
    private static final int[] UNIQUE_AXIS_ORTHO = {2, 1, 0, 2, 1, 0};

    /** spglib's orthorhombic branch of match_hall_symbol_db, with the axis-length preferences of each type. */
    private static Found matchOrthorhombic(double[][] convLattice, double[][] origLattice, int hall, Centering centering,
                                           SymmetrySearch.Ops convSym, double symprec) {
        int number = HallSymbols.type(hall).number();
        int choices = NUM_AXIS_CHOICES_ORTHO[number - 16];
        if (choices == 2) {
            // first the principal axis with the type's standard setting, free axis lengths; then the setting itself
            Found first = ortho(convLattice, origLattice, HallSymbols.standardHallNumber(number), centering, convSym, 0, symprec);
            if (first == null) return null;
            double[][] tmat = Mat.mul(Mat.inverse(convLattice, 0), first.convLattice());
            SymmetrySearch.Ops changed = conventionalSymmetry(tmat, Centering.PRIMITIVE, convSym);
            if (changed == null) return null;
            return ortho(first.convLattice(), origLattice, hall, centering, changed, 2, symprec);
        }
        return ortho(convLattice, origLattice, hall, centering, convSym, choices, symprec);
    }

    private static Found ortho(double[][] convLattice, double[][] origLattice, int hall, Centering centering,
                               SymmetrySearch.Ops convSym, int freeAxes, double symprec) {
        if (origLattice != null) {
            for (int i = 0; i < 6; i++) {
                Found f = orthoBasis(convLattice, origLattice, i, hall, centering, true, convSym, freeAxes, symprec);
                if (f != null) return f;
            }
        }
        for (int i = 0; i < 6; i++) {
            Found f = orthoBasis(convLattice, null, i, hall, centering, true, convSym, freeAxes, symprec);
            if (f != null) return f;
        }
        return null;
    }

    /**
     * One orthorhombic (or cubic) axis permutation: with an input basis, only when the permuted basis equals it up
     * to axis flips (then the flips are applied); the axis-length order that the type's settings require; then the
     * Hall match. freeAxes &lt; 0: no length order (cubic).
     */
    private static Found orthoBasis(double[][] convLattice, double[][] origLattice, int i, int hall, Centering centering,
                                    boolean orthoCentring, SymmetrySearch.Ops convSym, int freeAxes, double symprec) {
        Centering cc = orthoCentring && centering == Centering.C_FACE ? CHANGE_OF_CENTERING_ORTHO[i] : centering;
        double[][] cob = CHANGE_OF_BASIS_ORTHO[i];
        double[][] changed = Mat.mul(convLattice, cob);
        if (origLattice != null) {
            double[][] flip = equivalentLattice(changed, origLattice, true, symprec);
            if (flip == null) return null;
            changed = Mat.mul(changed, flip);
            cob = Mat.mul(cob, flip);
        }
        double[] n = {Mat.norm2(Mat.column(changed, 0)), Mat.norm2(Mat.column(changed, 1)), Mat.norm2(Mat.column(changed, 2))};
        switch (freeAxes) {
            case 2 -> {
                int u = UNIQUE_AXIS_ORTHO[i];
                double n0 = u == 0 ? n[1] : n[0], n1 = u == 2 ? n[1] : n[2];
                if (n0 > n1 + 1e-10) return null;
            }
            case 3 -> {
                if (n[0] > n[1] + 1e-10 || n[0] > n[2] + 1e-10) return null;
            }
            case 6 -> {
                if (n[0] > n[1] + 1e-10 || n[1] > n[2] + 1e-10) return null;
            }
            default -> { }
        }
        SymmetrySearch.Ops sym = conventionalSymmetry(cob, Centering.PRIMITIVE, convSym);
        if (sym == null) return null;
        return hallMatch(changed, hall, cc, sym, symprec);
    }

    /**
     * spglib's is_equivalent_lattice: T = lattice⁻¹·orig when the volumes agree within symprec and T (flips = false)
     * or |T| elementwise (flips = true) is the identity within symprec; null otherwise. lattice·T is orig.
     */
    static double[][] equivalentLattice(double[][] lattice, double[][] orig, boolean flips, double symprec) {
        if (Math.abs(Mat.det(lattice) - Mat.det(orig)) > symprec) return null;
        double[][] inv = Mat.inverse(lattice, symprec);
        if (inv == null) return null;
        double[][] t = Mat.mul(inv, orig);
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                double v = flips ? Math.abs(t[a][b]) : t[a][b];
                if (Math.abs(v - (a == b ? 1 : 0)) > symprec) return null;
            }
        }
        return t;
    }

    private static final int[] UNIQUE_AXIS_MONOCLI = {
            1, 1, 0, 2, 2, 0, 1, 1, 0, 2, 2, 0, 1, 1, 0, 2, 2, 0, 1, 1, 0, 2, 2, 0, 1, 1, 0, 2, 2, 0, 1, 1, 0, 2, 2, 0};

    /**
     * spglib's match_hall_symbol_db_monocli: among the 36 monoclinic cell choices that match, keep non-acute ones
     * (and |a| ≤ |c| for P2, P2_1, Pm, P2/m, P2_1/m) and take the one with the shortest two non-unique axes,
     * preferring, within symprec of the shortest, a choice that equals the input basis up to flips of the two
     * non-unique axes.
     */
    private static Found matchMonoclinic(double[][] convLattice, double[][] origLattice, int hall, Centering centering,
                                         SymmetrySearch.Ops convSym, double symprec) {
        int number = HallSymbols.type(hall).number();
        boolean checkNorms = number == 3 || number == 4 || number == 6 || number == 10 || number == 11;
        int nb = CHANGE_OF_BASIS_MONOCLI.length;
        Found[] found = new Found[nb];
        boolean[] similar = new boolean[nb];
        double[] sums = new double[nb];
        double bestSum = Double.MAX_VALUE;
        for (int i = 0; i < nb; i++) {
            double[][] cob = CHANGE_OF_BASIS_MONOCLI[i];
            double[][] lat = Mat.mul(convLattice, cob);
            int u = UNIQUE_AXIS_MONOCLI[i];
            double[][] v = new double[2][];
            int l = 0;
            for (int j = 0; j < 3; j++) if (j != u) v[l++] = Mat.column(lat, j);
            double n0 = Mat.norm2(v[0]), n1 = Mat.norm2(v[1]);
            if (v[0][0] * v[1][0] + v[0][1] * v[1][1] + v[0][2] * v[1][2] > 1e-10) continue;
            if (checkNorms && n0 > n1 + 1e-10) continue;
            if (origLattice != null) {
                double[][] flip = equivalentLattice(lat, origLattice, true, symprec);
                if (flip != null && flip[(u + 1) % 3][(u + 1) % 3] * flip[(u + 2) % 3][(u + 2) % 3] > 1e-10) {
                    cob = Mat.mul(cob, flip);
                    similar[i] = true;
                }
            }
            Centering cc = centering == Centering.C_FACE ? CHANGE_OF_CENTERING_MONOCLI[i] : centering;
            SymmetrySearch.Ops changed = conventionalSymmetry(cob, Centering.PRIMITIVE, convSym);
            if (changed == null) continue;
            found[i] = hallMatch(Mat.mul(convLattice, cob), hall, cc, changed, symprec);
            sums[i] = Math.sqrt(n0) + Math.sqrt(n1);
            if (found[i] != null && sums[i] < bestSum) bestSum = sums[i];
        }
        Found best = null;
        for (int i = 0; i < nb; i++) {
            if (found[i] != null && Math.abs(sums[i] - bestSum) < symprec) {
                if (similar[i]) return found[i];
                if (best == null) best = found[i];
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
