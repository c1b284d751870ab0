package org.concdvae.data;

import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;

/**
 * One preprocessed crystal (model.md §1): canonical lattice parameters, fractional coordinates and atomic numbers
 * after the configured reduction, the cached property values (in the data set's property order; NaN where a
 * {@code prelo_prop} column is absent), and the precomputed encoder graph (local indices, official edge order).
 * Flat primitive arrays; immutable by convention (arrays are not copied).
 */
public record CrystalRecord(String id, String file, int row, int[] atomTypes, double[] fracCoords, double[] lengths,
                            double[] angles, double[] properties, int[] edgeSource, int[] edgeTarget,
                            int[] edgeImages) {

    public int numAtoms() { return atomTypes.length; }

    /** This crystal with other property values (another selection or order of properties). */
    public CrystalRecord withProperties(double[] values) {
        return new CrystalRecord(id, file, row, atomTypes, fracCoords, lengths, angles, values, edgeSource, edgeTarget, edgeImages);
    }

    public int numEdges() { return edgeSource.length; }

    /** The lattice rebuilt from the six parameters (model.md §1 convention). */
    public Lattice lattice() {
        return Lattice.fromParameters(lengths[0], lengths[1], lengths[2], angles[0], angles[1], angles[2]);
    }

    /** The crystal as a {@link Structure}. */
    public Structure structure() {
        double[][] f = new double[numAtoms()][];
        for (int i = 0; i < f.length; i++) f[i] = new double[]{fracCoords[3 * i], fracCoords[3 * i + 1], fracCoords[3 * i + 2]};
        return new Structure(lattice(), atomTypes, f);
    }

    /** Scaled lattice of model.md §1 ({@code scale_length}): a,b,c / n^(1/3) followed by the three angles. */
    public double[] scaledLattice() {
        double s = Math.cbrt(numAtoms());
        return new double[]{lengths[0] / s, lengths[1] / s, lengths[2] / s, angles[0], angles[1], angles[2]};
    }
}
