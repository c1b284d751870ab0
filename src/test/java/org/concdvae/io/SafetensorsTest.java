package org.concdvae.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @Test
    void readsTheReferenceFilesWithTheManifestShapes() {
        Safetensors c = Safetensors.read(SharedData.path("reference/batch8_inputs.safetensors"));
        assertArrayEquals(new long[]{93, 3}, c.require("frac_coords").shape());
        assertEquals(Safetensors.DType.I64, c.require("atom_types").dtype());
        assertArrayEquals(new long[]{2, 406}, c.require("edge_index").shape());
        long[] natoms = c.require("num_atoms").toLongs();
        assertEquals(93, Arrays.stream(natoms).sum());
        assertTrue(c.metadata().get("mp_ids").startsWith("mp-865981"));
        Safetensors w = Safetensors.read(SharedData.path("reference/cdvae_weights.safetensors"));
        assertEquals(0, w.require("z_condition.1.num_batches_tracked").shape().length, "scalar []");
        assertEquals(DataType.LONG, w.require("z_condition.1.num_batches_tracked").toNd().dataType());
    }

    @Test
    void writeThenReadIsExactForF32I64AndScalars(@TempDir Path dir) throws Exception {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("a", Nd4j.create(new float[]{1.5f, -2f, 3.25f, 1e-30f, Float.MAX_VALUE, -0f}, new long[]{2, 3}, DataType.FLOAT));
        m.put("i", Nd4j.createFromArray(new long[]{Long.MAX_VALUE, -1, 7}));
        m.put("s", Nd4j.scalar(DataType.LONG, 42L));
        m.put("e", Nd4j.create(DataType.FLOAT, 0, 4));
        Path f = dir.resolve("t.safetensors");
        Safetensors.write(f, m, Map.of("k", "v"));
        assertEquals(0, (Files.size(f) - 8 - ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()) % 4);
        Safetensors c = Safetensors.read(f);
        assertEquals("v", c.metadata().get("k"));
        assertArrayEquals(m.get("a").reshape(6).toFloatVector(), c.require("a").toFloats());
        assertArrayEquals(new long[]{Long.MAX_VALUE, -1, 7}, c.require("i").toLongs());
        assertEquals(42L, c.require("s").toNd().getLong(0));
        assertArrayEquals(new long[]{0, 4}, c.require("e").shape());
    }

    @Test
    void truncatedOrCorruptFilesGiveOneLineErrors(@TempDir Path dir) throws Exception {
        Map<String, INDArray> m = Map.of("a", Nd4j.create(new float[]{1, 2, 3, 4}, new long[]{4}, DataType.FLOAT));
        Path f = dir.resolve("t.safetensors");
        Safetensors.write(f, m, null);
        byte[] b = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(b, b.length - 3));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Safetensors.read(cut));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("'a'"), e.getMessage());
        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, "hello world, not a tensor file".getBytes(StandardCharsets.UTF_8));
        e = assertThrows(InvalidInputException.class, () -> Safetensors.read(junk));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[3]);
        assertThrows(InvalidInputException.class, () -> Safetensors.read(tiny));
        assertThrows(InvalidInputException.class, () -> Safetensors.read(dir.resolve("absent.safetensors")));
    }

    @Test
    void checkpointDetectsCorruptionBySha256(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("last.safetensors");
        CheckpointFiles.write(w, Map.of("x", Nd4j.create(new float[]{1, 2}, new long[]{2}, DataType.FLOAT)),
                new ObjectMapper().createObjectNode().put("epoch", 3));
        CheckpointFiles.Checkpoint c = CheckpointFiles.read(w);
        assertEquals(3, c.info().path("epoch").asInt());
        byte[] b = Files.readAllBytes(w);
        b[b.length - 1] ^= 1;
        Files.write(w, b);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CheckpointFiles.read(w));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        Files.delete(CheckpointFiles.sidecar(w));
        assertThrows(InvalidInputException.class, () -> CheckpointFiles.read(w));
    }


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
    void truncatedAndCorruptHeadersGiveOneLineErrors(@TempDir Path dir) throws IOException {
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
