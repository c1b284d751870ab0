package org.concdvae.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Test helper: writes protocol-2 pickle opcodes by hand, and torch.save-shaped zip archives around them. */
public final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PickleWriter() { raw(0x80, 2); }

    public PickleWriter raw(int... bytes) { for (int b : bytes) out.write(b); return this; }

    public PickleWriter global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    public PickleWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        out.writeBytes(b);
        return this;
    }

    public PickleWriter integer(int v) {
        out.write('J');
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        return this;
    }

    public PickleWriter real(double v) {
        out.write('G');
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(v).array());
        return this;
    }

    /** Integers as a tuple. */
    public PickleWriter ints(long... v) {
        mark();
        for (long x : v) integer((int) x);
        return tuple();
    }

    public PickleWriter mark() { return raw('('); }
    public PickleWriter tuple() { return raw('t'); }
    public PickleWriter emptyTuple() { return raw(')'); }
    public PickleWriter emptyDict() { return raw('}'); }
    public PickleWriter emptyList() { return raw(']'); }
    public PickleWriter setitems() { return raw('u'); }
    public PickleWriter appends() { return raw('e'); }
    public PickleWriter reduce() { return raw('R'); }
    public PickleWriter newobj() { return raw(0x81); }
    public PickleWriter build() { return raw('b'); }
    public PickleWriter none() { return raw('N'); }
    public PickleWriter bool(boolean b) { return raw(b ? 0x88 : 0x89); }
    public PickleWriter stop() { return raw('.'); }

    /** {@code _rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())}. */
    public PickleWriter tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", storageType).str(key).str("cpu").integer((int) numel).tuple().raw('Q');
        integer((int) offset);
        ints(size);
        ints(stride);
        bool(false);
        global("collections", "OrderedDict").emptyTuple().reduce();
        tuple();
        return reduce();
    }

    public byte[] bytes() { return out.toByteArray(); }

    /** Writes {@code <name>/data.pkl}, {@code <name>/version} and {@code <name>/data/<key>} for each storage. */
    public static Path archive(Path dir, String name, byte[] pickle, Map<String, byte[]> storages, String byteorder) throws IOException {
        Path file = dir.resolve(name + ".pt");
        try (OutputStream fo = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(fo)) {
            stored(z, name + "/data.pkl", pickle);
            if (byteorder != null) stored(z, name + "/byteorder", byteorder.getBytes(StandardCharsets.US_ASCII));
            for (Map.Entry<String, byte[]> e : storages.entrySet()) stored(z, name + "/data/" + e.getKey(), e.getValue());
            stored(z, name + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static void stored(ZipOutputStream z, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }

    public static byte[] floats(ByteOrder order, float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
        for (float x : v) b.putFloat(x);
        return b.array();
    }
}
