package org.concdvae.io;

import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {

    /** Builds a file with one F32 [2,2] and one I64 [3] tensor. */
    static byte[] sample() {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[16,40]},\"__metadata__\":{\"k\":\"v\"}}";
        while ((header.length() % 8) != 0) header += " ";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + h.length + 40).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(h.length).put(h);
        for (float f : new float[]{1f, -2.5f, 3f, 4f}) bb.putFloat(f);
        for (long l : new long[]{7, -1, 1L << 40}) bb.putLong(l);
        return bb.array();
    }

    @Test
    void readsTensorsShapesAndMetadata() {
        Safetensors st = Safetensors.parse(Path.of("x.safetensors"), sample());
        assertArrayEquals(new float[]{1f, -2.5f, 3f, 4f}, st.floats("a"));
        assertArrayEquals(new long[]{2, 2}, st.shape("a"));
        assertArrayEquals(new long[]{7, -1, 1L << 40}, st.longs("b"));
        assertEquals("v", st.metadata().get("k"));
        assertEquals(2, st.names().size());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> st.ints("b"));
        assertTrue(e.getMessage().contains("int range"));
        assertThrows(InvalidInputException.class, () -> st.floats("b"));
        assertThrows(InvalidInputException.class, () -> st.floats("missing"));
    }

    @Test
    void truncatedAndCorruptFilesGiveOneLineErrors(@TempDir Path dir) throws IOException {
        byte[] ok = sample();
        for (int cut : new int[]{0, 5, 8, 30, ok.length - 1}) {
            Path f = dir.resolve("t" + cut + ".safetensors");
            Files.write(f, Arrays.copyOf(ok, cut));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Safetensors.read(f));
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        byte[] bad = ok.clone();
        bad[8] = '#'; // breaks the JSON
        assertThrows(InvalidInputException.class, () -> Safetensors.parse(Path.of("b"), bad));
        assertThrows(InvalidInputException.class, () -> Safetensors.read(dir.resolve("nope.safetensors")));
    }

    @Test
    void readsReferenceFile() {
        Safetensors st = Safetensors.read(SharedData.path("reference/batch8_inputs.safetensors"));
        assertArrayEquals(new long[]{93, 3}, st.shape("frac_coords"));
        assertEquals(93, Arrays.stream(st.ints("num_atoms")).sum());
        assertTrue(st.metadata().get("mp_ids").startsWith("mp-865981"));
    }
}
