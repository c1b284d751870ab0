package org.concdvae.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A checkpoint written by {@code torch.save}, read without executing anything (see {@link TorchUnpickler} for which
 * pickled globals are understood): the zip format of PyTorch ≥ 1.6 ({@code <archive>/data.pkl},
 * {@code <archive>/data/<key>} storages, {@code <archive>/version}, optional {@code <archive>/byteorder}), and the
 * earlier stream-of-pickles format (e.g. the original CGCNN pre-trained models). The tar format of PyTorch < 0.4
 * and TorchScript archives are recognised and refused with a clear message.
 * <p>
 * Exposes the {@code state_dict} (tensors in file order), and what Lightning and CGCNN checkpoints carry beside it:
 * {@code epoch}, {@code global_step}, {@code hyper_parameters} (plain nested maps, also when pickled as omegaconf or
 * AttributeDict objects), and CGCNN's {@code normalizer} and {@code args}. Every other top-level value is available
 * as a plain value through {@link #root()}. Any problem with the file is an {@link InvalidInputException} whose
 * one-line message names the file.
 */
public final class TorchCheckpoint {
    /** Largest pickle record accepted: real ones are kilobytes to a few megabytes. */
    private static final long MAX_PICKLE_BYTES = 1L << 30;

    /** Reading options. */
    public static final class Options {
        private final List<String> skipPrefixes;

        private Options(List<String> skipPrefixes) { this.skipPrefixes = List.copyOf(skipPrefixes); }

        /** Keep every state_dict entry. */
        public static Options defaults() { return new Options(List.of()); }

        /**
         * For Con-CDVAE prior checkpoints: drop state_dict keys starting with {@code _model.} (the frozen step-one
         * model attached during prior training), as the official loader does.
         */
        public static Options prior() { return defaults().skipStateDictPrefix("_model."); }

        /** Also drop state_dict keys starting with {@code prefix}. */
        public Options skipStateDictPrefix(String prefix) {
            List<String> l = new ArrayList<>(skipPrefixes);
            l.add(prefix);
            return new Options(l);
        }

        public List<String> skipPrefixes() { return skipPrefixes; }
    }

    /** CGCNN's target normaliser: predictions are de-normalised as {@code y = out * std + mean}. */
    public record Normalizer(double mean, double std) {}

    private final Path file;
    private final String format;
    private final int formatVersion;
    private final String byteOrder;
    private final Map<String, Object> root;
    private final Map<String, TorchTensor> stateDict;
    private final int skipped;

    private TorchCheckpoint(Path file, String format, int formatVersion, String byteOrder, Map<String, Object> root,
                            Map<String, TorchTensor> stateDict, int skipped) {
        this.file = file;
        this.format = format;
        this.formatVersion = formatVersion;
        this.byteOrder = byteOrder;
        this.root = root;
        this.stateDict = stateDict;
        this.skipped = skipped;
    }

    /** Reads {@code file} keeping every state_dict entry. */
    public static TorchCheckpoint read(Path file) {
        return read(file, Options.defaults());
    }

    /** Reads {@code file}. */
    public static TorchCheckpoint read(Path file, Options options) {
        String name = file.toString();
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(name + ": file not found");
        } catch (IOException e) {
            throw new InvalidInputException(name + ": cannot read (" + e.getMessage() + ")");
        }
        if (Files.isDirectory(file)) throw new InvalidInputException(name + ": is a directory, not a checkpoint file");
        if (size == 0) throw new InvalidInputException(name + ": empty file, not a PyTorch checkpoint");
        if (isLegacy(file, name)) return readLegacy(file, name, size, options);
        checkZipMagic(file, name);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return readZip(zip, file, name, options);
        } catch (ZipException e) {
            throw new InvalidInputException(name + ": truncated or corrupt zip archive (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new InvalidInputException(name + ": cannot read the zip archive (" + TorchUnpickler.describe(e) + ")", e);
        }
    }

    /** Tells the formats PyTorch used before the zip one, and foreign files, apart from a damaged zip. */
    private static void checkZipMagic(Path file, String name) {
        byte[] head = new byte[264];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new InvalidInputException(name + ": cannot read (" + e.getMessage() + ")");
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return;
        if (n >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            throw new InvalidInputException(name + ": a tar archive (PyTorch's pre-0.4 legacy format, or not a checkpoint);"
                    + " re-save it with torch.save from PyTorch >= 1.6");
        }
        if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            throw new InvalidInputException(name + ": a bare pickle without PyTorch's magic number, not a torch.save checkpoint");
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 5 && head[3] == 6) {
            throw new InvalidInputException(name + ": an empty zip archive, not a PyTorch checkpoint");
        }
        throw new InvalidInputException(name + ": not a PyTorch checkpoint (not a zip archive written by torch.save)");
    }

    private static TorchCheckpoint readZip(ZipFile zip, Path file, String name, Options options) throws IOException {
        String prefix = findArchivePrefix(zip, name);
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        String orderName = "little";
        ZipEntry bo = zip.getEntry(prefix + "byteorder");
        if (bo != null) {
            orderName = new String(readEntry(zip, bo, 64, name), StandardCharsets.US_ASCII).trim();
            if (orderName.equals("big")) order = ByteOrder.BIG_ENDIAN;
            else if (!orderName.equals("little")) {
                throw new InvalidInputException(name + ": unknown byteorder record '" + orderName + "'");
            }
        }
        int version = -1;
        ZipEntry ve = zip.getEntry(prefix + "version");
        if (ve == null) ve = zip.getEntry(prefix + ".data/version");
        if (ve != null) {
            String v = new String(readEntry(zip, ve, 64, name), StandardCharsets.US_ASCII).trim();
            try {
                version = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(name + ": unreadable version record '" + v + "'");
            }
        }
        ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
        byte[] pickle = readEntry(zip, pkl, MAX_PICKLE_BYTES, name);
        TorchUnpickler.StorageSource storages = (key, expected) -> storage(zip, prefix, key, expected, name);
        TorchUnpickler unpickler = new TorchUnpickler(name, storages, order);
        Object raw = unpickler.unpickle(pickle, prefix + "data.pkl");
        return assemble(file, name, "zip", version, orderName, raw, unpickler, options);
    }

    /** Turns the unpickled root into plain values and picks out the state_dict. */
    private static TorchCheckpoint assemble(Path file, String name, String format, int version, String orderName,
                                            Object raw, TorchUnpickler unpickler, Options options) {
        Object plain;
        try {
            plain = PickleValues.plain(raw, unpickler);
        } catch (IllegalStateException e) {
            throw new InvalidInputException(name + ": " + e.getMessage());
        }
        Map<String, Object> root = new LinkedHashMap<>();
        if (plain instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) root.put(String.valueOf(e.getKey()), e.getValue());
        } else {
            throw new InvalidInputException(name + ": the checkpoint holds a " + describeValue(plain)
                    + ", not a dict of named values");
        }
        Object sd = root.containsKey("state_dict") ? root.get("state_dict") : allTensors(root) ? root : null;
        Map<String, TorchTensor> stateDict = null;
        int skipped = 0;
        if (sd != null) {
            if (!(sd instanceof Map<?, ?> sdm)) {
                throw new InvalidInputException(name + ": 'state_dict' is a " + describeValue(sd) + ", not a dict of tensors");
            }
            stateDict = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : sdm.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (options.skipPrefixes().stream().anyMatch(key::startsWith)) { skipped++; continue; }
                if (e.getValue() instanceof TorchTensor t) stateDict.put(key, t);
                else if (key.endsWith("_extra_state")) skipped++; // module extra state (arbitrary Python object), unused
                else {
                    throw new InvalidInputException(name + ": state_dict entry '" + key + "' is a "
                            + describeValue(e.getValue()) + ", not a dense tensor");
                }
            }
            stateDict = Collections.unmodifiableMap(stateDict);
        }
        return new TorchCheckpoint(file, format, version, orderName, Collections.unmodifiableMap(root), stateDict, skipped);
    }

    /** PyTorch's magic number 0x1950a86a20f9469cfc6c as the protocol-2 pickle that opens a pre-1.6 file. */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e};
    private static final int LEGACY_PROTOCOL = 1001;

    private static boolean isLegacy(Path file, String name) {
        try (InputStream in = Files.newInputStream(file)) {
            return java.util.Arrays.equals(in.readNBytes(LEGACY_MAGIC.length), LEGACY_MAGIC);
        } catch (IOException e) {
            throw new InvalidInputException(name + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /**
     * The pre-1.6 format (torch/serialization.py {@code _legacy_save}): a stream of pickles: magic number, protocol
     * version 1001, sys_info, the object (storages as persistent ids), the list of storage keys; then each storage as
     * an int64 element count and its raw bytes, in the order of that list.
     */
    private static TorchCheckpoint readLegacy(Path file, String name, long size, Options options) {
        if (size > Integer.MAX_VALUE - 8) throw new InvalidInputException(name + ": legacy-format file too large for this reader");
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidInputException(name + ": cannot read (" + e.getMessage() + ")");
        }
        java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(all);
        TorchUnpickler.StorageSource none = (key, expected) -> {
            throw new InvalidInputException(name + ": unexpected storage in the file header");
        };
        new TorchUnpickler(name, none, ByteOrder.LITTLE_ENDIAN).unpickleNext(in, "magic number");
        Object protocol = new TorchUnpickler(name, none, ByteOrder.LITTLE_ENDIAN).unpickleNext(in, "protocol version");
        if (!(protocol instanceof Number p) || p.intValue() != LEGACY_PROTOCOL) {
            throw new InvalidInputException(name + ": unsupported legacy protocol version " + protocol + " (expected 1001)");
        }
        Object sysInfo = new TorchUnpickler(name, none, ByteOrder.LITTLE_ENDIAN).unpickleNext(in, "sys_info");
        boolean little = !(sysInfo instanceof Map<?, ?> m) || !Boolean.FALSE.equals(m.get("little_endian"));
        ByteOrder order = little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        Map<String, ByteBuffer> storages = new java.util.HashMap<>();
        TorchUnpickler unpickler = new TorchUnpickler(name, (key, expected) -> {
            ByteBuffer b = storages.get(key);
            if (b == null) throw new InvalidInputException(name + ": storage " + key + " is missing from the file");
            if (b.capacity() < expected) {
                throw new InvalidInputException(name + ": storage " + key + " holds " + b.capacity() + " bytes but the pickle declares " + expected);
            }
            return b;
        }, order);
        Object raw = unpickler.unpickleNext(in, "checkpoint pickle");
        Object keys = new TorchUnpickler(name, none, order).unpickleNext(in, "storage key list");
        if (!(keys instanceof List<?> keyList)) throw new InvalidInputException(name + ": the storage key list is a " + describeValue(keys));
        ByteBuffer data = ByteBuffer.wrap(all).order(order);
        int pos = all.length - in.available();
        for (Object k : keyList) {
            String key = String.valueOf(k);
            TorchUnpickler.StorageRef ref = unpickler.storageRef(key);
            if (ref == null) throw new InvalidInputException(name + ": storage " + key + " is listed but never used by the pickle");
            if (pos + 8L > all.length) throw new InvalidInputException(name + ": file truncated before storage " + key);
            long numel = data.getLong(pos);
            pos += 8;
            long bytes = numel * ref.type().dtype().itemSize();
            if (numel != ref.numel() || numel < 0 || pos + bytes > all.length) {
                throw new InvalidInputException(name + ": storage " + key + " holds " + numel + " elements where the pickle declares "
                        + ref.numel() + (pos + bytes > all.length ? " (file truncated)" : ""));
            }
            storages.put(key, ByteBuffer.wrap(all, pos, (int) bytes).slice());
            pos += (int) bytes;
        }
        return assemble(file, name, "legacy", LEGACY_PROTOCOL, little ? "little" : "big", raw, unpickler, options);
    }

    private static boolean allTensors(Map<String, Object> m) {
        return !m.isEmpty() && m.values().stream().allMatch(v -> v instanceof TorchTensor);
    }

    /** The archive's top folder: torch.save names it after the file, so it is whatever precedes {@code data.pkl}. */
    private static String findArchivePrefix(ZipFile zip, String name) {
        List<String> pkls = new ArrayList<>();
        boolean torchScript = false;
        var entries = zip.entries();
        int count = 0;
        while (entries.hasMoreElements()) {
            String n = entries.nextElement().getName();
            count++;
            int slash = n.indexOf('/');
            String rest = slash < 0 ? n : n.substring(slash + 1);
            if (rest.equals("data.pkl") || n.equals("data.pkl")) pkls.add(n.substring(0, n.length() - "data.pkl".length()));
            if (rest.equals("constants.pkl") || rest.startsWith("code/")) torchScript = true;
        }
        if (pkls.size() == 1) return pkls.get(0);
        if (pkls.size() > 1) throw new InvalidInputException(name + ": several data.pkl records " + pkls + "; not a single torch.save checkpoint");
        if (torchScript) {
            throw new InvalidInputException(name + ": a TorchScript archive (torch.jit.save), not a torch.save checkpoint");
        }
        throw new InvalidInputException(name + ": a zip archive of " + count
                + " entries without a data.pkl record: not a PyTorch checkpoint");
    }

    private static ByteBuffer storage(ZipFile zip, String prefix, String key, long expected, String name) {
        if (key.contains("/") || key.contains("..")) throw new InvalidInputException(name + ": invalid storage key '" + key + "'");
        ZipEntry e = zip.getEntry(prefix + "data/" + key);
        if (e == null) throw new InvalidInputException(name + ": storage record data/" + key + " is missing from the archive");
        if (expected > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException(name + ": storage data/" + key + " of " + expected + " bytes is too large for this reader");
        }
        if (e.getSize() >= 0 && e.getSize() < expected) {
            throw new InvalidInputException(name + ": storage data/" + key + " holds " + e.getSize()
                    + " bytes but the pickle declares " + expected);
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) expected);
            if (b.length < expected) {
                throw new InvalidInputException(name + ": storage data/" + key + " holds " + b.length
                        + " bytes but the pickle declares " + expected);
            }
            return ByteBuffer.wrap(b);
        } catch (IOException ex) {
            throw new InvalidInputException(name + ": corrupt storage record data/" + key + " (" + TorchUnpickler.describe(ex) + ")", ex);
        }
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry e, long limit, String name) {
        if (e.getSize() > limit) throw new InvalidInputException(name + ": record " + e.getName() + " is implausibly large (" + e.getSize() + " bytes)");
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8) + 1);
            if (b.length > limit) throw new InvalidInputException(name + ": record " + e.getName() + " is implausibly large");
            return b;
        } catch (IOException ex) {
            throw new InvalidInputException(name + ": corrupt record " + e.getName() + " (" + TorchUnpickler.describe(ex) + ")", ex);
        }
    }

    /** A short description of a plain value for messages and summaries, e.g. {@code dict of 12}. */
    public static String describeValue(Object v) {
        if (v == null) return "None";
        if (v instanceof TorchTensor t) return "tensor " + t;
        if (v instanceof Map<?, ?> m) {
            Object c = m.get(PickleValues.CLASS_KEY);
            return c != null ? c + " object" : "dict of " + m.size();
        }
        if (v instanceof List<?> l) return "list of " + l.size();
        if (v instanceof Set<?> s) return "set of " + s.size();
        if (v instanceof byte[] b) return "bytes of " + b.length;
        if (v instanceof String) return "str";
        if (v instanceof Boolean) return "bool";
        if (v instanceof Long || v instanceof java.math.BigInteger) return "int";
        if (v instanceof Double) return "float";
        return v.getClass().getSimpleName();
    }

    public Path file() { return file; }

    /** {@code zip} (PyTorch ≥ 1.6) or {@code legacy} (the earlier stream of pickles). */
    public String format() { return format; }

    /** The {@code version} record (3 for PyTorch ≥ 1.6 files; -1 when absent), or 1001 for the legacy format. */
    public int formatVersion() { return formatVersion; }

    /** {@code little} or {@code big} (the {@code byteorder} record; little when absent, as older PyTorch wrote). */
    public String byteOrder() { return byteOrder; }

    /** Every top-level value as a plain value (see {@link PickleValues}), in file order; unmodifiable. */
    public Map<String, Object> root() { return root; }

    public boolean hasStateDict() { return stateDict != null; }

    /**
     * The {@code state_dict} tensors in file order (or the top-level dict when the file is a bare state_dict), without
     * the skipped prefixes; unmodifiable.
     */
    public Map<String, TorchTensor> stateDict() {
        if (stateDict == null) {
            throw new InvalidInputException(file + ": no state_dict in the checkpoint (top-level keys: " + root.keySet() + ")");
        }
        return stateDict;
    }

    /** The state_dict tensor {@code key}; a missing key is an {@link InvalidInputException} naming file and key. */
    public TorchTensor tensor(String key) {
        TorchTensor t = stateDict().get(key);
        if (t == null) throw new InvalidInputException(file + ": state_dict has no entry '" + key + "'");
        return t;
    }

    /** The state_dict tensor {@code key}, checked to have exactly {@code shape}. */
    public TorchTensor tensor(String key, int... shape) {
        TorchTensor t = tensor(key);
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new InvalidInputException(file + ": state_dict entry '" + key + "' has shape "
                    + java.util.Arrays.toString(t.shape()) + ", expected " + java.util.Arrays.toString(shape));
        }
        return t;
    }

    /** How many state_dict entries were dropped (skipped prefixes and module extra states). */
    public int skippedStateDictEntries() { return skipped; }

    public OptionalLong epoch() { return integer("epoch"); }

    public OptionalLong globalStep() { return integer("global_step"); }

    private OptionalLong integer(String key) {
        Object v = root.get(key);
        if (v instanceof Long l) return OptionalLong.of(l);
        if (v instanceof TorchTensor t && t.numel() == 1 && !t.dtype().isFloatingPoint()) return OptionalLong.of((long) t.item());
        return OptionalLong.empty();
    }

    /** Lightning's {@code hyper_parameters} as nested plain maps (omegaconf / AttributeDict resolved). */
    public Optional<Map<String, Object>> hyperParameters() { return map("hyper_parameters"); }

    /** CGCNN's training arguments ({@code atom_fea_len}, {@code n_conv}, {@code h_fea_len}, {@code n_h}, {@code task}, ...). */
    public Optional<Map<String, Object>> args() { return map("args"); }

    /** An integer entry of CGCNN's {@code args} (e.g. {@code n_conv}); absent or non-integer is an error naming it. */
    public int intArg(String key) {
        Object v = args().orElseThrow(() -> new InvalidInputException(file + ": checkpoint has no 'args'")).get(key);
        if (!(v instanceof Long l) || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new InvalidInputException(file + ": args." + key + " is " + (v == null ? "missing" : "not an integer (" + v + ")"));
        }
        return (int) (long) l;
    }

    /** A string entry of CGCNN's {@code args} (e.g. {@code task}); absent or non-string is an error naming it. */
    public String stringArg(String key) {
        Object v = args().orElseThrow(() -> new InvalidInputException(file + ": checkpoint has no 'args'")).get(key);
        if (!(v instanceof String s)) {
            throw new InvalidInputException(file + ": args." + key + " is " + (v == null ? "missing" : "not a string (" + v + ")"));
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private Optional<Map<String, Object>> map(String key) {
        Object v = root.get(key);
        if (!(v instanceof Map<?, ?> m)) return Optional.empty();
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<Object, Object>) m).entrySet()) out.put(String.valueOf(e.getKey()), e.getValue());
        return Optional.of(Collections.unmodifiableMap(out));
    }

    /** CGCNN's {@code normalizer} (mean/std saved as 0-d tensors or floats). */
    public Optional<Normalizer> normalizer() {
        if (!(root.get("normalizer") instanceof Map<?, ?> m)) return Optional.empty();
        Double mean = number(m.get("mean"));
        Double std = number(m.get("std"));
        if (mean == null || std == null) {
            throw new InvalidInputException(file + ": normalizer has no numeric mean/std (" + m.keySet() + ")");
        }
        return Optional.of(new Normalizer(mean, std));
    }

    private static Double number(Object v) {
        if (v instanceof TorchTensor t && t.numel() == 1) return t.item();
        if (v instanceof Number n) return n.doubleValue();
        return null;
    }
}
