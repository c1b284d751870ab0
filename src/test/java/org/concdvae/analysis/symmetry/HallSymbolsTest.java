package org.concdvae.analysis.symmetry;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 530 Hall settings: groups generated from the symbols are closed and have the right orders. */
class HallSymbolsTest {

    private static int centringMultiplicity(String hallSymbol) {
        char c = hallSymbol.replace("-", "").trim().charAt(0);
        return switch (c) {
            case 'P' -> 1;
            case 'A', 'B', 'C', 'I' -> 2;
            case 'R' -> 3;
            case 'F' -> 4;
            default -> throw new AssertionError(hallSymbol);
        };
    }

    private static String key(int[][] r, int[] t) {
        StringBuilder sb = new StringBuilder();
        for (int[] row : r) for (int x : row) sb.append(x).append(',');
        for (int x : t) sb.append(Math.floorMod(x, 12)).append(',');
        return sb.toString();
    }

    @Test
    void everySettingIsAClosedGroupOfTheRightOrder() {
        Set<Integer> numbers = new HashSet<>();
        for (int h = 1; h <= 530; h++) {
            HallSymbols.SpaceGroupType type = HallSymbols.type(h);
            numbers.add(type.number());
            HallSymbols.Operations ops = HallSymbols.operations(h);
            int pointOrder = PointGroup.distinct(ops.rot()).size();
            assertEquals(type.pointGroupNumber(), PointGroup.identify(PointGroup.distinct(ops.rot())), "point group of Hall " + h);
            assertEquals(pointOrder * centringMultiplicity(type.hallSymbol()), ops.size(), "order of Hall " + h + " " + type.hallSymbol());
            Set<String> keys = new HashSet<>();
            for (int i = 0; i < ops.size(); i++) keys.add(key(ops.rot()[i], ops.trans12()[i]));
            assertEquals(ops.size(), keys.size(), "distinct operations in Hall " + h);
            for (int i = 0; i < ops.size(); i++) {
                for (int j = 0; j < ops.size(); j++) {
                    int[][] r = Mat.mul(ops.rot()[i], ops.rot()[j]);
                    int[] t = Mat.mulv(ops.rot()[i], ops.trans12()[j]);
                    for (int k = 0; k < 3; k++) t[k] += ops.trans12()[i][k];
                    assertTrue(keys.contains(key(r, t)), "closure of Hall " + h);
                }
            }
        }
        assertEquals(230, numbers.size());
    }

    @Test
    void knownSettings() {
        assertEquals(225, HallSymbols.type(523).number());
        assertEquals("Fm-3m", HallSymbols.type(523).internationalShort());
        assertEquals(192, HallSymbols.operations(523).size());
        assertEquals(96, HallSymbols.operations(530).size());
        assertEquals("Ia-3d", HallSymbols.type(530).internationalShort());
        assertEquals(81, HallSymbols.standardHallNumber(14));
        assertEquals("P2_1/c", HallSymbols.type(81).internationalShort());
        assertEquals("Cmce", HallSymbols.type(HallSymbols.standardHallNumber(64)).internationalShort());
        // P 31 2c (0 0 1): origin shift of 1/12 along c
        HallSymbols.Operations p3112 = HallSymbols.operations(HallSymbols.standardHallNumber(151));
        assertEquals(6, p3112.size());
        assertEquals(166, HallSymbols.type(458).number());
    }

    @Test
    void crystalSystemsFollowPymatgen() {
        assertEquals("triclinic", SymmetryDataset.crystalSystem(2));
        assertEquals("monoclinic", SymmetryDataset.crystalSystem(15));
        assertEquals("orthorhombic", SymmetryDataset.crystalSystem(74));
        assertEquals("tetragonal", SymmetryDataset.crystalSystem(142));
        assertEquals("trigonal", SymmetryDataset.crystalSystem(167));
        assertEquals("hexagonal", SymmetryDataset.crystalSystem(168));
        assertEquals("cubic", SymmetryDataset.crystalSystem(195));
    }
}
