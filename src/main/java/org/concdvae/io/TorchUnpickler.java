package org.concdvae.io;

import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Unpickles the {@code data.pkl} record of a {@code torch.save} archive with razorvine's opcode machine, but resolves
 * every global itself (razorvine's own global table is never consulted or changed):
 * <ul>
 *   <li>a whitelist of what checkpoints hold: tensor rebuild functions, typed storages (via persistent ids),
 *       {@code collections.OrderedDict}, torch dtypes/sizes/devices, numpy scalars, dtypes and arrays, bytes;</li>
 *   <li>globals that could run code in Python ({@code os.system}, {@code builtins.eval}, {@code subprocess.*}, ...)
 *       are refused with an {@link InvalidInputException} naming them;</li>
 *   <li>every other class becomes an inert {@link PickledObject} that records its arguments and state.</li>
 * </ul>
 * Dicts keep their pickled order (razorvine's own SETITEMS goes through a HashMap). Format: torch/serialization.py
 * ({@code _save}/{@code _load}) and torch/_utils.py ({@code _rebuild_tensor_v2}).
 */
final class TorchUnpickler extends Unpickler {

    /** Supplies the raw bytes of storage record {@code data/<key>}. */
    interface StorageSource {
        ByteBuffer bytes(String key, long expectedBytes);
    }

    /** A global (class or function) named by the pickle; inert until the reader interprets a call to it. */
    record PyGlobal(String module, String name) {
        String qualified() { return module + "." + name; }

        @Override
        public String toString() { return qualified(); }
    }

    /** {@code torch.FloatStorage} and friends; {@code UntypedStorage} holds bytes (uint8). */
    record StorageType(String name, TorchDType dtype) {}

    /**
     * A storage named by a persistent id {@code ('storage', type, key, location, numel)}; the pre-1.6 format adds
     * {@code view_metadata} = None or {@code (view_key, offset, size)} for a view into the root storage {@code key}.
     */
    record StorageRef(StorageType type, String key, String location, long numel, long viewOffset, long viewSize) {}

    /**
     * A tensor as the pickle describes it; its values are gathered after unpickling, because the pre-1.6 format
     * stores the storage bytes after the pickle.
     */
    record PendingTensor(StorageRef storage, long offset, long[] size, long[] stride) {}

    /** A numpy dtype such as {@code numpy.dtype('f8')}; the byte order arrives with BUILD. */
    static final class NumpyDType {
        final String code;
        String byteOrder = "=";

        NumpyDType(String code) { this.code = code; }

        @Override
        public String toString() { return "numpy.dtype(" + code + ")"; }
    }

    /** {@code numpy.core.multiarray._reconstruct(ndarray, ...)}: the array content arrives with BUILD. */
    static final class NumpyArray {
        TorchTensor tensor;
        Object state;
    }

    private interface Call { Object apply(List<Object> args); }

    /** Modules (or module prefixes) whose globals can execute code or touch the system when called in Python. */
    private static final Set<String> FORBIDDEN_MODULES = Set.of(
            "os", "posix", "nt", "subprocess", "sys", "shutil", "socket", "importlib", "runpy", "pickle", "_pickle",
            "cPickle", "marshal", "code", "codeop", "pty", "ctypes", "multiprocessing", "webbrowser", "shelve",
            "commands", "platform", "signal", "_thread", "asyncio", "io", "_io", "tempfile", "http", "urllib", "ftplib",
            "smtplib", "telnetlib", "pdb", "bdb", "timeit", "trace", "imp", "zipimport", "pkgutil", "torch.hub",
            "torch.serialization");

    /** builtins that are plain value types (safe to name); every other builtin is refused. */
    private static final Set<String> SAFE_BUILTINS = Set.of(
            "object", "int", "float", "complex", "bool", "str", "bytes", "bytearray", "list", "tuple", "dict", "set",
            "frozenset", "slice", "range", "type", "NoneType", "Ellipsis", "NotImplemented", "long", "unicode",
            "basestring");

    private static final Map<String, Call> CALLS = new HashMap<>();
    private static final Map<String, StorageType> STORAGES = new HashMap<>();
    private static final Map<String, TorchDType> DTYPES = new HashMap<>();

    static {
        for (TorchDType d : TorchDType.values()) {
            StorageType st = new StorageType(d.storageClass(), d);
            STORAGES.put("torch." + d.storageClass(), st);
            STORAGES.put("torch.cuda." + d.storageClass(), st);
            DTYPES.put("torch." + d.torchName(), d);
        }
        for (String n : new String[]{"torch.UntypedStorage", "torch.storage.UntypedStorage", "torch.storage._UntypedStorage",
                "torch.ByteStorage"}) {
            STORAGES.put(n, new StorageType(n.substring(n.lastIndexOf('.') + 1), TorchDType.UINT8));
        }
        Map<String, TorchDType> alias = Map.of("torch.float", TorchDType.FLOAT32, "torch.double", TorchDType.FLOAT64,
                "torch.half", TorchDType.FLOAT16, "torch.long", TorchDType.INT64, "torch.int", TorchDType.INT32,
                "torch.short", TorchDType.INT16);
        DTYPES.putAll(alias);

        CALLS.put("collections.OrderedDict", TorchUnpickler::orderedDict);
        for (String b : new String[]{"builtins", "__builtin__"}) {
            CALLS.put(b + ".set", a -> new LinkedHashSet<>(a.isEmpty() ? List.of() : asList(a.get(0))));
            CALLS.put(b + ".frozenset", a -> new LinkedHashSet<>(a.isEmpty() ? List.of() : asList(a.get(0))));
            CALLS.put(b + ".bytearray", TorchUnpickler::bytes);
            CALLS.put(b + ".bytes", TorchUnpickler::bytes);
            CALLS.put(b + ".list", a -> a.isEmpty() ? new ArrayList<>() : new ArrayList<>(asList(a.get(0))));
            CALLS.put(b + ".tuple", a -> a.isEmpty() ? new Object[0] : asList(a.get(0)).toArray());
        }
        CALLS.put("_codecs.encode", TorchUnpickler::bytes);
        CALLS.put("torch.Size", a -> a.isEmpty() ? new Object[0] : asList(a.get(0)).toArray());
        CALLS.put("torch.device", a -> a.size() >= 2 && a.get(1) != null ? a.get(0) + ":" + a.get(1) : String.valueOf(a.get(0)));
        for (String np : new String[]{"numpy.core.multiarray", "numpy._core.multiarray"}) {
            CALLS.put(np + ".scalar", TorchUnpickler::numpyScalar);
            CALLS.put(np + "._reconstruct", a -> new NumpyArray());
        }
        CALLS.put("numpy.dtype", a -> new NumpyDType(String.valueOf(a.get(0))));
    }

    private final String file;
    private final StorageSource storages;
    private final Map<String, ByteBuffer> storageCache = new HashMap<>();
    /** Every storage the pickle named, by key (the pre-1.6 format needs their types to read their bytes). */
    private final Map<String, StorageRef> storageRefs = new LinkedHashMap<>();
    private final ByteOrder byteOrder;

    TorchUnpickler(String file, StorageSource storages, ByteOrder byteOrder) {
        this.file = file;
        this.storages = storages;
        this.byteOrder = byteOrder;
    }

    /** Unpickles one record; any malformation becomes an {@link InvalidInputException} naming the file. */
    Object unpickle(byte[] pickle, String recordName) {
        try {
            return loads(pickle);
        } catch (InvalidInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(file + ": malformed pickle in " + recordName + " (" + describe(e) + ")", e);
        } catch (StackOverflowError e) {
            throw new InvalidInputException(file + ": pickle in " + recordName + " is nested too deeply", e);
        }
    }

    /** Unpickles the next pickle of a stream of several (the pre-1.6 format); leaves the stream after its STOP. */
    Object unpickleNext(java.io.InputStream in, String what) {
        try {
            return load(in);
        } catch (InvalidInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(file + ": malformed " + what + " (" + describe(e) + ")", e);
        } catch (StackOverflowError e) {
            throw new InvalidInputException(file + ": " + what + " is nested too deeply", e);
        }
    }

    /** The storage named {@code key} by the pickle, or null. */
    StorageRef storageRef(String key) { return storageRefs.get(key); }

    static String describe(Throwable e) {
        String m = e.getMessage();
        String s = e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case 'c' -> { // GLOBAL module\nname\n
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolveGlobal(module, name));
            }
            case 0x93 -> { // STACK_GLOBAL
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String m) || !(name instanceof String n)) throw new PickleException("STACK_GLOBAL needs two strings");
                stack.add(resolveGlobal(m, n));
            }
            case 'i' -> { // INST module\nname\n, args since mark
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                List<Object> args = stack.pop_all_since_marker();
                stack.add(call(resolveGlobal(module, name), args, false));
            }
            case 'o' -> { // OBJ: class and args since mark
                List<Object> all = stack.pop_all_since_marker();
                if (all.isEmpty()) throw new PickleException("OBJ without a class");
                stack.add(call(all.get(0), new ArrayList<>(all.subList(1, all.size())), false));
            }
            case 'R' -> { // REDUCE
                Object args = stack.pop();
                Object callable = stack.pop();
                stack.add(call(callable, asList(args), false));
            }
            case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                Object args = stack.pop();
                Object cls = stack.pop();
                stack.add(call(cls, asList(args), true));
            }
            case 0x92 -> { // NEWOBJ_EX: keyword arguments are recorded as the last argument
                Object kwargs = stack.pop();
                Object args = stack.pop();
                Object cls = stack.pop();
                List<Object> a = new ArrayList<>(asList(args));
                if (kwargs instanceof Map<?, ?> m && !m.isEmpty()) a.add(kwargs);
                stack.add(call(cls, a, true));
            }
            case 'b' -> build(stack.pop(), stack.peek());
            case '}' -> stack.add(new LinkedHashMap<>());
            case 'd' -> {
                List<Object> items = stack.pop_all_since_marker();
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int k = 0; k + 1 < items.size(); k += 2) m.put(items.get(k), items.get(k + 1));
                stack.add(m);
            }
            case 's' -> {
                Object value = stack.pop();
                Object k = stack.pop();
                putItem(stack.peek(), k, value);
            }
            case 'u' -> {
                List<Object> items = stack.pop_all_since_marker();
                Object target = stack.peek();
                if (items.size() % 2 != 0) throw new PickleException("SETITEMS with an odd number of items");
                for (int k = 0; k < items.size(); k += 2) putItem(target, items.get(k), items.get(k + 1));
            }
            case 'a' -> {
                Object value = stack.pop();
                appendItem(stack.peek(), value);
            }
            case 'e' -> {
                List<Object> items = stack.pop_all_since_marker();
                Object target = stack.peek();
                for (Object v : items) appendItem(target, v);
            }
            case 0x82, 0x83, 0x84 -> throw new PickleException("copyreg extension codes (EXT1/2/4) are not supported");
            case 'T', 'X', 'B', 0x8b -> { checkLength(4); return super.dispatch(key); }
            case 0x8d, 0x8e, 0x96, 0x95 -> { checkLength(8); return super.dispatch(key); }
            default -> { return super.dispatch(key); }
        }
        return NO_RETURN_VALUE;
    }

    /** Refuses a length-prefixed opcode whose declared length exceeds the bytes left (no giant allocation). */
    private void checkLength(int width) throws IOException {
        if (!input.markSupported()) return;
        input.mark(16);
        byte[] b = input.readNBytes(width);
        int left = input.available();
        input.reset();
        if (b.length < width) throw new PickleException("truncated pickle");
        long len = 0;
        for (int k = width - 1; k >= 0; k--) len = (len << 8) | (b[k] & 0xff);
        if (len < 0 || len > left) throw new PickleException("a length field (" + Long.toUnsignedString(len) + ") runs past the end of the pickle");
    }

    private Object resolveGlobal(String module, String name) {
        String q = module + "." + name;
        if (isForbidden(module, name)) {
            throw new InvalidInputException(file + ": refusing to load: the pickle references " + q
                    + ", which a checkpoint never contains (a pickle that runs code when loaded in Python)");
        }
        StorageType st = STORAGES.get(q);
        if (st != null) return st;
        TorchDType dt = DTYPES.get(q);
        if (dt != null) return dt;
        return new PyGlobal(module, name);
    }

    static boolean isForbidden(String module, String name) {
        if (module.equals("builtins") || module.equals("__builtin__")) return !SAFE_BUILTINS.contains(name);
        String m = module;
        while (true) {
            if (FORBIDDEN_MODULES.contains(m)) return true;
            int dot = m.lastIndexOf('.');
            if (dot < 0) return false;
            m = m.substring(0, dot);
        }
    }

    private Object call(Object callable, List<Object> args, boolean newObj) {
        if (!(callable instanceof PyGlobal g)) {
            throw new PickleException("cannot call a " + typeName(callable) + " (only classes and functions are callable)");
        }
        String q = g.qualified();
        switch (q) {
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> { return rebuildTensor(q, args); }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
                 "torch.nn.parameter.Parameter" -> { return args.isEmpty() ? null : args.get(0); }
            case "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type" -> {
                // (func, new_type, args, state): a tensor subclass; rebuild the plain tensor with func(*args)
                if (args.size() < 3) throw new PickleException(q + " needs (func, type, args, ...)");
                return call(args.get(0), asList(args.get(2)), false);
            }
            default -> {
                Call c = CALLS.get(q);
                if (c != null) return c.apply(args);
                return new PickledObject(q, args);
            }
        }
    }

    private Object rebuildTensor(String q, List<Object> a) {
        if (a.size() < 4 || !(a.get(0) instanceof StorageRef s)) {
            throw new PickleException(q + " called without (storage, offset, size, stride)");
        }
        return new PendingTensor(s, toLong(a.get(1)), toLongs(a.get(2)), toLongs(a.get(3)));
    }

    /** Gathers a tensor's values from its storage (read once per storage key). */
    TorchTensor materialize(PendingTensor p) {
        StorageRef s = p.storage();
        ByteBuffer bytes = storageBytes(s);
        try {
            long offset = Math.addExact(s.viewOffset(), p.offset());
            long extent = s.viewSize() >= 0 ? Math.min(s.numel(), Math.addExact(s.viewOffset(), s.viewSize())) : s.numel();
            return TorchTensor.fromStorage(s.type().dtype(), bytes, extent, offset, p.size(), p.stride());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidInputException(file + ": tensor on storage data/" + s.key() + ": " + e.getMessage(), e);
        }
    }

    private ByteBuffer storageBytes(StorageRef s) {
        ByteBuffer b = storageCache.get(s.key());
        if (b == null) {
            long expected;
            try {
                expected = Math.multiplyExact(s.numel(), (long) s.type().dtype().itemSize());
            } catch (ArithmeticException e) {
                throw new InvalidInputException(file + ": storage data/" + s.key() + " declares an impossible size " + s.numel());
            }
            b = storages.bytes(s.key(), expected).order(byteOrder);
            storageCache.put(s.key(), b);
        }
        return b.duplicate().order(byteOrder);
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (pid instanceof Object[] t && t.length == 4 && "module".equals(t[0])) return t[1]; // legacy whole-module save
        if (!(pid instanceof Object[] t) || t.length < 5 || t.length > 6 || !"storage".equals(t[0])) {
            throw new PickleException("unknown persistent id " + (pid instanceof Object[] t2 ? Arrays.toString(t2) : pid));
        }
        if (!(t[1] instanceof StorageType type)) {
            throw new InvalidInputException(file + ": unsupported storage type " + t[1] + " (expected torch.FloatStorage, torch.LongStorage, ...)");
        }
        long numel = toLong(t[4]);
        if (numel < 0) throw new PickleException("negative storage size " + numel);
        long viewOffset = 0;
        long viewSize = -1;
        if (t.length == 6 && t[5] != null) {
            List<Object> view = asList(t[5]);
            if (view.size() != 3) throw new PickleException("storage view metadata is not (key, offset, size)");
            viewOffset = toLong(view.get(1));
            viewSize = toLong(view.get(2));
            if (viewOffset < 0 || viewSize < 0 || viewOffset + viewSize > numel) {
                throw new PickleException("storage view (" + viewOffset + ", " + viewSize + ") outside a storage of " + numel);
            }
        }
        StorageRef ref = new StorageRef(type, String.valueOf(t[2]), String.valueOf(t[3]), numel, viewOffset, viewSize);
        StorageRef known = storageRefs.putIfAbsent(ref.key(), ref);
        if (known != null && (known.numel() != numel || known.type() != type)) {
            throw new PickleException("storage " + ref.key() + " is declared twice with different types or sizes");
        }
        return ref;
    }

    private void build(Object state, Object target) {
        if (target instanceof PickledObject p) {
            p.state = state;
        } else if (target instanceof NumpyDType d) {
            if (state instanceof Object[] t && t.length > 1 && t[1] instanceof String order) d.byteOrder = order;
        } else if (target instanceof NumpyArray arr) {
            arr.state = state;
            arr.tensor = numpyArray(state);
        }
        // BUILD on dicts, lists and tensors sets Python attributes the reader does not need.
    }

    @SuppressWarnings("unchecked")
    private static void putItem(Object target, Object k, Object v) {
        if (target instanceof Map<?, ?> m) ((Map<Object, Object>) m).put(k, v);
        else if (target instanceof PickledObject p) p.dictItems.put(k, v);
        else throw new PickleException("SETITEM on a " + typeName(target));
    }

    @SuppressWarnings("unchecked")
    private static void appendItem(Object target, Object v) {
        if (target instanceof List<?> l) ((List<Object>) l).add(v);
        else if (target instanceof PickledObject p) p.listItems.add(v);
        else throw new PickleException("APPEND on a " + typeName(target));
    }

    private static Object orderedDict(List<Object> args) {
        Map<Object, Object> m = new LinkedHashMap<>();
        if (!args.isEmpty() && args.get(0) != null) {
            for (Object pair : asList(args.get(0))) {
                List<Object> kv = asList(pair);
                if (kv.size() != 2) throw new PickleException("OrderedDict item is not a pair");
                m.put(kv.get(0), kv.get(1));
            }
        }
        return m;
    }

    /** {@code bytes(x)}, {@code bytearray(x)}, {@code _codecs.encode(str, encoding)} (how protocol 2 pickles bytes). */
    private static Object bytes(List<Object> a) {
        if (a.isEmpty()) return new byte[0];
        Object x = a.get(0);
        if (x instanceof byte[] b) return b.clone();
        if (x instanceof String s) {
            String enc = a.size() > 1 ? String.valueOf(a.get(1)).toLowerCase(Locale.ROOT).replace('_', '-') : "latin1";
            return switch (enc) {
                case "latin1", "latin-1", "iso-8859-1", "iso8859-1" -> s.getBytes(StandardCharsets.ISO_8859_1);
                case "utf-8", "utf8" -> s.getBytes(StandardCharsets.UTF_8);
                case "ascii", "us-ascii" -> s.getBytes(StandardCharsets.US_ASCII);
                default -> throw new PickleException("unsupported byte encoding " + enc);
            };
        }
        if (x instanceof List<?> || x instanceof Object[]) {
            List<Object> l = asList(x);
            byte[] out = new byte[l.size()];
            for (int k = 0; k < out.length; k++) out[k] = (byte) toLong(l.get(k));
            return out;
        }
        throw new PickleException("cannot make bytes from a " + typeName(x));
    }

    /** {@code numpy.core.multiarray.scalar(dtype, raw bytes)}: numpy floats/ints/bools saved in checkpoints. */
    private static Object numpyScalar(List<Object> a) {
        if (a.size() < 2 || !(a.get(0) instanceof NumpyDType d) || !(a.get(1) instanceof byte[] raw)) {
            return new PickledObject("numpy.core.multiarray.scalar", a);
        }
        TorchDType t = numpyType(d.code);
        if (t == null || raw.length != t.itemSize()) return new PickledObject("numpy.core.multiarray.scalar", a);
        ByteBuffer b = ByteBuffer.wrap(raw).order(">".equals(d.byteOrder) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        TorchTensor x = TorchTensor.fromStorage(t, b, 1, 0, new long[0], new long[0]);
        return switch (t) {
            case BOOL -> x.getDouble(0) != 0;
            case INT64 -> x.toLongArray()[0];
            case INT32, INT16, INT8, UINT8 -> (long) x.toIntArray()[0];
            default -> x.getDouble(0);
        };
    }

    /** An ndarray's BUILD state {@code (version, shape, dtype, is_fortran, raw bytes)} as a tensor, or null. */
    private static TorchTensor numpyArray(Object state) {
        if (!(state instanceof Object[] t) || t.length != 5 || !(t[2] instanceof NumpyDType d) || !(t[4] instanceof byte[] raw)) {
            return null;
        }
        TorchDType dt = numpyType(d.code);
        if (dt == null) return null;
        long[] shape = toLongs(t[1]);
        boolean fortran = Boolean.TRUE.equals(t[3]);
        long[] stride = new long[shape.length];
        long s = 1;
        for (int k = 0; k < shape.length; k++) {
            int dim = fortran ? k : shape.length - 1 - k;
            stride[dim] = s;
            s *= shape[dim];
        }
        ByteOrder order = ">".equals(d.byteOrder) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        try {
            return TorchTensor.fromStorage(dt, ByteBuffer.wrap(raw).order(order), raw.length / dt.itemSize(), 0, shape, stride);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static TorchDType numpyType(String code) {
        return switch (code) {
            case "f4" -> TorchDType.FLOAT32;
            case "f8" -> TorchDType.FLOAT64;
            case "f2" -> TorchDType.FLOAT16;
            case "i8" -> TorchDType.INT64;
            case "i4" -> TorchDType.INT32;
            case "i2" -> TorchDType.INT16;
            case "i1" -> TorchDType.INT8;
            case "u1" -> TorchDType.UINT8;
            case "b1" -> TorchDType.BOOL;
            default -> null;
        };
    }

    @SuppressWarnings("unchecked")
    static List<Object> asList(Object x) {
        if (x instanceof Object[] t) return Arrays.asList(t);
        if (x instanceof List<?> l) return (List<Object>) l;
        if (x instanceof Set<?> s) return new ArrayList<>(s);
        throw new PickleException("expected a tuple or list, got a " + typeName(x));
    }

    static long toLong(Object x) {
        if (x instanceof BigInteger b) return b.longValueExact();
        if (x instanceof Integer || x instanceof Long || x instanceof Short || x instanceof Byte) return ((Number) x).longValue();
        throw new PickleException("expected an integer, got a " + typeName(x));
    }

    static long[] toLongs(Object x) {
        List<Object> l = asList(x);
        long[] out = new long[l.size()];
        for (int k = 0; k < out.length; k++) out[k] = toLong(l.get(k));
        return out;
    }

    static String typeName(Object x) {
        if (x == null) return "None";
        if (x instanceof PickledObject p) return p.className + " object";
        if (x instanceof PyGlobal g) return "global " + g.qualified();
        if (x instanceof Object[]) return "tuple";
        return x.getClass().getSimpleName();
    }
}
