package org.concdvae.sample;

import org.concdvae.crystal.Composition;
import org.concdvae.io.InvalidInputException;

import java.util.Map;
import java.util.TreeMap;

/**
 * Hard controls of how a target's crystals are decoded: the number of atoms and, optionally, the atom types are fixed
 * instead of taken from the model's heads. This is the ground-truth path of the official {@code langevin_dynamics(z,
 * ld_kwargs, gt_num_atoms, gt_atom_types)} (Con-CDVAE {@code concdvae/pl_modules/model.py}; CDVAE's
 * {@code scripts/evaluate.py} reaches it with {@code --force_num_atoms} / {@code --force_atom_types}): the lattice is
 * scaled with the fixed count ({@code decode_stats(z, gt_num_atoms)}), and with fixed types the Langevin updates move
 * the coordinates only (the decoder's type logits are not applied).
 *
 * @param formula  exact composition per formula unit (null: types are generated)
 * @param z        formula units per cell (null with a formula: chosen from the atom-count head)
 * @param numAtoms exact number of atoms without fixed types (null: from the head, or from the formula)
 * @param maxAtoms {@code data.max_atoms} of the model: the largest count Z is chosen up to
 */
public record AtomControl(Composition formula, Integer z, Integer numAtoms, int maxAtoms) {
    /** No control: number of atoms and types from the model (the official generation path). */
    public static final AtomControl NONE = new AtomControl(null, null, null, 0);

    public AtomControl {
        if (formula != null && numAtoms != null) throw new InvalidInputException("--exact-composition and --exact-natoms exclude each other");
        if (z != null && formula == null) throw new InvalidInputException("--z needs --formula with --exact-composition");
        if (z != null && z < 1) throw new InvalidInputException("--z must be at least 1, got " + z);
        if (numAtoms != null && numAtoms < 1) throw new InvalidInputException("--natoms must be at least 1, got " + numAtoms);
        if (formula != null && z == null && formula.numAtoms() > maxAtoms) {
            throw new InvalidInputException("formula " + formula.formula() + " has " + formula.numAtoms() + " atoms per formula unit, more than the model's "
                    + "data.max_atoms " + maxAtoms + ": give the number of formula units with --z");
        }
    }

    /** Exact composition {@code formula × Z} (Z from the head when {@code z} is null). */
    public static AtomControl composition(Composition formula, Integer z, int maxAtoms) {
        return new AtomControl(formula, z, null, maxAtoms);
    }

    /** Exact number of atoms, types generated. */
    public static AtomControl atoms(int numAtoms) {
        return new AtomControl(null, null, numAtoms, 0);
    }

    /** True when the model's atom-count head decides alone. */
    public boolean free() { return formula == null && numAtoms == null; }

    /** True when the atom types are fixed (exact composition). */
    public boolean fixesTypes() { return formula != null; }

    /** Atoms per formula unit. */
    public int unitAtoms() { return formula == null ? 0 : formula.numAtoms(); }

    /**
     * The number of atoms of a crystal from its atom-count logits (index k: k atoms): the fixed count, {@code Z·f}
     * for a fixed Z, else the most likely of the multiples {@code Z·f ≤ data.max_atoms} (Z ≥ 1; ties: the smaller).
     */
    public int numAtoms(double[] logits) {
        if (numAtoms != null) return numAtoms;
        if (formula == null) throw new IllegalStateException("no atom-count control");
        int f = formula.numAtoms();
        if (z != null) return z * f;
        int best = f;
        for (int n = f; n <= maxAtoms && n < logits.length; n += f) if (logits[n] > logits[best]) best = n;
        return best;
    }

    /** The fixed atom types of a cell of {@code n} atoms ({@code n/f} formula units): elements in ascending Z, each repeated. */
    public int[] types(int n) {
        int f = formula.numAtoms();
        if (n % f != 0) throw new IllegalArgumentException(n + " atoms is not a multiple of " + f);
        int units = n / f;
        Map<Integer, Integer> sorted = new TreeMap<>(formula.counts());
        int[] t = new int[n];
        int a = 0;
        for (Map.Entry<Integer, Integer> e : sorted.entrySet()) {
            for (int r = 0; r < e.getValue() * units; r++) t[a++] = e.getKey();
        }
        return t;
    }
}
