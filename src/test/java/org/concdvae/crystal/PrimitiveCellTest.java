package org.concdvae.crystal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class PrimitiveCellTest {
    @Test
    void conventionalFccReducesToOneSiteWithTheSameVolumePerAtom() {
        double a = 3.6;
        Structure fcc = new Structure(Lattice.fromParameters(a, a, a, 90, 90, 90), new int[]{29, 29, 29, 29},
                new double[][]{{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}});
        Structure p = PrimitiveCell.find(fcc);
        assertEquals(1, p.size());
        assertEquals(a * a * a / 4, p.volume(), 1e-9);
        double[] params = p.lattice().parameters();
        assertEquals(a / Math.sqrt(2), params[0], 1e-9);
        assertEquals(60.0, params[3], 1e-7, "Niggli-reduced fcc primitive cell has 60° angles");
    }

    @Test
    void supercellOfAPerovskiteReturnsToFiveSitesInSpeciesOrder() {
        double[][] f = {{0, 0, 0}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
        int[] z = {38, 22, 8, 8, 8};
        double[][] sf = new double[10][];
        int[] sz = new int[10];
        for (int i = 0; i < 5; i++) {
            for (int c = 0; c < 2; c++) {
                sf[2 * i + c] = new double[]{(f[i][0] + c) / 2, f[i][1], f[i][2]};
                sz[2 * i + c] = z[i];
            }
        }
        Structure sc = new Structure(Lattice.fromParameters(7.8, 3.9, 3.9, 90, 90, 90), sz, sf);
        Structure p = PrimitiveCell.find(sc);
        assertEquals(5, p.size());
        assertEquals(3.9 * 3.9 * 3.9, p.volume(), 1e-9);
        // sites come out grouped by species symbol, as pymatgen sorts them ("O" < "Sr" < "Ti")
        assertEquals(8, p.atomicNumber(0));
        assertEquals(38, p.atomicNumber(3));
        assertEquals(22, p.atomicNumber(4));
    }

    @Test
    void alreadyPrimitiveStructureIsReturnedUnchanged() {
        Structure s = new Structure(Lattice.fromParameters(3.9, 4.1, 4.3, 90, 95, 90), new int[]{38, 22},
                new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        assertSame(s, PrimitiveCell.find(s));
    }
}
