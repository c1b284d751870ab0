package org.concdvae.sample;

import org.concdvae.analysis.symmetry.SpacegroupAnalyzer;
import org.concdvae.analysis.symmetry.SymmetryDataset;
import org.concdvae.crystal.CifWriter;
import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Structure;
import org.concdvae.crystal.SymmetryOperation;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code sample --symmetrize SYMPREC}: the space group of a generated crystal as it is (pymatgen's default tolerance,
 * 0.01 Å) and at the user's tolerance, and the crystal refined to the latter group (spglib's refined conventional
 * cell: ideal lattice, atoms on their exact positions) as a CIF with the group's symbol, number and operations. The
 * generated structure itself is not changed.
 */
public final class Symmetrizer {
    /** Re-analysis of the refined cell: its atoms sit on exact positions, so a tight tolerance finds the same group. */
    static final double REFINED_SYMPREC = 1e-3;

    /**
     * @param spacegroup            group of the generated structure at 0.01 Å (0: the symmetry finder failed)
     * @param spacegroupSymmetrized group at the user's tolerance, the group of {@code cif} (0: failed)
     * @param cif                   the refined crystal (null when the finder failed)
     */
    public record Result(int spacegroup, int spacegroupSymmetrized, String cif) {}

    private final double symprec;

    public Symmetrizer(double symprec) {
        if (!(symprec > 0) || !Double.isFinite(symprec)) throw new org.concdvae.io.InvalidInputException("--symmetrize needs a positive tolerance in Å, got " + symprec);
        this.symprec = symprec;
    }

    public double symprec() { return symprec; }

    public Result apply(Structure s, String name) {
        int plain = 0;
        try {
            plain = new SpacegroupAnalyzer(s).getSpaceGroupNumber();
        } catch (InvalidStructureException e) {
            // atoms closer than 0.01 Å or a degenerate cell: no group as generated
        }
        SymmetryDataset d;
        try {
            d = new SpacegroupAnalyzer(s, symprec, SpacegroupAnalyzer.DEFAULT_ANGLE_TOLERANCE).dataset();
        } catch (InvalidStructureException e) {
            return new Result(plain, 0, null);
        }
        Structure refined = d.conventional();
        SymmetryDataset r;
        try {
            r = new SpacegroupAnalyzer(refined, REFINED_SYMPREC, SpacegroupAnalyzer.DEFAULT_ANGLE_TOLERANCE).dataset();
        } catch (InvalidStructureException e) {
            return new Result(plain, 0, null);
        }
        List<SymmetryOperation> ops = new ArrayList<>();
        for (int k = 0; k < r.numOperations(); k++) {
            double[][] rot = new double[3][3];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) rot[i][j] = r.rotations()[k][i][j];
            ops.add(new SymmetryOperation(rot, r.translations()[k]));
        }
        return new Result(plain, d.spaceGroupNumber(), CifWriter.writeSymmetrized(refined, r.internationalShort(), r.spaceGroupNumber(), ops, name));
    }
}
