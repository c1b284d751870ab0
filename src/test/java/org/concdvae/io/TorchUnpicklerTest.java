package org.concdvae.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-written pickles exercising what the reference files do not: views, dtypes, byte order, stand-ins, attacks. */
class TorchUnpicklerTest {
    @TempDir
    Path tmp;

    private static PickleWriter stateDictOpen() {
        PickleWriter w = new PickleWriter();
        return w.emptyDict().mark().str("state_dict").global("collections", "OrderedDict").emptyTuple().reduce().mark();
    }

    private static byte[] close(PickleWriter w) {
        return w.setitems().setitems().stop().bytes();
    }

    @Test
    void stridedViewsOffsetsAndScalarsAreGatheredRowMajor() throws IOException {
        PickleWriter w = stateDictOpen();
        w.str("transposed").tensor("FloatStorage", "0", 6, 0, new long[]{2, 3}, new long[]{1, 2});
        w.str("sliced").tensor("FloatStorage", "0", 6, 1, new long[]{2}, new long[]{3});
        w.str("scalar").tensor("FloatStorage", "0", 6, 5, new long[]{}, new long[]{});
        w.str("empty").tensor("FloatStorage", "0", 6, 0, new long[]{0, 4}, new long[]{4, 1});
        w.str("broadcast").tensor("FloatStorage", "0", 6, 2, new long[]{3, 2}, new long[]{0, 1});
        Path f = PickleWriter.archive(tmp, "views", close(w),
                Map.of("0", PickleWriter.floats(ByteOrder.LITTLE_ENDIAN, 0, 1, 2, 3, 4, 5)), null);
        Map<String, TorchTensor> sd = TorchCheckpoint.read(f).stateDict();
        assertEquals(List.of("transposed", "sliced", "scalar", "empty", "broadcast"), List.copyOf(sd.keySet()));
        assertArrayEquals(new float[]{0, 2, 4, 1, 3, 5}, sd.get("transposed").toFloatArray());
        assertArrayEquals(new int[]{2, 3}, sd.get("transposed").shape());
        assertArrayEquals(new float[]{1, 4}, sd.get("sliced").toFloatArray());
        assertEquals(5.0, sd.get("scalar").item());
        assertEquals(0, sd.get("scalar").rank());
        assertEquals(0, sd.get("empty").numel());
        assertArrayEquals(new float[]{2, 3, 2, 3, 2, 3}, sd.get("broadcast").toFloatArray());
    }

    @Test
    void everyStorageDtypeDecodes() throws IOException {
        PickleWriter w = stateDictOpen();
        w.str("half").tensor("HalfStorage", "h", 5, 0, new long[]{5}, new long[]{1});
        w.str("bf16").tensor("BFloat16Storage", "b", 2, 0, new long[]{2}, new long[]{1});
        w.str("bool").tensor("BoolStorage", "o", 2, 0, new long[]{2}, new long[]{1});
        w.str("int").tensor("IntStorage", "i", 2, 0, new long[]{2}, new long[]{1});
        w.str("double").tensor("DoubleStorage", "d", 2, 0, new long[]{2}, new long[]{1});
        w.str("long").tensor("LongStorage", "l", 2, 0, new long[]{2}, new long[]{1});
        w.str("byte").tensor("ByteStorage", "u", 2, 0, new long[]{2}, new long[]{1});
        Map<String, byte[]> st = new LinkedHashMap<>();
        st.put("h", shorts(0x3c00, 0xc100, 0x7bff, 0x0001, 0x7c00));
        st.put("b", shorts(0x3f80, 0xc040));
        st.put("o", new byte[]{1, 0});
        st.put("i", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(7).putInt(-8).array());
        st.put("d", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1.5).putDouble(-0.25).array());
        st.put("l", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).putLong(-1).array());
        st.put("u", new byte[]{(byte) 200, 3});
        Map<String, TorchTensor> sd = TorchCheckpoint.read(PickleWriter.archive(tmp, "dtypes", close(w), st, null)).stateDict();
        assertEquals(TorchDType.FLOAT16, sd.get("half").dtype());
        assertArrayEquals(new float[]{1f, -2.5f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY}, sd.get("half").toFloatArray());
        assertArrayEquals(new float[]{1f, -3f}, sd.get("bf16").toFloatArray());
        assertArrayEquals(new int[]{1, 0}, sd.get("bool").toIntArray());
        assertArrayEquals(new int[]{7, -8}, sd.get("int").toIntArray());
        assertArrayEquals(new double[]{1.5, -0.25}, sd.get("double").toDoubleArray());
        assertArrayEquals(new long[]{Long.MAX_VALUE, -1}, sd.get("long").toLongArray());
        assertArrayEquals(new int[]{200, 3}, sd.get("byte").toIntArray());
        assertThrows(IllegalStateException.class, () -> sd.get("double").toFloatArray(), "no silent rounding");
    }

    private static byte[] shorts(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putShort((short) x);
        return b.array();
    }

    @Test
    void bigEndianArchivesAreSwapped() throws IOException {
        PickleWriter w = stateDictOpen();
        w.str("w").tensor("FloatStorage", "0", 3, 0, new long[]{3}, new long[]{1});
        Path f = PickleWriter.archive(tmp, "big", close(w),
                Map.of("0", PickleWriter.floats(ByteOrder.BIG_ENDIAN, 1.25f, -7f, 3e-5f)), "big");
        TorchCheckpoint ck = TorchCheckpoint.read(f);
        assertEquals("big", ck.byteOrder());
        assertArrayEquals(new float[]{1.25f, -7f, 3e-5f}, ck.stateDict().get("w").toFloatArray());
    }

    /** A Lightning-style checkpoint: omegaconf, AttributeDict, Namespace, numpy scalar, callbacks, paths, prior prefix. */
    @Test
    void standInsBecomePlainMaps() throws IOException {
        PickleWriter w = new PickleWriter();
        w.emptyDict().mark();
        w.str("state_dict").global("collections", "OrderedDict").emptyTuple().reduce().mark();
        w.str("_model.encoder.w").tensor("FloatStorage", "0", 2, 0, new long[]{2}, new long[]{1});
        w.str("betas").tensor("FloatStorage", "0", 2, 1, new long[]{1}, new long[]{1});
        w.setitems();
        // hyper_parameters = AttributeDict(lr=0.001, cfg=DictConfig({hidden_dim: 256, names: ListConfig([a, b])}))
        w.str("hyper_parameters").global("pytorch_lightning.utilities.parsing", "AttributeDict").emptyTuple().newobj();
        w.mark().str("lr").real(0.001).str("cfg");
        w.global("omegaconf.dictconfig", "DictConfig").emptyTuple().newobj();
        w.emptyDict().mark().str("_metadata");
        w.global("omegaconf.base", "ContainerMetadata").emptyTuple().newobj()
                .emptyDict().mark().str("ref_type").global("typing", "Any").str("optional").bool(true).setitems().build();
        w.str("_parent").none().str("_content").emptyDict().mark();
        w.str("hidden_dim").global("omegaconf.nodes", "AnyNode").emptyTuple().newobj()
                .emptyDict().mark().str("_val").integer(256).str("_parent").none().setitems().build();
        w.str("names").global("omegaconf.listconfig", "ListConfig").emptyTuple().newobj()
                .emptyDict().mark().str("_content").emptyList().mark()
                .global("omegaconf.nodes", "AnyNode").emptyTuple().newobj().emptyDict().mark().str("_val").str("a").setitems().build()
                .global("omegaconf.nodes", "StringNode").emptyTuple().newobj().emptyDict().mark().str("_val").str("b").setitems().build()
                .appends().setitems().build();
        w.setitems().setitems().build(); // _content items, DictConfig state, BUILD
        w.setitems().emptyDict().build(); // AttributeDict items, then its (empty) __dict__
        // args = Namespace(atom_fea_len=64, task='regression')
        w.str("args").global("argparse", "Namespace").emptyTuple().newobj()
                .emptyDict().mark().str("atom_fea_len").integer(64).str("task").str("regression").setitems().build();
        // best = numpy.float64(0.125) as protocol 2 writes it
        w.str("best").global("numpy.core.multiarray", "scalar");
        w.global("numpy", "dtype").mark().str("f8").bool(false).bool(true).tuple().reduce();
        w.mark().integer(3).str("<").none().none().none().integer(-1).integer(-1).integer(0).tuple().build();
        byte[] raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.125).array();
        w.global("_codecs", "encode").str(new String(raw, StandardCharsets.ISO_8859_1)).str("latin1").raw(0x86).reduce();
        w.raw(0x86).reduce();
        // an unknown callback object and a path
        w.str("callback").global("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint").emptyTuple().newobj()
                .emptyDict().mark().str("monitor").str("val_loss").setitems().build();
        w.str("dirpath").global("pathlib", "PosixPath").mark().str("/").str("runs").str("prior").tuple().reduce();
        w.str("epoch").integer(95).str("global_step").integer(10176);
        w.setitems().stop();
        Path f = PickleWriter.archive(tmp, "lightning", w.bytes(),
                Map.of("0", PickleWriter.floats(ByteOrder.LITTLE_ENDIAN, 1, 2)), null);

        TorchCheckpoint all = TorchCheckpoint.read(f);
        assertEquals(List.of("_model.encoder.w", "betas"), List.copyOf(all.stateDict().keySet()));
        TorchCheckpoint ck = TorchCheckpoint.read(f, TorchCheckpoint.Options.prior());
        assertEquals(List.of("betas"), List.copyOf(ck.stateDict().keySet()));
        assertEquals(1, ck.skippedStateDictEntries());
        assertArrayEquals(new float[]{2}, ck.stateDict().get("betas").toFloatArray());

        Map<String, Object> hp = ck.hyperParameters().orElseThrow();
        assertEquals(0.001, hp.get("lr"));
        assertEquals(Map.of("hidden_dim", 256L, "names", List.of("a", "b")), hp.get("cfg"));
        assertEquals(Map.of("atom_fea_len", 64L, "task", "regression"), ck.args().orElseThrow());
        assertEquals(0.125, ck.root().get("best"));
        assertEquals(Map.of("__class__", "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint", "monitor", "val_loss"),
                ck.root().get("callback"));
        assertEquals("/runs/prior", ck.root().get("dirpath"));
        assertEquals(95L, ck.epoch().orElseThrow());
        assertEquals(10176L, ck.globalStep().orElseThrow());
    }

    private InvalidInputException bad(byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Path f = PickleWriter.archive(tmp, "bad", pickle, storages, null);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TorchCheckpoint.read(f));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        return e;
    }

    @Test
    void codeRunningGlobalsAreRefusedByName() throws IOException {
        String[][] globals = {{"os", "system"}, {"posix", "system"}, {"nt", "system"}, {"subprocess", "Popen"},
                {"builtins", "eval"}, {"builtins", "exec"}, {"builtins", "getattr"}, {"__builtin__", "__import__"},
                {"os.path", "join"}, {"runpy", "_run_code"}, {"torch.serialization", "load"}};
        for (String[] g : globals) {
            byte[] p = new PickleWriter().global(g[0], g[1]).str("touch concdvae-pwned-marker").raw(0x85).reduce().stop().bytes();
            String m = bad(p, Map.of()).getMessage();
            assertTrue(m.contains("refusing to load") && m.contains(g[0] + "." + g[1]), m);
        }
        // protocol 4 names globals with STACK_GLOBAL
        byte[] p = new PickleWriter().str("os").str("system").raw(0x93).str("id").raw(0x85).reduce().stop().bytes();
        assertTrue(bad(p, Map.of()).getMessage().contains("os.system"));
        assertFalse(Files.exists(Path.of("concdvae-pwned-marker")));
    }

    @Test
    void unusableOrInconsistentCheckpointsGiveClearErrors() throws IOException {
        // a state_dict value that is not a dense tensor names the key and the class
        PickleWriter w = stateDictOpen();
        w.str("q").global("torch._utils", "_rebuild_qtensor").emptyTuple().reduce();
        assertTrue(bad(close(w), Map.of()).getMessage().contains("state_dict entry 'q' is a torch._utils._rebuild_qtensor object"));

        w = stateDictOpen();
        w.str("w").tensor("FloatStorage", "0", 4, 0, new long[]{4}, new long[]{1});
        assertTrue(bad(close(w), Map.of()).getMessage().contains("storage record data/0 is missing"));

        w = stateDictOpen();
        w.str("w").tensor("FloatStorage", "0", 4, 0, new long[]{4}, new long[]{1});
        assertTrue(bad(close(w), Map.of("0", new byte[8])).getMessage().contains("holds 8 bytes but the pickle declares 16"));

        w = stateDictOpen();
        w.str("w").tensor("FloatStorage", "0", 2, 1, new long[]{2}, new long[]{1});
        assertTrue(bad(close(w), Map.of("0", new byte[8])).getMessage().contains("reaches element 2 of a storage of 2"));

        w = stateDictOpen();
        w.str("w").tensor("QInt8Storage", "0", 2, 0, new long[]{2}, new long[]{1});
        assertTrue(bad(close(w), Map.of("0", new byte[2])).getMessage().contains("unsupported storage type torch.QInt8Storage"));

        // a string claiming 2 GB: refused before any allocation
        byte[] bomb = new PickleWriter().raw('X', 0xff, 0xff, 0xff, 0x7f).raw('a', 'b').stop().bytes();
        assertTrue(bad(bomb, Map.of()).getMessage().contains("runs past the end"));

        // a pickle cut short (no STOP)
        byte[] cut = new PickleWriter().emptyDict().mark().str("epoch").bytes();
        assertTrue(bad(cut, Map.of()).getMessage().contains("malformed pickle in bad/data.pkl"));

        // a root that is not a dict
        assertTrue(bad(new PickleWriter().integer(3).stop().bytes(), Map.of()).getMessage().contains("not a dict"));
    }

    @Test
    void otherPyTorchFormatsAreNamed() throws IOException {
        Path bare = tmp.resolve("bare.pt");
        Files.write(bare, new PickleWriter().integer(3).stop().bytes());
        String m = assertThrows(InvalidInputException.class, () -> TorchCheckpoint.read(bare)).getMessage();
        assertTrue(m.contains("a bare pickle without PyTorch's magic number"), m);

        Path tar = tmp.resolve("old.tar");
        byte[] t = new byte[1024];
        System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, t, 257, 5);
        Files.write(tar, t);
        m = assertThrows(InvalidInputException.class, () -> TorchCheckpoint.read(tar)).getMessage();
        assertTrue(m.contains("tar archive"), m);

        Path ts = tmp.resolve("script.pt");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(ts))) {
            z.putNextEntry(new java.util.zip.ZipEntry("script/constants.pkl"));
            z.write(new PickleWriter().none().stop().bytes());
            z.closeEntry();
            z.putNextEntry(new java.util.zip.ZipEntry("script/code/__torch__.py"));
            z.closeEntry();
        }
        m = assertThrows(InvalidInputException.class, () -> TorchCheckpoint.read(ts)).getMessage();
        assertTrue(m.contains("TorchScript archive"), m);
    }

    /**
     * A pickle written by CPython 3 {@code pickle.dumps(..., protocol=2)} (as torch.save does) with numpy 2.4:
     * numpy scalars and arrays (C and Fortran order), argparse.Namespace, PurePosixPath, defaultdict.
     */
    private static final String PYTHON_PICKLE_HEX =
            "80027d7100285804000000626573747101636e756d70792e5f636f72652e6d756c746961727261790a7363616c61720a7102" +
            "636e756d70790a64747970650a71035802000000663871048988877105527106284b0358010000003c71074e4e4e4affffff" +
            "ff4affffffff4b0074710862635f636f646563730a656e636f64650a71095809000000000000000000c3803f710a58060000" +
            "006c6174696e31710b86710c52710d86710e52710f58030000006172727110636e756d70792e5f636f72652e6d756c746961" +
            "727261790a5f7265636f6e7374727563740a7111636e756d70790a6e6461727261790a71124b008571136809580100000062" +
            "7114680b867115527116877117527118284b014b024b03867119680358020000006634711a898887711b52711c284b036807" +
            "4e4e4e4affffffff4affffffff4b0074711d62896809581b000000000000000000c2803f00000040000040400000c2804000" +
            "00c2a040711e680b86711f527120747121625804000000666172727122681168124b008571236816877124527125284b014b" +
            "024b0386712668035802000000693871278988877128527129284b0368074e4e4e4affffffff4affffffff4b0074712a6288" +
            "6809583000000000000000000000000300000000000000010000000000000004000000000000000200000000000000050000" +
            "0000000000712b680b86712c52712d74712e62580100000069712f680268296809580800000007000000000000007130680b" +
            "86713152713286713352713458010000006671356802681c680958050000000000c3803f7136680b86713752713886713952" +
            "713a580100000062713b6802680358020000006231713c898887713d52713e284b0358010000007c713f4e4e4e4affffffff" +
            "4affffffff4b007471406268095801000000017141680b86714252714386714452714558020000006e737146636172677061" +
            "7273650a4e616d6573706163650a7147298171487d714928580c00000061746f6d5f6665615f6c656e714a4b405804000000" +
            "7461736b714b580a00000072656772657373696f6e714c7562580100000070714d63706174686c69620a50757265506f7369" +
            "78506174680a714e58010000002f714f580400000072756e73715058050000007072696f7271518771525271535802000000" +
            "6464715463636f6c6c656374696f6e730a64656661756c74646963740a7155635f5f6275696c74696e5f5f0a6c6973740a71" +
            "5685715752715858010000006171595d715a4b016173752e";

    @Test
    void realPythonPickleOfNumpyAndStandardClasses() throws IOException {
        byte[] pickle = java.util.HexFormat.of().parseHex(PYTHON_PICKLE_HEX);
        Map<String, Object> r = TorchCheckpoint.read(PickleWriter.archive(tmp, "numpy", pickle, Map.of(), null)).root();
        assertEquals(0.125, r.get("best"));
        assertEquals(7L, r.get("i"));
        assertEquals(1.5, r.get("f"));
        assertEquals(true, r.get("b"));
        TorchTensor arr = (TorchTensor) r.get("arr");
        assertEquals(TorchDType.FLOAT32, arr.dtype());
        assertArrayEquals(new int[]{2, 3}, arr.shape());
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5}, arr.toFloatArray());
        TorchTensor farr = (TorchTensor) r.get("farr");
        assertEquals(TorchDType.INT64, farr.dtype());
        assertArrayEquals(new long[]{0, 1, 2, 3, 4, 5}, farr.toLongArray(), "Fortran order is re-laid row-major");
        assertEquals(Map.of("atom_fea_len", 64L, "task", "regression"), r.get("ns"));
        assertEquals("/runs/prior", r.get("p"));
        assertEquals(Map.of("a", List.of(1L)), r.get("dd"));
    }

    /** The pre-1.6 stream-of-pickles format (as the original CGCNN pre-trained models use), with a storage view. */
    @Test
    void legacyFormatWithStorageViews() throws IOException {
        java.io.ByteArrayOutputStream f = new java.io.ByteArrayOutputStream();
        f.writeBytes(new byte[]{(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20,
                0x6a, (byte) 0xa8, 0x50, 0x19, '.'});
        f.writeBytes(new PickleWriter().integer(1001).stop().bytes());
        f.writeBytes(new PickleWriter().emptyDict().str("little_endian").bool(true).raw('s').stop().bytes());
        PickleWriter w = new PickleWriter().emptyDict().mark().str("epoch").integer(968).str("state_dict")
                .global("collections", "OrderedDict").emptyTuple().reduce().mark();
        // w = _rebuild_tensor(storage k1 viewed at (offset 2, size 4), offset 1, size (3,), stride (1,))
        w.str("w").global("torch._utils", "_rebuild_tensor").mark();
        w.mark().str("storage").global("torch", "FloatStorage").str("k1").str("cuda:0").integer(6)
                .mark().str("k1v").integer(2).integer(4).tuple().tuple().raw('Q');
        w.integer(1).ints(3).ints(1).tuple().reduce();
        w.str("n").global("torch._utils", "_rebuild_tensor_v2").mark();
        w.mark().str("storage").global("torch", "LongStorage").str("k2").str("cpu").integer(2).none().tuple().raw('Q');
        w.integer(0).ints(2).ints(1).bool(false).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
        w.setitems().setitems().stop();
        f.writeBytes(w.bytes());
        f.writeBytes(new PickleWriter().mark().str("k1").str("k2").raw('l').stop().bytes());
        ByteBuffer b = ByteBuffer.allocate(8 + 24 + 8 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(6);
        for (int k = 0; k < 6; k++) b.putFloat(10 + k);
        b.putLong(2).putLong(-5).putLong(1L << 40);
        f.writeBytes(b.array());
        Path file = tmp.resolve("legacy.pth.tar");
        Files.write(file, f.toByteArray());

        TorchCheckpoint ck = TorchCheckpoint.read(file);
        assertEquals("legacy", ck.format());
        assertEquals(968L, ck.epoch().orElseThrow());
        assertArrayEquals(new float[]{13, 14, 15}, ck.tensor("w", 3).toFloatArray());
        assertArrayEquals(new long[]{-5, 1L << 40}, ck.tensor("n", 2).toLongArray());

        Path cut = tmp.resolve("legacy_cut.pth.tar");
        Files.write(cut, java.util.Arrays.copyOf(f.toByteArray(), f.size() - 4));
        String m = assertThrows(InvalidInputException.class, () -> TorchCheckpoint.read(cut)).getMessage();
        assertTrue(m.startsWith(cut.toString()) && m.contains("storage k2") && m.contains("truncated"), m);
    }

    @Test
    void halfPrecisionConversionIsExact() {
        // every finite half value round-trips through float and back to the same bits
        for (int h = 0; h < 0x10000; h++) {
            int exp = (h >>> 10) & 0x1f;
            float f = TorchTensor.halfToFloat(h);
            if (exp == 0x1f) {
                assertTrue(Float.isNaN(f) || Float.isInfinite(f));
                continue;
            }
            assertEquals(h, floatToHalf(f), "half bits " + Integer.toHexString(h));
        }
    }

    /** Exact inverse for representable values (reference for the test only). */
    private static int floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        float a = Math.abs(f);
        if (a == 0) return sign;
        if (a < 0x1p-14f) return sign | Math.round(a / 0x1p-24f);
        int e = Math.getExponent(a);
        int mant = Math.round((a / (float) Math.pow(2, e) - 1) * 1024);
        return sign | ((e + 15) << 10) | mant;
    }
}
