package org.concdvae.analysis.symmetry;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;

import java.util.ArrayList;
import java.util.List;

/**
 * Space-group analysis of a periodic structure, equivalent to spglib 2.0 as pymatgen's
 * {@code SpacegroupAnalyzer(structure, symprec, angle_tolerance)} calls it: Delaunay reduction, lattice point group
 * within the length/angle tolerances, operations mapping atoms onto themselves, pure translations → primitive cell,
 * identification against the Hall settings, with spglib's iterative tolerance reduction when the operations found
 * are not a group. Immutable and thread-safe; the dataset is computed in the constructor.
 */
public final class SpacegroupAnalyzer {
    /** pymatgen's defaults. */
    public static final double DEFAULT_SYMPREC = 0.01;
    public static final double DEFAULT_ANGLE_TOLERANCE = 5.0;

    private final Structure structure;
    private final double symprec;
    private final double angleTolerance;
    private final SymmetryDataset dataset;

    public SpacegroupAnalyzer(Structure structure) {
        this(structure, DEFAULT_SYMPREC, DEFAULT_ANGLE_TOLERANCE);
    }

    /**
     * @param symprec        distance tolerance in Å (positive)
     * @param angleTolerance angle tolerance in degrees for the lattice point group (spglib: negative means derive
     *                       it from symprec)
     * @throws InvalidStructureException for an empty structure, a degenerate lattice, atoms of one species closer
     *                                   than symprec, or when no space group is found
     */
    public SpacegroupAnalyzer(Structure structure, double symprec, double angleTolerance) {
        if (!(symprec > 0) || !Double.isFinite(symprec)) throw new IllegalArgumentException("symprec must be positive, got " + symprec);
        if (!Double.isFinite(angleTolerance)) throw new IllegalArgumentException("angle tolerance must be finite");
        this.structure = structure;
        this.symprec = symprec;
        this.angleTolerance = angleTolerance;
        this.dataset = analyze();
    }

    public Structure structure() { return structure; }

    public double symprec() { return symprec; }

    public double angleTolerance() { return angleTolerance; }

    public SymmetryDataset dataset() { return dataset; }

    public int getSpaceGroupNumber() { return dataset.spaceGroupNumber(); }

    public String getSpaceGroupSymbol() { return dataset.internationalShort(); }

    public String getCrystalSystem() { return dataset.crystalSystem(); }

    public String getPointGroupSymbol() { return dataset.pointGroup(); }

    public int getHallNumber() { return dataset.hallNumber(); }

    public Structure getPrimitiveStandardStructure() { return dataset.primitiveStandard(); }

    public Structure getConventionalStandardStructure() { return dataset.conventional(); }

    // ------------------------------------------------------------------------------------------------

    private SymmetryDataset analyze() {
        if (structure.size() == 0) throw new InvalidStructureException("structure has no sites");
        Lattice lat = structure.lattice();
        double vol = lat.volume();
        double[] len = lat.lengths();
        double minLen = Math.min(len[0], Math.min(len[1], len[2]));
        if (lat.isDegenerate() || !(vol > 1e-6 * Math.max(1.0, len[0] * len[1] * len[2])) || !(minLen > 1e-6)) {
            throw new InvalidStructureException(String.format("degenerate lattice (volume %.3g Å³)", vol));
        }
        Cell cell = toCell(structure);
        if (cell.anyOverlapWithSameType(symprec)) {
            throw new InvalidStructureException("atoms of the same species are closer than symprec = " + symprec + " Å");
        }
        Search r = search(cell, symprec, angleTolerance);
        if (r == null) throw new InvalidStructureException("no space group found at symprec = " + symprec + " Å");
        return buildDataset(cell, r.primitive(), r.operations(), r.found(), r.refined());
    }

    /** What the search found: primitive cell, the operations of the input cell, the Hall setting, the refined cell. */
    record Search(SymmetrySearch.Primitive primitive, SymmetrySearch.Ops operations, SpacegroupSearch.Found found,
                  Refinement.Refined refined) {}

    /**
     * spglib's det_determine_all / get_spacegroup_and_primitive: two nested tolerance reductions around the
     * primitive-cell search, the operation search, the type identification and the refinement. Null when no
     * space group is found.
     */
    static Search search(Cell cell, double symprec, double angleTolerance) {
        double tolOuter = symprec;
        for (int outer = 0; outer < 10; outer++) {
            double tol = tolOuter, angle = angleTolerance;
            for (int attempt = 0; attempt < 20; attempt++) {
                SymmetrySearch.Primitive prim = SymmetrySearch.primitive(cell, tol, angle);
                if (prim != null) {
                    SymmetrySearch.Ops ops = SymmetrySearch.operations(prim.cell(), prim.tolerance(), prim.angleTolerance());
                    if (ops != null) {
                        SpacegroupSearch.Found found = SpacegroupSearch.search(prim, ops, prim.tolerance(), prim.angleTolerance());
                        if (found != null) {
                            // spglib's ref_get_exact_structure_and_symmetry: basis closest to the ideal lattice,
                            // operations of the input cell, exact positions; any failure rejects this tolerance
                            found = Refinement.closestToIdealLattice(found, prim.tolerance());
                            SymmetrySearch.Ops inputOps = Refinement.inputCellOperations(cell, prim.cell(), found, prim.tolerance());
                            Refinement.Refined refined = inputOps == null ? null : Refinement.refine(prim.cell(), found, prim.tolerance());
                            if (refined != null) return new Search(prim, inputOps, found, refined);
                            break; // retry with a smaller outer tolerance
                        }
                    }
                }
                tol *= 0.95;
                if (angle > 0) angle *= 0.95;
            }
            tolOuter *= 0.9;
        }
        return null;
    }

    /** Species become spglib types in order of first appearance, as pymatgen passes them. */
    static Cell toCell(Structure s) {
        int n = s.size();
        List<Integer> unique = new ArrayList<>();
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            int z = s.atomicNumber(i);
            int idx = unique.indexOf(z);
            if (idx < 0) { unique.add(z); idx = unique.size() - 1; }
            types[i] = idx + 1;
        }
        double[][] m = s.lattice().matrix();
        double[][] f = s.fracCoords();
        // coordinates far outside the cell would overflow spglib-style integer rounding; only those are wrapped
        for (double[] x : f) for (int k = 0; k < 3; k++) if (Math.abs(x[k]) > 1e6) x[k] = Structure.wrap(x[k]);
        return new Cell(Mat.transpose(m), f, types);
    }

    private Structure toStructure(double[][] latticeColumns, double[][] pos, int[] types, Cell ref) {
        int[] z = new int[types.length];
        for (int i = 0; i < types.length; i++) {
            for (int j = 0; j < ref.size(); j++) {
                if (ref.types()[j] == types[i]) { z[i] = structure.atomicNumber(j); break; }
            }
        }
        double[][] f = new double[pos.length][];
        for (int i = 0; i < pos.length; i++) {
            f[i] = new double[3];
            for (int k = 0; k < 3; k++) f[i][k] = Structure.wrap(pos[i][k]);
        }
        return new Structure(Lattice.fromMatrix(Mat.transpose(latticeColumns)), z, f);
    }

    private SymmetryDataset buildDataset(Cell cell, SymmetrySearch.Primitive prim, SymmetrySearch.Ops inputOps,
                                         SpacegroupSearch.Found found, Refinement.Refined refined) {
        HallSymbols.SpaceGroupType type = HallSymbols.type(found.hallNumber());
        int number = type.number();
        PointGroup.Type pg = PointGroup.TYPES[type.pointGroupNumber()];
        Cell pc = prim.cell();

        // conventional standard cell: spglib's refined cell (ideal lattice in standard orientation, exact positions)
        double[][] conv = refined.lattice();
        List<double[]> convPos = new ArrayList<>(List.of(refined.positions()));
        List<Integer> convTypes = new ArrayList<>();
        for (int t0 : refined.types()) convTypes.add(t0);
        Structure conventional = toStructure(conv, refined.positions(), refined.types(), cell);

        // primitive of the standard cell (spglib's centring → primitive matrices)
        double[][] pm = primitiveMatrix(type.hallSymbol().replace("-", "").trim().charAt(0));
        double[][] primStdLat = Mat.mul(conv, pm);
        double[][] pmInv = Mat.inverse(pm, 0);
        List<double[]> psPos = new ArrayList<>();
        List<Integer> psTypes = new ArrayList<>();
        for (int i = 0; i < convPos.size(); i++) {
            double[] fp = Mat.mulv(pmInv, convPos.get(i));
            for (int k = 0; k < 3; k++) fp[k] = Mat.dmod1(fp[k]);
            addUnique(psPos, psTypes, fp, convTypes.get(i), primStdLat);
        }
        Structure primitiveStandard = toStructure(primStdLat, psPos.toArray(new double[0][]),
                psTypes.stream().mapToInt(Integer::intValue).toArray(), cell);
        Structure primitive = toStructure(pc.lattice(), pc.pos(), pc.types(), cell);

        return new SymmetryDataset(number, type.internationalShort(), found.hallNumber(), type.hallSymbol(),
                pg.symbol(), SymmetryDataset.crystalSystem(number), inputOps.rot(),
                inputOps.trans(), primitive, conventional, primitiveStandard, prim.tolerance());
    }

    private void addUnique(List<double[]> pos, List<Integer> types, double[] f, int type, double[][] lattice) {
        for (int j = 0; j < pos.size(); j++) {
            if (types.get(j) == type && Cell.isOverlap(pos.get(j), f, lattice, 1e-5)) return;
        }
        pos.add(f);
        types.add(type);
    }

    private static double[][] primitiveMatrix(char centring) {
        return switch (centring) {
            case 'F' -> new double[][]{{0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
            case 'I' -> new double[][]{{-0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0.5, 0.5, -0.5}};
            case 'A' -> new double[][]{{1, 0, 0}, {0, 0.5, -0.5}, {0, 0.5, 0.5}};
            case 'C' -> new double[][]{{0.5, -0.5, 0}, {0.5, 0.5, 0}, {0, 0, 1}};
            case 'R' -> new double[][]{{2. / 3, -1. / 3, -1. / 3}, {1. / 3, 1. / 3, -2. / 3}, {1. / 3, 1. / 3, 1. / 3}};
            default -> Mat.identityD();
        };
    }
}
