package org.concdvae.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-only minimal reader of the reference {@code *.safetensors} files (F32/I64 only, as the reference README
 * specifies), used to check checkpoint tensors bit for bit. The project's own safetensors support lives elsewhere;
 * this exists so the checkpoint tests do not depend on it.
 */
final class ReferenceSafetensors {
    record Entry(String dtype, int[] shape, ByteBuffer data) {}

    private ReferenceSafetensors() {}

    static Map<String, Entry> read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            JsonNode v = e.getValue();
            int[] shape = new int[v.get("shape").size()];
            for (int k = 0; k < shape.length; k++) shape[k] = v.get("shape").get(k).asInt();
            int begin = (int) (8 + n + v.get("data_offsets").get(0).asLong());
            int end = (int) (8 + n + v.get("data_offsets").get(1).asLong());
            ByteBuffer data = ByteBuffer.wrap(all, begin, end - begin).slice().order(ByteOrder.LITTLE_ENDIAN);
            out.put(e.getKey(), new Entry(v.get("dtype").asText(), shape, data));
        }
        return out;
    }
}
