package org.concdvae.data;

/**
 * Crystal-system class codes of the Con-CDVAE data ({@code crystal_system} / {@code CS_type}, model.md §1):
 * 0 triclinic, 1 trigonal, 2 monoclinic, 3 orthorhombic, 4 tetragonal, 5 hexagonal, 6 cubic.
 */
public final class CrystalSystem {
    public static final int NUM_CLASSES = 7;

    private CrystalSystem() {}

    /** The class code of an International Tables space-group number (1..230). */
    public static int code(int spaceGroup) {
        if (spaceGroup < 1 || spaceGroup > 230) throw new IllegalArgumentException("space group number must be 1..230, got " + spaceGroup);
        if (spaceGroup <= 2) return 0;        // triclinic
        if (spaceGroup <= 15) return 2;       // monoclinic
        if (spaceGroup <= 74) return 3;       // orthorhombic
        if (spaceGroup <= 142) return 4;      // tetragonal
        if (spaceGroup <= 167) return 1;      // trigonal
        if (spaceGroup <= 194) return 5;      // hexagonal
        return 6;                             // cubic
    }
}
