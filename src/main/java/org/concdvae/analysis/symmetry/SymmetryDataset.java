package org.concdvae.analysis.symmetry;

import org.concdvae.crystal.Structure;

/**
 * What the symmetry finder reports for one structure (the fields of spglib's dataset that pymatgen's
 * SpacegroupAnalyzer exposes).
 *
 * @param spaceGroupNumber   1..230
 * @param internationalShort international short symbol as spglib reports it, e.g. {@code Fm-3m}
 * @param hallNumber         spglib's Hall setting number of the standard setting found (1..530)
 * @param hallSymbol         Hall symbol of that setting
 * @param pointGroup         Hermann–Mauguin point-group symbol, e.g. {@code m-3m}
 * @param crystalSystem      pymatgen's crystal system name (143–167 trigonal, 168–194 hexagonal)
 * @param rotations          operations of the input cell: rotations in its fractional basis
 * @param translations       operations of the input cell: translations (fractional, in [0,1))
 * @param primitive          the primitive cell found from pure translations (Delaunay-reduced lattice)
 * @param conventional       refined conventional standard cell as spglib builds it: ideal lattice of the crystal
 *                           family in standard orientation, atoms moved to their exact (symmetrised) positions
 * @param primitiveStandard  primitive cell of the conventional standard cell
 * @param toleranceUsed      distance tolerance (Å) at which the group was found, after spglib's reductions
 */
public record SymmetryDataset(int spaceGroupNumber, String internationalShort, int hallNumber, String hallSymbol,
                              String pointGroup, String crystalSystem, int[][][] rotations, double[][] translations,
                              Structure primitive, Structure conventional, Structure primitiveStandard,
                              double toleranceUsed) {

    /** Number of symmetry operations of the input cell. */
    public int numOperations() { return rotations.length; }

    /** pymatgen's {@code get_crystal_system} rule for a space-group number. */
    public static String crystalSystem(int n) {
        if (n < 1 || n > 230) throw new IllegalArgumentException("space group number out of range: " + n);
        if (n <= 2) return "triclinic";
        if (n <= 15) return "monoclinic";
        if (n <= 74) return "orthorhombic";
        if (n <= 142) return "tetragonal";
        if (n <= 167) return "trigonal";
        if (n <= 194) return "hexagonal";
        return "cubic";
    }
}
