package org.concdvae.crystal;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Extended XYZ: our own multi-frame trajectories read back, extra columns, refusals. */
class ExtXyzReaderTest {
    private static Structure nacl(double a, double x) {
        return new Structure(Lattice.fromParameters(a, a, a, 90, 90, 90), new int[]{11, 17},
                new double[][]{{0, 0, 0}, {x, 0.5, 0.5}});
    }

    @Test
    void ownTrajectoryReadsBackFrameByFrame() {
        StringBuilder sb = new StringBuilder();
        for (int step = 0; step < 3; step++) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("id", "sample_0");
            info.put("step", step);
            info.put("sigma", 0.5 / (step + 1));
            ExtXyzWriter.append(sb, nacl(5.0 + step, 0.4 + 0.05 * step), info);
        }
        List<ExtXyzReader.Frame> frames = ExtXyzReader.read(sb.toString(), "traj.xyz");
        assertEquals(3, frames.size());
        for (int step = 0; step < 3; step++) {
            ExtXyzReader.Frame f = frames.get(step);
            assertTrue(f.ok(), f.error());
            assertEquals(step + 1, f.index());
            assertEquals("sample_0", f.info().get("id"));
            assertArrayEquals(new int[]{11, 17}, f.structure().atomicNumbers());
            assertEquals(Math.pow(5.0 + step, 3), f.structure().volume(), 1e-5);
            assertArrayEquals(new double[]{0.4 + 0.05 * step, 0.5, 0.5}, f.structure().fracCoord(1), 1e-7);
        }
    }

    @Test
    void extraColumnsFromProperties() {
        String text = "2\nLattice=\"4 0 0 0 4 0 0 0 4\" Properties=species:S:1:pos:R:3:forces:R:3:magmom:R:1 pbc=\"T T T\" energy=-3.2\n"
                + "Fe 0 0 0 0.1 0.2 0.3 2.2\nFe 2 2 2 0 0 0 -2.2\n";
        Structure s = ExtXyzReader.read(text, "f.extxyz").get(0).structure();
        assertArrayEquals(new double[]{0.5, 0.5, 0.5}, s.fracCoord(1), 1e-12);
        // columns in another order
        String swapped = "1\nProperties=pos:R:3:species:S:1 Lattice=\"4 0 0 0 4 0 0 0 4\"\n1 2 3 O\n";
        Structure o = ExtXyzReader.read(swapped, "s.xyz").get(0).structure();
        assertEquals(8, o.atomicNumber(0));
        assertArrayEquals(new double[]{0.25, 0.5, 0.75}, o.fracCoord(0), 1e-12);
    }

    @Test
    void refusals() {
        String molecule = "1\nwater oxygen\nO 0 0 0\n";
        assertTrue(ExtXyzReader.read(molecule, "m.xyz").get(0).error().contains("no Lattice= on the comment line"));
        String slab = "1\nLattice=\"4 0 0 0 4 0 0 0 4\" pbc=\"T T F\"\nO 0 0 0\n";
        assertTrue(ExtXyzReader.read(slab, "s.xyz").get(0).error().contains("only 3D periodic frames"));
        String unknown = "1\nLattice=\"4 0 0 0 4 0 0 0 4\"\nXq 0 0 0\n";
        assertTrue(ExtXyzReader.read(unknown, "u.xyz").get(0).error().contains("unknown element 'Xq'"));
        String truncated = "3\nLattice=\"4 0 0 0 4 0 0 0 4\"\nO 0 0 0\n";
        assertTrue(assertThrows(InvalidStructureException.class, () -> ExtXyzReader.read(truncated, "t.xyz"))
                .getMessage().contains("declares 3 atoms but the file ends before them"));
        assertTrue(assertThrows(InvalidStructureException.class, () -> ExtXyzReader.read("data_x\n", "c.xyz"))
                .getMessage().contains("expected the atom count of frame 1"));
        String nan = "1\nLattice=\"4 0 0 0 4 0 0 0 4\"\nO nan 0 0\n";
        assertTrue(ExtXyzReader.read(nan, "n.xyz").get(0).error().contains("position 'nan' is not a finite number"));
    }
}
