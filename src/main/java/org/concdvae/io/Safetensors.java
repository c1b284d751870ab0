package org.concdvae.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (reference/README.md): an 8-byte little-endian header length n, n bytes of UTF-8 JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}} padded with spaces, then the raw
 * little-endian C-order data. Only F32, F64 and I64 are supported (what the project reads and writes).
 *
 * <p>Reading validates the header (JSON, dtypes, sizes, offsets inside the data section) and reports a truncated or
 * corrupt file as one {@link InvalidInputException} naming the file and the tensor.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /** One stored tensor: dtype ("F32", "F64", "I64"), shape and its raw little-endian bytes. */
    public record Entry(String name, String dtype, long[] shape, ByteBuffer data) {
        public long length() {
            long n = 1;
            for (long s : shape) n *= s;
            return n;
        }

        public float[] toFloats() {
            float[] v = new float[(int) length()];
            switch (dtype) {
                case "F32" -> data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                case "F64" -> {
                    double[] d = toDoubles();
                    for (int i = 0; i < v.length; i++) v[i] = (float) d[i];
                }
                default -> {
                    long[] l = toLongs();
                    for (int i = 0; i < v.length; i++) v[i] = l[i];
                }
            }
            return v;
        }

        public double[] toDoubles() {
            double[] v = new double[(int) length()];
            switch (dtype) {
                case "F64" -> data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(v);
                case "F32" -> {
                    float[] f = new float[v.length];
                    data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                    for (int i = 0; i < v.length; i++) v[i] = f[i];
                }
                default -> {
                    long[] l = toLongs();
                    for (int i = 0; i < v.length; i++) v[i] = l[i];
                }
            }
            return v;
        }

        public long[] toLongs() {
            long[] v = new long[(int) length()];
            if (dtype.equals("I64")) {
                data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
            } else {
                double[] d = toDoubles();
                for (int i = 0; i < v.length; i++) v[i] = (long) d[i];
            }
            return v;
        }

        public int[] toInts() {
            long[] l = toLongs();
            int[] v = new int[l.length];
            for (int i = 0; i < v.length; i++) v[i] = Math.toIntExact(l[i]);
            return v;
        }

        /** As an ND4J array: floats in the default floating-point type, I64 as INT64. */
        public INDArray toNd() {
            if (dtype.equals("I64")) return Nd4j.createFromArray(toLongs()).reshape(shape);
            return toNd(Nd4j.defaultFloatingPointType());
        }

        /** As an ND4J array of the given floating type (FLOAT or DOUBLE). */
        public INDArray toNd(DataType type) {
            INDArray a = type == DataType.DOUBLE ? Nd4j.create(toDoubles(), shape, DataType.DOUBLE)
                    : Nd4j.create(toFloats(), shape, DataType.FLOAT);
            return a.dataType() == type ? a : a.castTo(type);
        }
    }

    /** The parsed file: tensors in header order and the metadata strings. */
    public record Contents(Path file, Map<String, Entry> tensors, Map<String, String> metadata) {
        public Entry require(String name) {
            Entry e = tensors.get(name);
            if (e == null) throw new InvalidInputException(file + ": no tensor named '" + name + "'");
            return e;
        }

        /** Every tensor as an ND4J array (see {@link Entry#toNd()}). */
        public Map<String, INDArray> toNd() {
            Map<String, INDArray> m = new LinkedHashMap<>();
            for (Entry e : tensors.values()) m.put(e.name(), e.toNd());
            return m;
        }
    }

    private static int itemSize(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "F64", "I64" -> 8;
            default -> -1;
        };
    }

    /** Reads and validates a safetensors file. */
    public static Contents read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": file not found");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (all.length < 8) throw new InvalidInputException(file + ": not a safetensors file (shorter than the 8-byte header length)");
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        if (n <= 0 || n > MAX_HEADER || n > all.length - 8) {
            throw new InvalidInputException(file + ": corrupt or truncated safetensors file (header length " + n + ", file size " + all.length + ")");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidInputException(file + ": corrupt safetensors header (invalid JSON)");
        }
        if (header == null || !header.isObject()) throw new InvalidInputException(file + ": corrupt safetensors header (not a JSON object)");
        long dataStart = 8 + n, dataLen = all.length - dataStart;
        Map<String, Entry> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (v.isObject()) v.fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String where = file + ": tensor '" + name + "'";
            String dtype = v.path("dtype").asText("");
            int item = itemSize(dtype);
            if (item < 0) throw new InvalidInputException(where + " has unsupported dtype '" + dtype + "' (F32, F64, I64 supported)");
            JsonNode sh = v.path("shape"), off = v.path("data_offsets");
            if (!sh.isArray() || !off.isArray() || off.size() != 2) throw new InvalidInputException(where + " lacks shape/data_offsets");
            long[] shape = new long[sh.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = sh.get(i).asLong(-1);
                if (shape[i] < 0) throw new InvalidInputException(where + " has a negative dimension");
                count *= shape[i];
            }
            long begin = off.get(0).asLong(-1), end = off.get(1).asLong(-1);
            if (begin < 0 || end < begin || end - begin != count * item) {
                throw new InvalidInputException(where + ": data_offsets [" + begin + ", " + end + "] do not match shape " + Arrays.toString(shape) + " of " + dtype);
            }
            if (end > dataLen) {
                throw new InvalidInputException(where + " extends past the end of the file (truncated: needs " + (dataStart + end) + " bytes, has " + all.length + ")");
            }
            ByteBuffer data = ByteBuffer.wrap(all, (int) (dataStart + begin), (int) (end - begin)).slice().order(ByteOrder.LITTLE_ENDIAN);
            tensors.put(name, new Entry(name, dtype, shape, data));
        }
        return new Contents(file, tensors, meta);
    }

    private static String dtypeOf(INDArray a, String name) {
        return switch (a.dataType()) {
            case FLOAT -> "F32";
            case DOUBLE -> "F64";
            case LONG, INT -> "I64";
            default -> throw new IllegalArgumentException("tensor '" + name + "': cannot store data type " + a.dataType());
        };
    }

    /**
     * Writes tensors (in map order) and metadata atomically. FLOAT → F32, DOUBLE → F64, LONG/INT → I64.
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        List<String> names = new ArrayList<>(tensors.keySet());
        List<String> dtypes = new ArrayList<>();
        for (String name : names) {
            INDArray a = tensors.get(name);
            String dt = dtypeOf(a, name);
            dtypes.add(dt);
            ObjectNode t = header.putObject(name);
            t.put("dtype", dt);
            var sh = t.putArray("shape");
            for (long s : a.shape()) sh.add(s);
            long bytes = a.length() * itemSize(dt);
            var off = t.putArray("data_offsets");
            off.add(offset);
            off.add(offset + bytes);
            offset += bytes;
        }
        byte[] h = JSON.writeValueAsBytes(header);
        int padded = (h.length + 7) / 8 * 8;
        byte[] hp = Arrays.copyOf(h, padded);
        Arrays.fill(hp, h.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(hp);
            for (int i = 0; i < names.size(); i++) {
                INDArray a = tensors.get(names.get(i));
                String dt = dtypes.get(i);
                int n = (int) a.length();
                INDArray flat = a.dup('c').reshape(a.length());
                ByteBuffer b = ByteBuffer.allocate(n * itemSize(dt)).order(ByteOrder.LITTLE_ENDIAN);
                switch (dt) {
                    case "F32" -> b.asFloatBuffer().put(flat.toFloatVector());
                    case "F64" -> b.asDoubleBuffer().put(flat.toDoubleVector());
                    default -> b.asLongBuffer().put(flat.toLongVector());
                }
                out.write(b.array());
            }
        });
    }

    /** SHA-256 of a file as lowercase hex (used by checkpoint sidecars to detect corruption). */
    public static String sha256(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            while (ch.read(b) > 0) {
                b.flip();
                md.update(b);
                b.clear();
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": file not found");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
