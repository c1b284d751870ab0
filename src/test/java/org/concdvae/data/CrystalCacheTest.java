package org.concdvae.data;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CrystalCacheTest {
    static CrystalRecord crystal(String id, int n) {
        int[] z = new int[n];
        double[] f = new double[3 * n];
        for (int i = 0; i < n; i++) {
            z[i] = 1 + i;
            f[3 * i] = 0.1 * i;
        }
        return new CrystalRecord(id, "x.csv", n, z, f, new double[]{3, 4, 5}, new double[]{90, 91, 92},
                new double[]{-1.5, Double.NaN}, new int[]{0, n - 1}, new int[]{n - 1, 0}, new int[]{0, 0, 1, 0, 0, -1});
    }

    @Test
    void roundTripAndStaleOrCorruptCachesAreClearErrors(@TempDir Path dir) throws IOException {
        Config cfg = ConfigLoader.resolve("tiny", List.of());
        String settings = CrystalCache.settings(cfg);
        Path f = dir.resolve("train.cache");
        List<CrystalRecord> in = List.of(crystal("a", 2), crystal("b", 5));
        CrystalCache.write(f, "train", List.of("fe", "gap"), settings, in);
        CrystalCache.Contents c = CrystalCache.read(f, settings);
        assertEquals("train", c.split());
        assertEquals(List.of("fe", "gap"), c.properties());
        assertEquals(2, c.crystals().size());
        CrystalRecord b = c.crystals().get(1);
        assertEquals("b", b.id());
        assertArrayEquals(in.get(1).atomTypes(), b.atomTypes());
        assertArrayEquals(in.get(1).fracCoords(), b.fracCoords());
        assertArrayEquals(in.get(1).edgeImages(), b.edgeImages());
        assertTrue(Double.isNaN(b.properties()[1]));

        String other = CrystalCache.settings(ConfigLoader.resolve("tiny", List.of("data.niggli=false")));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CrystalCache.read(f, other));
        assertTrue(e.getMessage().contains("stale cache") && e.getMessage().contains("data.niggli"), e.getMessage());

        byte[] bytes = Files.readAllBytes(f);
        for (int cut : new int[]{0, 4, 20, bytes.length / 2, bytes.length - 1}) {
            Path t = dir.resolve("cut" + cut);
            Files.write(t, Arrays.copyOf(bytes, cut));
            e = assertThrows(InvalidInputException.class, () -> CrystalCache.read(t, settings), "cut at " + cut);
            assertTrue(e.getMessage().startsWith(t.toString()), e.getMessage());
        }
        byte[] flipped = bytes.clone();
        flipped[bytes.length - 100] ^= 1;
        Path t = dir.resolve("flipped");
        Files.write(t, flipped);
        e = assertThrows(InvalidInputException.class, () -> CrystalCache.read(t, settings));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());

        byte[] version = bytes.clone();
        version[11] = 9; // format version int follows the 8-byte magic
        Files.write(t, version);
        e = assertThrows(InvalidInputException.class, () -> CrystalCache.read(t, settings));
        assertTrue(e.getMessage().contains("format version 9"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> CrystalCache.read(dir.resolve("none.cache"), settings));
    }
}
