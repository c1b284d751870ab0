package org.concdvae.crystal;

import java.util.Arrays;

/**
 * A periodic crystal: a lattice, and per site an element (atomic number) and fractional coordinates.
 * Ordered, fully occupied sites only. Immutable; arrays are copied in and out.
 */
public final class Structure {
    /** 1 amu / Å³ in g/cm³ (pymatgen's constant: 1.66053906660). */
    public static final double AMU_PER_A3_TO_G_PER_CM3 = 1.66053906660;

    private final Lattice lattice;
    private final int[] atomicNumbers;
    private final double[][] frac;

    public Structure(Lattice lattice, int[] atomicNumbers, double[][] fracCoords) {
        if (atomicNumbers.length != fracCoords.length) {
            throw new IllegalArgumentException("species and coordinates differ in length");
        }
        this.lattice = lattice;
        this.atomicNumbers = atomicNumbers.clone();
        this.frac = new double[fracCoords.length][];
        for (int i = 0; i < fracCoords.length; i++) {
            if (fracCoords[i].length != 3) throw new IllegalArgumentException("coordinates must have 3 components");
            for (double x : fracCoords[i]) {
                if (!Double.isFinite(x)) throw new InvalidStructureException("site " + i + " has a non-finite coordinate");
            }
            Element.of(atomicNumbers[i]); // validates Z
            this.frac[i] = fracCoords[i].clone();
        }
    }

    /** Structure from Cartesian coordinates (Å). */
    public static Structure fromCartesian(Lattice lattice, int[] atomicNumbers, double[][] cart) {
        double[][] f = new double[cart.length][];
        for (int i = 0; i < cart.length; i++) f[i] = lattice.toFractional(cart[i]);
        return new Structure(lattice, atomicNumbers, f);
    }

    public Lattice lattice() { return lattice; }

    public int size() { return atomicNumbers.length; }

    public int atomicNumber(int site) { return atomicNumbers[site]; }

    public int[] atomicNumbers() { return atomicNumbers.clone(); }

    public Element element(int site) { return Element.of(atomicNumbers[site]); }

    public double[] fracCoord(int site) { return frac[site].clone(); }

    public double[][] fracCoords() {
        double[][] r = new double[frac.length][];
        for (int i = 0; i < frac.length; i++) r[i] = frac[i].clone();
        return r;
    }

    public double[] cartCoord(int site) { return lattice.toCartesian(frac[site]); }

    public double[][] cartCoords() {
        double[][] r = new double[frac.length][];
        for (int i = 0; i < frac.length; i++) r[i] = lattice.toCartesian(frac[i]);
        return r;
    }

    public double volume() { return lattice.volume(); }

    /** Density in g/cm³ (sum of atomic masses / volume), as pymatgen's {@code Structure.density}. */
    public double density() {
        double mass = 0;
        for (int z : atomicNumbers) mass += Element.of(z).atomicMass();
        return mass * AMU_PER_A3_TO_G_PER_CM3 / volume();
    }

    public Composition composition() { return Composition.of(atomicNumbers); }

    /**
     * Smallest distance (Å) between any two atoms of the infinite crystal, <em>including</em> an atom and its own
     * periodic images; exact (image enumeration bounded by the perpendicular widths of a reduced cell).
     */
    public double minimumPeriodicDistance() { return MinimumDistance.pbc(this); }

    /**
     * Smallest distance (Å) between two distinct sites over their closest images: the smallest off-diagonal entry of
     * pymatgen's {@code distance_matrix}, the quantity CDVAE's structural validity uses. NaN for a one-site cell.
     */
    public double minDistanceBetweenSites() { return MinimumDistance.betweenSites(this); }

    /**
     * pymatgen's {@code Structure.distance_matrix}: d[i][j] is the distance from site i to the closest of the 27
     * neighbouring images of site j in the LLL-reduced cell (d[i][i] = 0, not the self-image distance).
     */
    public double[][] distanceMatrix() { return MinimumDistance.distanceMatrix(this); }

    /** Same sites with fractional coordinates wrapped into [0, 1). */
    public Structure wrapped() {
        double[][] f = fracCoords();
        for (double[] p : f) for (int k = 0; k < 3; k++) p[k] = wrap(p[k]);
        return new Structure(lattice, atomicNumbers, f);
    }

    /** Same Cartesian positions expressed in another lattice (e.g. a reduced cell); coordinates not wrapped. */
    public Structure withLatticeKeepingCartesian(Lattice other) {
        return fromCartesian(other, atomicNumbers, cartCoords());
    }

    /** Same fractional coordinates in another lattice (e.g. one rebuilt from its six parameters). */
    public Structure withLatticeKeepingFractional(Lattice other) {
        return new Structure(other, atomicNumbers, frac);
    }

    /** x mod 1 in [0, 1), with values that round to 1.0 mapped to 0. */
    public static double wrap(double x) {
        double w = x - Math.floor(x);
        return w >= 1.0 ? 0.0 : w;
    }

    @Override
    public String toString() {
        return composition().formula() + " " + lattice + " sites=" + size();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Structure s)) return false;
        return Arrays.equals(atomicNumbers, s.atomicNumbers) && Arrays.deepEquals(frac, s.frac)
                && Arrays.deepEquals(lattice.matrix(), s.lattice.matrix());
    }

    @Override
    public int hashCode() { return Arrays.hashCode(atomicNumbers) * 31 + Arrays.deepHashCode(frac); }
}
