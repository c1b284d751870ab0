package org.concdvae.analysis.symmetry;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Space groups of textbook structures built in the test (values from International Tables / the ICSD entries). */
class SpacegroupAnalyzerTest {

    private static final double[][] FCC = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};

    private static Structure build(Lattice lat, int[] z, double[][] f) {
        return new Structure(lat, z, f);
    }

    /** Sites of one species repeated over translation vectors. */
    private static void addCentred(List<Integer> zs, List<double[]> fs, int z, double[] base, double[][] translations) {
        for (double[] t : translations) {
            fs.add(new double[]{base[0] + t[0], base[1] + t[1], base[2] + t[2]});
            zs.add(z);
        }
    }

    private static Structure fromLists(Lattice lat, List<Integer> zs, List<double[]> fs) {
        return build(lat, zs.stream().mapToInt(Integer::intValue).toArray(), fs.toArray(new double[0][]));
    }

    private static Structure nacl() {
        List<Integer> zs = new ArrayList<>();
        List<double[]> fs = new ArrayList<>();
        addCentred(zs, fs, 11, new double[]{0, 0, 0}, FCC);
        addCentred(zs, fs, 17, new double[]{0.5, 0, 0}, FCC);
        return fromLists(Lattice.fromParameters(5.64, 5.64, 5.64, 90, 90, 90), zs, fs);
    }

    private static void assertGroup(Structure s, double symprec, int number, String symbol, String system, String pg) {
        SpacegroupAnalyzer a = new SpacegroupAnalyzer(s, symprec, 5);
        assertEquals(number, a.getSpaceGroupNumber(), "space group of " + s);
        assertEquals(symbol, a.getSpaceGroupSymbol());
        assertEquals(system, a.getCrystalSystem());
        assertEquals(pg, a.getPointGroupSymbol());
    }

    @Test
    void rockSalt() {
        Structure s = nacl();
        assertGroup(s, 0.01, 225, "Fm-3m", "cubic", "m-3m");
        SymmetryDataset d = new SpacegroupAnalyzer(s, 0.01, 5).dataset();
        // 48 point operations x 4 centring translations of the conventional input cell
        assertEquals(192, d.numOperations());
        assertEquals(2, d.primitive().size());
        assertEquals(8, d.conventional().size());
        assertEquals(2, d.primitiveStandard().size());
        assertEquals(s.volume() / 4, d.primitive().volume(), 1e-9);
        assertEquals(s.volume(), d.conventional().volume(), 1e-9);
    }

    @Test
    void cesiumChloride() {
        Structure s = build(Lattice.fromParameters(4.12, 4.12, 4.12, 90, 90, 90), new int[]{55, 17},
                new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        assertGroup(s, 0.01, 221, "Pm-3m", "cubic", "m-3m");
    }

    @Test
    void diamondSilicon() {
        List<Integer> zs = new ArrayList<>();
        List<double[]> fs = new ArrayList<>();
        addCentred(zs, fs, 14, new double[]{0, 0, 0}, FCC);
        addCentred(zs, fs, 14, new double[]{0.25, 0.25, 0.25}, FCC);
        assertGroup(fromLists(Lattice.fromParameters(5.43, 5.43, 5.43, 90, 90, 90), zs, fs), 0.01, 227, "Fd-3m", "cubic", "m-3m");
    }

    @Test
    void wurtzite() {
        Structure s = build(Lattice.fromParameters(3.25, 3.25, 5.21, 90, 90, 120), new int[]{30, 30, 8, 8},
                new double[][]{{1 / 3.0, 2 / 3.0, 0}, {2 / 3.0, 1 / 3.0, 0.5}, {1 / 3.0, 2 / 3.0, 0.382}, {2 / 3.0, 1 / 3.0, 0.882}});
        assertGroup(s, 0.01, 186, "P6_3mc", "hexagonal", "6mm");
    }

    @Test
    void rutile() {
        double u = 0.305;
        Structure s = build(Lattice.fromParameters(4.594, 4.594, 2.959, 90, 90, 90), new int[]{22, 22, 8, 8, 8, 8},
                new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}, {u, u, 0}, {-u, -u, 0}, {0.5 + u, 0.5 - u, 0.5}, {0.5 - u, 0.5 + u, 0.5}});
        assertGroup(s, 0.01, 136, "P4_2/mnm", "tetragonal", "4/mmm");
    }

    @Test
    void cubicPerovskite() {
        Structure s = build(Lattice.fromParameters(3.905, 3.905, 3.905, 90, 90, 90), new int[]{38, 22, 8, 8, 8},
                new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}});
        assertGroup(s, 0.01, 221, "Pm-3m", "cubic", "m-3m");
    }

    @Test
    void hexagonalClosePacked() {
        Structure s = build(Lattice.fromParameters(3.21, 3.21, 5.21, 90, 90, 120), new int[]{12, 12},
                new double[][]{{1 / 3.0, 2 / 3.0, 0.25}, {2 / 3.0, 1 / 3.0, 0.75}});
        assertGroup(s, 0.01, 194, "P6_3/mmc", "hexagonal", "6/mmm");
    }

    @Test
    void monoclinicP21c() {
        // general position of P2_1/c (unique axis b): x,y,z; -x,y+1/2,-z+1/2; -x,-y,-z; x,-y+1/2,z+1/2
        double x = 0.11, y = 0.23, z = 0.37;
        Structure s = build(Lattice.fromParameters(5.1, 6.3, 7.4, 90, 101.5, 90), new int[]{8, 8, 8, 8},
                new double[][]{{x, y, z}, {-x, y + 0.5, -z + 0.5}, {-x, -y, -z}, {x, -y + 0.5, z + 0.5}});
        assertGroup(s, 0.01, 14, "P2_1/c", "monoclinic", "2/m");
    }

    @Test
    void triclinic() {
        Lattice lat = Lattice.fromParameters(4.1, 5.2, 6.3, 81, 86, 97);
        Structure centro = build(lat, new int[]{26, 8, 8}, new double[][]{{0, 0, 0}, {0.12, 0.27, 0.33}, {-0.12, -0.27, -0.33}});
        assertGroup(centro, 0.01, 2, "P-1", "triclinic", "-1");
        Structure none = build(lat, new int[]{26, 8, 8}, new double[][]{{0, 0, 0}, {0.12, 0.27, 0.33}, {0.41, 0.05, 0.71}});
        assertGroup(none, 0.01, 1, "P1", "triclinic", "1");
    }

    @Test
    void rhombohedralAndBodyCentred() {
        Structure rh = build(Lattice.fromParameters(3, 3, 3, 70, 70, 70), new int[]{83}, new double[][]{{0, 0, 0}});
        assertGroup(rh, 0.01, 166, "R-3m", "trigonal", "-3m");
        Structure bct = build(Lattice.fromParameters(3, 3, 5, 90, 90, 90), new int[]{50, 50}, new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        assertGroup(bct, 0.01, 139, "I4/mmm", "tetragonal", "4/mmm");
        Structure ortho = build(Lattice.fromParameters(3, 4, 5, 90, 90, 90), new int[]{29}, new double[][]{{0, 0, 0}});
        assertGroup(ortho, 0.01, 47, "Pmmm", "orthorhombic", "mmm");
    }

    @Test
    void invariantUnderPermutationShiftAndSupercell() {
        Structure s = nacl();
        int[] z = s.atomicNumbers();
        double[][] f = s.fracCoords();
        // reversed order, shifted origin
        int n = z.length;
        int[] z2 = new int[n];
        double[][] f2 = new double[n][];
        for (int i = 0; i < n; i++) {
            z2[i] = z[n - 1 - i];
            f2[i] = new double[]{f[n - 1 - i][0] + 0.137, f[n - 1 - i][1] + 0.291, f[n - 1 - i][2] + 0.843};
        }
        assertEquals(225, new SpacegroupAnalyzer(build(s.lattice(), z2, f2), 0.01, 5).getSpaceGroupNumber());
        // 2x1x1 supercell
        double[][] m = s.lattice().matrix();
        double[][] m2 = {{2 * m[0][0], 2 * m[0][1], 2 * m[0][2]}, m[1], m[2]};
        int[] z3 = new int[2 * n];
        double[][] f3 = new double[2 * n][];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 2; k++) {
                z3[2 * i + k] = z[i];
                f3[2 * i + k] = new double[]{(f[i][0] + k) / 2, f[i][1], f[i][2]};
            }
        }
        SymmetryDataset d = new SpacegroupAnalyzer(build(Lattice.fromMatrix(m2), z3, f3), 0.01, 5).dataset();
        assertEquals(225, d.spaceGroupNumber());
        assertEquals(2, d.primitive().size());
        // only the 16 rotations that keep the 2x1x1 cell (4/mmm), each with 8 lattice translations
        assertEquals(128, d.numOperations());
    }

    @Test
    void toleranceDecidesNoisyStructures() {
        // 0.005 Å noise: no symmetry at 0.001 Å, full rock-salt symmetry at 0.1 Å
        Structure s = nacl();
        Random rnd = new Random(7);
        double[][] cart = s.cartCoords();
        for (double[] c : cart) for (int k = 0; k < 3; k++) c[k] += 0.005 * rnd.nextGaussian();
        Structure noisy = Structure.fromCartesian(s.lattice(), s.atomicNumbers(), cart);
        assertEquals(1, new SpacegroupAnalyzer(noisy, 0.001, 5).getSpaceGroupNumber());
        assertEquals(225, new SpacegroupAnalyzer(noisy, 0.1, 5).getSpaceGroupNumber());
    }

    @Test
    void refinedConventionalCellIsExact() {
        Structure s = nacl();
        Random rnd = new Random(11);
        double[][] cart = s.cartCoords();
        for (double[] c : cart) for (int k = 0; k < 3; k++) c[k] += 0.01 * rnd.nextGaussian();
        double[][] m = s.lattice().matrix();
        m[0][1] += 0.02; // slightly strained lattice as well
        Structure noisy = Structure.fromCartesian(Lattice.fromMatrix(m), s.atomicNumbers(), cart);
        SymmetryDataset d = new SpacegroupAnalyzer(noisy, 0.1, 5).dataset();
        assertEquals(225, d.spaceGroupNumber());
        Structure conv = d.conventional();
        assertEquals(8, conv.size());
        double[] p = conv.lattice().parameters();
        assertEquals(p[0], p[1], 1e-12);
        assertEquals(p[0], p[2], 1e-12);
        for (int k = 3; k < 6; k++) assertEquals(90.0, p[k], 1e-9);
        // the refined cell has the symmetry exactly: found even at a tolerance of 1e-6 Å
        assertEquals(225, new SpacegroupAnalyzer(conv, 1e-6, 5).getSpaceGroupNumber());
        assertEquals(225, new SpacegroupAnalyzer(d.primitiveStandard(), 1e-6, 5).getSpaceGroupNumber());
        assertEquals(2, d.primitiveStandard().size());
    }

    @Test
    void operationsMapTheStructureOntoItself() {
        Structure s = build(Lattice.fromParameters(3.25, 3.25, 5.21, 90, 90, 120), new int[]{30, 30, 8, 8},
                new double[][]{{1 / 3.0, 2 / 3.0, 0}, {2 / 3.0, 1 / 3.0, 0.5}, {1 / 3.0, 2 / 3.0, 0.382}, {2 / 3.0, 1 / 3.0, 0.882}});
        SymmetryDataset d = new SpacegroupAnalyzer(s, 0.01, 5).dataset();
        assertEquals(12, d.numOperations());
        double[][] f = s.fracCoords();
        for (int o = 0; o < d.numOperations(); o++) {
            for (int i = 0; i < s.size(); i++) {
                double[] y = Mat.mulv(d.rotations()[o], f[i]);
                boolean hit = false;
                for (int j = 0; j < s.size(); j++) {
                    if (s.atomicNumber(j) != s.atomicNumber(i)) continue;
                    double[] diff = new double[3];
                    for (int k = 0; k < 3; k++) diff[k] = y[k] + d.translations()[o][k] - f[j][k];
                    if (Cell.isOverlap(diff, new double[3], Mat.transpose(s.lattice().matrix()), 1e-6)) hit = true;
                }
                assertTrue(hit, "operation " + o + " maps site " + i + " onto a site of the same species");
            }
        }
    }

    @Test
    void malformedInputsGiveClearErrors() {
        Lattice cubic = Lattice.fromParameters(4, 4, 4, 90, 90, 90);
        InvalidStructureException empty = assertThrows(InvalidStructureException.class,
                () -> new SpacegroupAnalyzer(build(cubic, new int[0], new double[0][]), 0.1, 5));
        assertTrue(empty.getMessage().contains("no sites"));
        InvalidStructureException overlap = assertThrows(InvalidStructureException.class,
                () -> new SpacegroupAnalyzer(build(cubic, new int[]{6, 6}, new double[][]{{0, 0, 0}, {0.001, 0, 0}}), 0.1, 5));
        assertTrue(overlap.getMessage().contains("closer than symprec"), overlap.getMessage());
        Lattice flat = Lattice.fromMatrix(new double[][]{{4, 0, 0}, {0, 4, 0}, {4, 4, 0}});
        InvalidStructureException degenerate = assertThrows(InvalidStructureException.class,
                () -> new SpacegroupAnalyzer(build(flat, new int[]{6}, new double[][]{{0, 0, 0}}), 0.1, 5));
        assertTrue(degenerate.getMessage().contains("degenerate"), degenerate.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SpacegroupAnalyzer(nacl(), 0, 5));
        assertThrows(IllegalArgumentException.class, () -> new SpacegroupAnalyzer(nacl(), Double.NaN, 5));
    }

    @Test
    void extremeCellsTerminate() {
        // a needle-like cell and a very flat cell: bounded loops, an answer or a clear error
        Structure needle = build(Lattice.fromParameters(1.5, 1.5, 400, 90, 90, 90), new int[]{6}, new double[][]{{0, 0, 0}});
        assertEquals(123, new SpacegroupAnalyzer(needle, 0.1, 5).getSpaceGroupNumber());
        Structure skew = build(Lattice.fromParameters(3, 3, 3, 20, 20, 20), new int[]{6, 8}, new double[][]{{0, 0, 0}, {0.3, 0.3, 0.3}});
        int n = new SpacegroupAnalyzer(skew, 0.1, 5).getSpaceGroupNumber();
        assertEquals(160, n);
    }
}
