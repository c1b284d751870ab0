package org.concdvae.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an unpickled object graph into plain Java values: {@code Map} (insertion-ordered) for dicts and for the
 * stand-ins of dict-like classes (omegaconf DictConfig, argparse Namespace, Lightning AttributeDict,
 * defaultdict), {@code List} for lists, tuples and ListConfig, {@code Long}/{@code BigInteger} for ints,
 * {@code Double} for floats, {@code String}, {@code Boolean}, {@code byte[]}, {@link TorchTensor}, and null.
 * Any other object becomes a map {@code {"__class__": "module.Name", ...its attributes}}; a class or function used
 * as a value becomes its qualified name. Shared references stay shared; nesting is bounded.
 */
final class PickleValues {
    static final String CLASS_KEY = "__class__";
    private static final int MAX_DEPTH = 500;

    private final IdentityHashMap<Object, Object> done = new IdentityHashMap<>();
    private final TorchUnpickler tensors;

    private PickleValues(TorchUnpickler tensors) { this.tensors = tensors; }

    /** Converts {@code x}; tensors are gathered from their storages through {@code tensors}. */
    static Object plain(Object x, TorchUnpickler tensors) {
        return new PickleValues(tensors).convert(x, 0);
    }

    private Object convert(Object x, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalStateException("values nested deeper than " + MAX_DEPTH + " levels");
        if (x == null || x instanceof String || x instanceof Boolean || x instanceof Long || x instanceof Double
                || x instanceof BigInteger || x instanceof TorchTensor) {
            return x;
        }
        if (x instanceof Integer || x instanceof Short || x instanceof Byte) return ((Number) x).longValue();
        if (x instanceof Float f) return f.doubleValue();
        if (x instanceof Number n) return n.doubleValue();
        if (x instanceof byte[] b) return b;
        if (x instanceof TorchDType d) return "torch." + d.torchName();
        if (x instanceof TorchUnpickler.PyGlobal g) return g.qualified();
        if (x instanceof TorchUnpickler.NumpyDType d) return d.toString();
        Object seen = done.get(x);
        if (seen != null) return seen;
        if (x instanceof TorchUnpickler.PendingTensor p) {
            TorchTensor t = tensors.materialize(p);
            done.put(x, t);
            return t;
        }
        if (x instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            done.put(x, out);
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(convert(e.getKey(), depth + 1), convert(e.getValue(), depth + 1));
            return out;
        }
        if (x instanceof Object[] || x instanceof List<?>) {
            List<Object> out = new ArrayList<>();
            done.put(x, out);
            for (Object v : TorchUnpickler.asList(x)) out.add(convert(v, depth + 1));
            return out;
        }
        if (x instanceof Set<?> s) {
            Set<Object> out = new LinkedHashSet<>();
            done.put(x, out);
            for (Object v : s) out.add(convert(v, depth + 1));
            return out;
        }
        if (x instanceof TorchUnpickler.NumpyArray a) {
            if (a.tensor != null) return a.tensor;
            Map<Object, Object> out = new LinkedHashMap<>();
            done.put(x, out);
            out.put(CLASS_KEY, "numpy.ndarray");
            out.put("__state__", convert(a.state, depth + 1));
            return out;
        }
        if (x instanceof TorchUnpickler.StorageRef s) {
            Map<Object, Object> out = new LinkedHashMap<>();
            out.put(CLASS_KEY, "torch." + s.type().name());
            out.put("key", s.key());
            out.put("location", s.location());
            out.put("numel", s.numel());
            done.put(x, out);
            return out;
        }
        if (x instanceof TorchUnpickler.StorageType s) return "torch." + s.name();
        if (x instanceof PickledObject p) return object(p, depth);
        return String.valueOf(x);
    }

    private Object object(PickledObject p, int depth) {
        String c = p.className;
        Map<Object, Object> attrs = p.stateDict();
        if (c.startsWith("omegaconf.")) {
            if (c.equals("omegaconf.dictconfig.DictConfig") || c.equals("omegaconf.listconfig.ListConfig")) {
                Object content = attrs.get("_content");
                Object v = unwrapNodes(content);
                return convert(v, depth + 1);
            }
            if (c.startsWith("omegaconf.nodes.")) return convert(attrs.get("_val"), depth + 1);
        }
        if (c.startsWith("pathlib.")) {
            StringBuilder sb = new StringBuilder();
            for (Object part : p.args) {
                String s = String.valueOf(part);
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '/' && !s.startsWith("/")) sb.append('/');
                sb.append(s);
            }
            return sb.toString();
        }
        if (c.equals("argparse.Namespace")) {
            Map<Object, Object> out = new LinkedHashMap<>();
            done.put(p, out);
            for (Map.Entry<Object, Object> e : attrs.entrySet()) out.put(convert(e.getKey(), depth + 1), convert(e.getValue(), depth + 1));
            return out;
        }
        boolean dictLike = !p.dictItems.isEmpty() || c.endsWith(".AttributeDict") || c.equals("collections.defaultdict");
        Map<Object, Object> out = new LinkedHashMap<>();
        done.put(p, out);
        if (dictLike && attrs.isEmpty() && p.listItems.isEmpty()) {
            for (Map.Entry<Object, Object> e : p.dictItems.entrySet()) out.put(convert(e.getKey(), depth + 1), convert(e.getValue(), depth + 1));
            return out;
        }
        out.put(CLASS_KEY, c);
        if (!p.args.isEmpty()) out.put("__args__", convert(p.args, depth + 1));
        if (p.state != null && attrs.isEmpty()) out.put("__state__", convert(p.state, depth + 1));
        for (Map.Entry<Object, Object> e : attrs.entrySet()) out.put(convert(e.getKey(), depth + 1), convert(e.getValue(), depth + 1));
        if (!p.dictItems.isEmpty()) out.put("__items__", convert(p.dictItems, depth + 1));
        if (!p.listItems.isEmpty()) out.put("__list__", convert(p.listItems, depth + 1));
        return out;
    }

    /** omegaconf keeps each value in a node object ({@code AnyNode(_val=...)}); the plain value is the node's value. */
    private static Object unwrapNodes(Object content) {
        if (content instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(e.getKey(), unwrapNode(e.getValue()));
            return out;
        }
        if (content instanceof List<?> || content instanceof Object[]) {
            List<Object> out = new ArrayList<>();
            for (Object v : TorchUnpickler.asList(content)) out.add(unwrapNode(v));
            return out;
        }
        return content;
    }

    private static Object unwrapNode(Object v) {
        if (v instanceof PickledObject p && p.className.startsWith("omegaconf.nodes.")) return p.stateDict().get("_val");
        return v;
    }
}
