package org.concdvae.nn;

import org.concdvae.autodiff.Tensor;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.Safetensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All tensors of a model, keyed by the official PyTorch {@code state_dict} names (model.md §15), e.g.
 * {@code encoder.emb.lin.weight}: trainable parameters, frozen parameters (in the state_dict but never trained, e.g.
 * {@code sigmas}, GemNet {@code scale_factor}) and buffers (BatchNorm running statistics, {@code num_batches_tracked}
 * as INT64, Gaussian {@code offset}). Blocks register their tensors through a {@link #scope(String) scope}, which
 * prefixes names the way PyTorch module nesting does.
 *
 * <p>Loading is strict: missing, unexpected and mis-shaped names are collected and reported in one
 * {@link InvalidInputException}. Aliases reproduce PyTorch modules registered under two names (GemNet's
 * {@code seq_energy} = {@code layers}): both keys are written, both must be present on load, the alias reads the
 * same tensor.
 */
public final class ParameterStore {
    /** What an entry is. */
    public enum Kind { PARAMETER, FROZEN, BUFFER }

    /** One named tensor. For parameters {@link #tensor} wraps {@link #array}; buffers have only the array. */
    public static final class Entry {
        private final String name;
        private final Kind kind;
        private final INDArray array;
        private final Tensor tensor;

        Entry(String name, Kind kind, INDArray array) {
            this.name = name;
            this.kind = kind;
            this.array = array;
            this.tensor = kind == Kind.PARAMETER ? Tensor.parameter(array) : Tensor.constant(array);
        }

        public String name() { return name; }

        public Kind kind() { return kind; }

        public INDArray array() { return array; }

        public Tensor tensor() { return tensor; }

        public boolean trainable() { return kind == Kind.PARAMETER; }
    }

    private final Map<String, Entry> entries;
    private final Map<String, String> aliases;
    private final String prefix;
    private final DataType floatType;

    /** An empty store whose floating-point tensors use ND4J's default floating type (FLOAT in production). */
    public ParameterStore() { this(Nd4j.defaultFloatingPointType()); }

    public ParameterStore(DataType floatType) {
        this(new LinkedHashMap<>(), new LinkedHashMap<>(), "", floatType);
    }

    private ParameterStore(Map<String, Entry> entries, Map<String, String> aliases, String prefix, DataType floatType) {
        this.entries = entries;
        this.aliases = aliases;
        this.prefix = prefix;
        this.floatType = floatType;
    }

    /** A view that registers names under {@code prefix + name + "."} and shares the entries. */
    public ParameterStore scope(String name) {
        return new ParameterStore(entries, aliases, prefix + name + ".", floatType);
    }

    /** The full name of a local name in this scope. */
    public String fullName(String local) { return prefix + local; }

    public DataType floatType() { return floatType; }

    private Entry register(String local, Kind kind, DataType type, long[] shape) {
        String full = prefix + local;
        Entry e = entries.get(full);
        if (e != null) {
            if (e.kind != kind || !Arrays.equals(e.array.shape(), shape)) {
                throw new IllegalStateException("'" + full + "' registered twice with different kind/shape: " + e.kind + Arrays.toString(e.array.shape()) + " vs " + kind + Arrays.toString(shape));
            }
            return e;
        }
        if (aliases.containsKey(full)) throw new IllegalStateException("'" + full + "' is already an alias");
        e = new Entry(full, kind, Nd4j.zeros(type, shape));
        entries.put(full, e);
        return e;
    }

    /** A trainable parameter (zeros until initialised or loaded). Registering the same name twice returns it again. */
    public Tensor parameter(String local, long... shape) { return register(local, Kind.PARAMETER, floatType, shape).tensor; }

    /** A parameter stored in the state_dict but never trained ({@code requires_grad=False}). */
    public Tensor frozen(String local, long... shape) { return register(local, Kind.FROZEN, floatType, shape).tensor; }

    /** A floating-point buffer (e.g. BatchNorm running mean). */
    public INDArray buffer(String local, long... shape) { return register(local, Kind.BUFFER, floatType, shape).array; }

    /** A buffer of a given type (e.g. INT64 {@code num_batches_tracked} with shape {@code []}). */
    public INDArray buffer(String local, DataType type, long... shape) { return register(local, Kind.BUFFER, type, shape).array; }

    /** Declares {@code aliasLocal} as a second state_dict name of the already registered {@code targetLocal}. */
    public void alias(String aliasLocal, String targetLocal) {
        String a = prefix + aliasLocal, t = prefix + targetLocal;
        if (!entries.containsKey(t)) throw new IllegalStateException("alias target '" + t + "' not registered");
        if (entries.containsKey(a)) throw new IllegalStateException("alias '" + a + "' is already a tensor");
        aliases.put(a, t);
    }

    /** Declares every entry under {@code targetScope.} as also named under {@code aliasScope.} (module aliasing). */
    public void aliasScope(String aliasScope, String targetScope) {
        String t = prefix + targetScope + ".";
        for (String name : new ArrayList<>(entries.keySet())) {
            if (name.startsWith(t)) aliases.put(prefix + aliasScope + "." + name.substring(t.length()), name);
        }
    }

    /** The entry of a full name (aliases resolved), or null. */
    public Entry entry(String fullName) {
        Entry e = entries.get(fullName);
        if (e == null && aliases.containsKey(fullName)) e = entries.get(aliases.get(fullName));
        return e;
    }

    /** The tensor of a full name; fails clearly if absent. */
    public Tensor tensor(String fullName) {
        Entry e = entry(fullName);
        if (e == null) throw new IllegalArgumentException("no tensor named '" + fullName + "'");
        return e.tensor;
    }

    /** All entries in registration order (aliases excluded). */
    public List<Entry> entries() { return Collections.unmodifiableList(new ArrayList<>(entries.values())); }

    /** Entries whose full name starts with this scope's prefix. */
    public List<Entry> entriesInScope() {
        List<Entry> r = new ArrayList<>();
        for (Entry e : entries.values()) if (e.name.startsWith(prefix)) r.add(e);
        return r;
    }

    /** Trainable parameters in registration order (the optimiser's list). */
    public List<Tensor> trainable() {
        List<Tensor> r = new ArrayList<>();
        for (Entry e : entries.values()) if (e.kind == Kind.PARAMETER) r.add(e.tensor);
        return r;
    }

    /** Number of trainable scalars. */
    public long trainableCount() {
        long n = 0;
        for (Entry e : entries.values()) if (e.kind == Kind.PARAMETER) n += e.array.length();
        return n;
    }

    public void zeroGrad() {
        for (Entry e : entries.values()) if (e.kind == Kind.PARAMETER) e.tensor.zeroGrad();
    }

    /** Every state_dict key (aliases included) → array, the form written to safetensors. */
    public Map<String, INDArray> stateDict() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (Entry e : entries.values()) m.put(e.name, e.array);
        for (Map.Entry<String, String> a : aliases.entrySet()) m.put(a.getKey(), entries.get(a.getValue()).array);
        return m;
    }

    /**
     * Copies {@code tensors} into the store by name (values are converted to each entry's type). Strict: every
     * entry must be present with the right shape, and no unknown name may appear; otherwise nothing is changed and
     * one exception lists every problem. {@code source} names the file for the message.
     */
    public void load(Map<String, INDArray> tensors, String source) { load(tensors, source, false); }

    /**
     * As {@link #load(Map, String)}; with {@code ignoreUnexpected} names in {@code tensors} that the store does not
     * know are skipped (loading a sub-model from a full checkpoint). Missing and mis-shaped names still fail.
     */
    public void load(Map<String, INDArray> tensors, String source, boolean ignoreUnexpected) {
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        Map<String, String> all = new LinkedHashMap<>();
        for (String n : entries.keySet()) all.put(n, n);
        all.putAll(aliases);
        for (Map.Entry<String, String> k : all.entrySet()) {
            INDArray v = tensors.get(k.getKey());
            INDArray target = entries.get(k.getValue()).array;
            if (v == null) missing.add(k.getKey());
            else if (!sameShape(v.shape(), target.shape())) {
                mismatched.add(k.getKey() + " (file " + Arrays.toString(v.shape()) + ", model " + Arrays.toString(target.shape()) + ")");
            }
        }
        if (!ignoreUnexpected) for (String n : tensors.keySet()) if (!all.containsKey(n)) unexpected.add(n);
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            StringBuilder sb = new StringBuilder(source).append(": weights do not match the model:");
            if (!missing.isEmpty()) sb.append(" missing ").append(missing.size()).append(" ").append(abbrev(missing)).append(';');
            if (!unexpected.isEmpty()) sb.append(" unexpected ").append(unexpected.size()).append(" ").append(abbrev(unexpected)).append(';');
            if (!mismatched.isEmpty()) sb.append(" wrong shape ").append(mismatched.size()).append(" ").append(abbrev(mismatched)).append(';');
            throw new InvalidInputException(sb.substring(0, sb.length() - 1));
        }
        for (Entry e : entries.values()) {
            INDArray v = tensors.get(e.name);
            INDArray c = v.dataType() == e.array.dataType() ? v : v.castTo(e.array.dataType());
            e.array.assign(c.reshape(e.array.shape()));
        }
    }

    private static boolean sameShape(long[] a, long[] b) {
        if (Arrays.equals(a, b)) return true;
        // a scalar may be stored as [] or [1]
        long la = 1, lb = 1;
        for (long x : a) la *= x;
        for (long x : b) lb *= x;
        return la == 1 && lb == 1 && a.length <= 1 && b.length <= 1;
    }

    private static String abbrev(List<String> names) {
        if (names.size() <= 12) return names.toString();
        return names.subList(0, 12) + "… (+" + (names.size() - 12) + " more)";
    }

    /** Loads a safetensors file by name (strict, see {@link #load(Map, String)}). */
    public void loadSafetensors(Path file) { loadSafetensors(file, false); }

    /** Loads a safetensors file by name; {@code ignoreUnexpected} skips names the store does not have. */
    public void loadSafetensors(Path file, boolean ignoreUnexpected) {
        Safetensors st = Safetensors.read(file);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String name : st.names()) {
            Entry target = entry(name);
            if (target == null && ignoreUnexpected) continue;
            if (target != null && target.array.dataType().isFPType()) m.put(name, st.toNd(name, target.array.dataType()));
            else m.put(name, st.toNd(name));
        }
        load(m, file.toString(), ignoreUnexpected);
    }

    /** Writes every state_dict key to a safetensors file (atomically). */
    public void saveSafetensors(Path file, Map<String, String> metadata) throws IOException {
        Safetensors.write(file, stateDict(), metadata);
    }
}
