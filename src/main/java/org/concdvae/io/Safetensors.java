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
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reader for the safetensors format: 8-byte little-endian header length n, n bytes of UTF-8 JSON
 * ({@code name: {dtype, shape, data_offsets: [begin, end]}}, optional {@code __metadata__}), then raw little-endian
 * C-contiguous data (offsets relative to the end of the header). Tensors come out as primitive arrays plus a shape.
 * Every offset and size is validated when the file is opened, so a truncated or corrupt file fails with one clear
 * {@link InvalidInputException} instead of garbage numbers. Tensors can also be read as ND4J arrays
 * ({@link #toNd(String)}), and {@link #write} stores ND4J arrays (F32/F64/I64) atomically.
 */
public final class Safetensors {
    /** Element types this reader understands, with their byte sizes. */
    public enum DType {
        F32(4), F64(8), I32(4), I64(8);
        public final int bytes;

        DType(int bytes) { this.bytes = bytes; }
    }

    /**
     * One tensor: header entry (type, shape, byte range inside the data section) and its raw little-endian bytes,
     * readable as primitive or ND4J arrays.
     */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end, ByteBuffer data) {
        public long numel() {
            long n = 1;
            for (long s : shape) n *= s;
            return n;
        }

        /** Number of elements (same as {@link #numel()}). */
        public long length() { return numel(); }

        private ByteBuffer bytes() { return data.duplicate().order(ByteOrder.LITTLE_ENDIAN); }

        public double[] toDoubles() {
            double[] v = new double[(int) numel()];
            ByteBuffer b = bytes();
            switch (dtype) {
                case F32 -> { for (int i = 0; i < v.length; i++) v[i] = b.getFloat(4 * i); }
                case F64 -> b.asDoubleBuffer().get(v);
                case I32 -> { for (int i = 0; i < v.length; i++) v[i] = b.getInt(4 * i); }
                case I64 -> { for (int i = 0; i < v.length; i++) v[i] = b.getLong(8 * i); }
            }
            return v;
        }

        public float[] toFloats() {
            float[] v = new float[(int) numel()];
            if (dtype == DType.F32) {
                bytes().asFloatBuffer().get(v);
            } else {
                double[] d = toDoubles();
                for (int i = 0; i < v.length; i++) v[i] = (float) d[i];
            }
            return v;
        }

        public long[] toLongs() {
            long[] v = new long[(int) numel()];
            ByteBuffer b = bytes();
            switch (dtype) {
                case I64 -> b.asLongBuffer().get(v);
                case I32 -> { for (int i = 0; i < v.length; i++) v[i] = b.getInt(4 * i); }
                default -> {
                    double[] d = toDoubles();
                    for (int i = 0; i < v.length; i++) v[i] = (long) d[i];
                }
            }
            return v;
        }

        public int[] toInts() {
            long[] l = toLongs();
            int[] v = new int[l.length];
            for (int i = 0; i < v.length; i++) v[i] = Math.toIntExact(l[i]);
            return v;
        }

        /** As an ND4J array: floating tensors in the default floating-point type, integer tensors as INT64. */
        public INDArray toNd() {
            if (dtype == DType.I64 || dtype == DType.I32) return Nd4j.createFromArray(toLongs()).reshape(shape);
            return toNd(Nd4j.defaultFloatingPointType());
        }

        /** As an ND4J array of the given floating type (FLOAT or DOUBLE). */
        public INDArray toNd(DataType type) {
            INDArray a = type == DataType.DOUBLE ? Nd4j.create(toDoubles(), shape, DataType.DOUBLE)
                    : Nd4j.create(toFloats(), shape, DataType.FLOAT);
            return a.dataType() == type ? a : a.castTo(type);
        }
    }

    private static final long MAX_HEADER = 100L << 20;

    private final Path file;
    private final ByteBuffer data;          // data section, little-endian
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private Safetensors(Path file, ByteBuffer data, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens and validates a file (read fully into memory). */
    public static Safetensors read(Path file) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString());
            if (Files.size(file) > Integer.MAX_VALUE - 16) {
                throw new InvalidInputException(file + ": safetensors file larger than 2 GB is not supported");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": file not found");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(file, bytes);
    }

    /** Parses an in-memory safetensors image; {@code file} is only used in messages. */
    public static Safetensors parse(Path file, byte[] bytes) {
        if (bytes.length < 8) throw corrupt(file, "file is shorter than the 8-byte header length");
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong(0);
        if (n < 2 || n > MAX_HEADER || n > bytes.length - 8L) {
            throw corrupt(file, "header length " + n + " does not fit the file size " + bytes.length + " (truncated or not a safetensors file)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw corrupt(file, "header is not valid JSON");
        }
        if (root == null || !root.isObject()) throw corrupt(file, "header is not a JSON object");
        long dataSize = bytes.length - 8L - n;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (v.isObject()) v.fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            entries.put(name, entry(file, name, v, dataSize, bytes, 8 + n));
        }
        ByteBuffer section = ByteBuffer.wrap(bytes, (int) (8 + n), (int) dataSize).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Safetensors(file, section, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(meta));
    }

    private static Entry entry(Path file, String name, JsonNode v, long dataSize, byte[] bytes, long dataStart) {
        if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray() || !v.path("data_offsets").isArray()
                || v.path("data_offsets").size() != 2) {
            throw corrupt(file, "tensor '" + name + "' has a malformed header entry");
        }
        DType dtype;
        try {
            dtype = DType.valueOf(v.get("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw corrupt(file, "tensor '" + name + "' has unsupported dtype " + v.get("dtype").asText());
        }
        long[] shape = new long[v.get("shape").size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode s = v.get("shape").get(i);
            if (!s.canConvertToLong() || s.asLong() < 0) throw corrupt(file, "tensor '" + name + "' has a bad shape");
            shape[i] = s.asLong();
            numel = Math.multiplyExact(numel, shape[i]);
        }
        long begin = v.get("data_offsets").get(0).asLong(-1), end = v.get("data_offsets").get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataSize) {
            throw corrupt(file, "tensor '" + name + "' data range [" + begin + ", " + end + ") lies outside the "
                    + dataSize + "-byte data section (truncated file?)");
        }
        if (end - begin != numel * dtype.bytes) {
            throw corrupt(file, "tensor '" + name + "' has " + (end - begin) + " bytes but shape needs " + numel * dtype.bytes);
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) (dataStart + begin), (int) (end - begin)).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Entry(name, dtype, shape, begin, end, data);
    }

    private static InvalidInputException corrupt(Path file, String why) {
        return new InvalidInputException(file + ": corrupt safetensors file: " + why);
    }

    public Path file() { return file; }

    /** Tensor names in header order. */
    public Set<String> names() { return entries.keySet(); }

    public boolean contains(String name) { return entries.containsKey(name); }

    /** The {@code __metadata__} map (empty if absent). */
    public Map<String, String> metadata() { return metadata; }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new InvalidInputException(file + ": no tensor named '" + name + "'");
        return e;
    }

    public long[] shape(String name) { return entry(name).shape().clone(); }

    /** The entry of a tensor (same as {@link #entry}); a missing name is an {@link InvalidInputException}. */
    public Entry require(String name) { return entry(name); }

    /** All entries in header order. */
    public Map<String, Entry> tensors() { return entries; }

    /** An F32 tensor (F64 is narrowed) as a flat row-major array. */
    public float[] floats(String name) {
        Entry e = entry(name);
        float[] r = new float[checkedSize(e)];
        ByteBuffer b = view(e);
        switch (e.dtype()) {
            case F32 -> b.asFloatBuffer().get(r);
            case F64 -> { for (int i = 0; i < r.length; i++) r[i] = (float) b.getDouble(8 * i); }
            default -> throw wrongType(e, "floating point");
        }
        return r;
    }

    /** A floating tensor widened to double. */
    public double[] doubles(String name) {
        Entry e = entry(name);
        double[] r = new double[checkedSize(e)];
        ByteBuffer b = view(e);
        switch (e.dtype()) {
            case F32 -> { for (int i = 0; i < r.length; i++) r[i] = b.getFloat(4 * i); }
            case F64 -> b.asDoubleBuffer().get(r);
            default -> throw wrongType(e, "floating point");
        }
        return r;
    }

    /** An integer tensor (I64 or I32) as longs. */
    public long[] longs(String name) {
        Entry e = entry(name);
        long[] r = new long[checkedSize(e)];
        ByteBuffer b = view(e);
        switch (e.dtype()) {
            case I64 -> b.asLongBuffer().get(r);
            case I32 -> { for (int i = 0; i < r.length; i++) r[i] = b.getInt(4 * i); }
            default -> throw wrongType(e, "integer");
        }
        return r;
    }

    /** An integer tensor as ints; values outside the int range are a corrupt-file error. */
    public int[] ints(String name) {
        long[] l = longs(name);
        int[] r = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] != (int) l[i]) throw corrupt(file, "tensor '" + name + "' value " + l[i] + " exceeds the int range");
            r[i] = (int) l[i];
        }
        return r;
    }

    /** A tensor as an ND4J array (see {@link Entry#toNd()}). */
    public INDArray toNd(String name) { return entry(name).toNd(); }

    /** A tensor as an ND4J array of the given floating type (integer tensors are converted). */
    public INDArray toNd(String name, DataType type) { return entry(name).toNd(type); }

    private ByteBuffer view(Entry e) {
        return data.slice((int) e.begin(), (int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int checkedSize(Entry e) {
        long n = e.numel();
        if (n > Integer.MAX_VALUE - 16) throw new InvalidInputException(file + ": tensor '" + e.name() + "' is too large for an array");
        return (int) n;
    }

    private InvalidInputException wrongType(Entry e, String wanted) {
        return new InvalidInputException(file + ": tensor '" + e.name() + "' has dtype " + e.dtype() + ", expected " + wanted);
    }

    private static int itemSize(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "F64", "I64" -> 8;
            default -> -1;
        };
    }

    private static final ObjectMapper JSON = new ObjectMapper();

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
