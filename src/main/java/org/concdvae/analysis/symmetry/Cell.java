package org.concdvae.analysis.symmetry;

/**
 * A crystal as the symmetry finder sees it: lattice with basis vectors as columns (spglib's convention),
 * fractional positions and integer species types.
 */
record Cell(double[][] lattice, double[][] pos, int[] types) {
    int size() { return types.length; }

    /** True when two atoms of the same type lie closer than symprec (spglib's cel_is_overlap, strict). */
    static boolean isOverlap(double[] a, double[] b, double[][] lattice, double symprec) {
        double d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
        d0 -= Mat.nint(d0);
        d1 -= Mat.nint(d1);
        d2 -= Mat.nint(d2);
        double x = lattice[0][0] * d0 + lattice[0][1] * d1 + lattice[0][2] * d2;
        double y = lattice[1][0] * d0 + lattice[1][1] * d1 + lattice[1][2] * d2;
        double z = lattice[2][0] * d0 + lattice[2][1] * d1 + lattice[2][2] * d2;
        return Math.sqrt(x * x + y * y + z * z) < symprec;
    }

    boolean anyOverlapWithSameType(double symprec) {
        for (int i = 0; i < size(); i++)
            for (int j = i + 1; j < size(); j++)
                if (types[i] == types[j] && isOverlap(pos[i], pos[j], lattice, symprec)) return true;
        return false;
    }

    /**
     * The same crystal in a sub-lattice (spglib's trim_cell): positions are expressed in the new lattice, atoms that
     * coincide are merged (averaged) with an adaptive tolerance. mapping[i] receives the new index of atom i.
     * Returns null when the atoms cannot be merged consistently.
     */
    Cell trim(int[] mapping, double[][] trimmedLattice, double symprec) {
        int n = size();
        int ratio = Math.abs(Mat.nint(Mat.det(lattice) / Mat.det(trimmedLattice)));
        double[][] inv = Mat.inverse(trimmedLattice, symprec);
        if (inv == null || ratio == 0) return null;
        int[][] tInt = Mat.toI(Mat.mul(inv, lattice));
        if (Math.abs(Mat.det(tInt)) != ratio) return null;
        if ((n / ratio) * ratio != n) return null;
        double[][] axisInv = Mat.mul(Mat.inverse(trimmedLattice, 0), lattice);
        double[][] position = new double[n][];
        for (int i = 0; i < n; i++) {
            position[i] = Mat.mulv(axisInv, pos[i]);
            for (int j = 0; j < 3; j++) position[i][j] = Mat.dmod1(position[i][j]);
        }
        int newSize = n / ratio;
        int[] overlap = overlapTable(position, trimmedLattice, ratio, symprec);
        if (overlap == null) return null;
        int[] newTypes = new int[newSize];
        int index = 0;
        for (int i = 0; i < n; i++) {
            if (overlap[i] == i) {
                if (index >= newSize) return null;
                mapping[i] = index;
                newTypes[index] = types[i];
                index++;
            } else {
                mapping[i] = mapping[overlap[i]];
            }
        }
        if (index != newSize) return null;
        double[][] newPos = new double[newSize][3];
        for (int i = 0; i < n; i++) {
            int j = mapping[i], k = overlap[i];
            for (int l = 0; l < 3; l++) {
                if (Math.abs(position[k][l] - position[i][l]) > 0.5) {
                    newPos[j][l] += position[i][l] < position[k][l] ? position[i][l] + 1 : position[i][l] - 1;
                } else {
                    newPos[j][l] += position[i][l];
                }
            }
        }
        for (int i = 0; i < newSize; i++)
            for (int j = 0; j < 3; j++) newPos[i][j] = Mat.dmod1(newPos[i][j] / ratio);
        return new Cell(Mat.copy(trimmedLattice), newPos, newTypes);
    }

    private int[] overlapTable(double[][] position, double[][] trimmedLattice, int ratio, double symprec) {
        int n = size();
        double tol = symprec;
        int[] table = new int[n];
        attempts:
        for (int attempt = 0; attempt < 100; attempt++) {
            for (int i = 0; i < n; i++) {
                table[i] = i;
                for (int j = 0; j < n; j++) {
                    if (types[i] == types[j] && isOverlap(position[i], position[j], trimmedLattice, tol)) {
                        if (table[j] == j) {
                            table[i] = j;
                            break;
                        }
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (table[i] != i) continue;
                int count = 0;
                for (int j = 0; j < n; j++) if (table[j] == i) count++;
                if (count == ratio) continue;
                tol *= count < ratio ? 2.0 : 0.95;
                continue attempts;
            }
            return table;
        }
        return null;
    }
}
