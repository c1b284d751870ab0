package org.concdvae.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.concdvae.io.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a {@link Config}: the built-in mp20 defaults, deep-merged with a YAML file (mappings merge key by key; lists
 * and scalars replace), then {@code --set a.b.c=value} overrides (value parsed as YAML), then {@code ${a.b}}
 * interpolations resolved, then bound to the typed records. Unknown keys, wrong types and bad references are one-line
 * {@link InvalidInputException}s naming the key path and the file (or {@code --set}).
 */
public final class ConfigLoader {
    /** Names of the built-in presets (files in {@code configs/}, shipped in the jar). */
    public static final List<String> PRESETS = List.of("mp20", "mp20-small", "mp40", "oqmd", "mptest", "mptest4conz", "tiny",
            "mp_20", "perov_5", "carbon_24");
    private static final String PRESET_DIR = "/org/concdvae/config/presets/";
    private static final Pattern REF = Pattern.compile("\\$\\{([^}]*)}");
    private static final int MAX_DEPTH = 64;

    private static final YAMLMapper YAML = YAMLMapper.builder(
                    YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private ConfigLoader() {}

    /** The defaults (official mp20) with overrides. */
    public static Config defaults(List<String> overrides) {
        return load(null, overrides);
    }

    /**
     * Loads {@code source}: a YAML file, or the name of a built-in preset ({@link #PRESETS}); null means the defaults.
     */
    public static Config resolve(String source, List<String> overrides) {
        if (source == null) return defaults(overrides);
        Path p = Path.of(source);
        if (Files.exists(p)) return load(p, overrides);
        if (PRESETS.contains(source)) {
            ObjectNode preset = presetTree(source);
            RetiredKeys.reject(preset, source + " (built-in)");
            return fromTree(mergeOnDefaults(preset), source + " (built-in)", overrides);
        }
        throw new InvalidInputException("config file not found: " + source + " (built-in presets: " + String.join(", ", PRESETS) + ")");
    }

    /** Loads a YAML file (or the defaults when {@code file} is null) and applies {@code --set} overrides. */
    public static Config load(Path file, List<String> overrides) {
        if (file == null) return fromTree(defaultTree(), "defaults", overrides);
        return fromYaml(read(file), file.toString(), overrides);
    }

    /**
     * Loads a configuration this tool saved beside a model ({@code config.yaml}, {@code <label>-config.yaml}): as
     * {@link #load}, except that the keys of {@link RetiredKeys}, which earlier versions wrote and never read, are
     * removed instead of rejected.
     */
    public static Config loadSaved(Path file, List<String> overrides) {
        ObjectNode tree = parse(read(file), file.toString());
        RetiredKeys.strip(tree);
        return fromTree(mergeOnDefaults(tree), file.toString(), overrides);
    }

    private static String read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidInputException("config file not found: " + file);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InvalidInputException(file + ": not a UTF-8 text file");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage());
        }
        return text;
    }

    /** Loads YAML text; {@code origin} names it in error messages. */
    public static Config fromYaml(String yaml, String origin, List<String> overrides) {
        ObjectNode tree = parse(yaml, origin);
        RetiredKeys.reject(tree, origin);
        return fromTree(mergeOnDefaults(tree), origin, overrides);
    }

    /** The fully resolved configuration as YAML (for the record of a run). */
    public static String toYaml(Config c) {
        try {
            return YAML.writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The resolved configuration as a tree (for hashing subsets). */
    public static JsonNode toTree(Object value) {
        return YAML.valueToTree(value);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static ObjectNode parse(String yaml, String origin) {
        JsonNode n;
        try {
            n = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new InvalidInputException(origin + ": not valid YAML" + where + ": " + firstLine(e.getOriginalMessage()));
        }
        if (n == null || n.isMissingNode() || n.isNull()) return JsonNodeFactory.instance.objectNode();
        if (!n.isObject()) throw new InvalidInputException(origin + ": a config file must be a YAML mapping (key: value)");
        return (ObjectNode) n;
    }

    private static ObjectNode presetTree(String name) {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(PRESET_DIR + name + ".yaml")) {
            if (in == null) throw new IllegalStateException("built-in preset missing from the jar: " + name);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name + " (built-in)");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode defaultTree() { return presetTree("mp20"); }

    private static ObjectNode mergeOnDefaults(ObjectNode user) {
        ObjectNode base = defaultTree();
        merge(base, user);
        return base;
    }

    /** Deep merge of {@code over} into {@code base}: mappings key by key, anything else replaces. */
    private static void merge(ObjectNode base, ObjectNode over) {
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode old = base.get(f.getKey());
            if (old instanceof ObjectNode o && f.getValue() instanceof ObjectNode n) {
                merge(o, n);
            } else {
                base.set(f.getKey(), f.getValue().deepCopy());
            }
        }
    }

    private static Config fromTree(ObjectNode tree, String origin, List<String> overrides) {
        List<String> setPaths = new ArrayList<>();
        for (String o : overrides == null ? List.<String>of() : overrides) setPaths.add(applyOverride(tree, o));
        try {
            resolveAll(tree, tree, new ArrayDeque<>(), "");
        } catch (InvalidInputException e) {
            throw new InvalidInputException(e.getMessage() + " in " + origin);
        }
        Config c;
        try {
            c = YAML.treeToValue(tree, Config.class);
        } catch (JsonProcessingException e) {
            throw bindError(e, origin, setPaths);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(origin + ": " + firstLine(e.getMessage()));
        }
        ConfigValidator.validate(c, origin);
        return c;
    }

    /** Applies {@code a.b.c=value}; returns the key path. */
    private static String applyOverride(ObjectNode tree, String o) {
        int eq = o.indexOf('=');
        if (eq <= 0) throw new InvalidInputException("--set " + o + ": expected key.path=value");
        String path = o.substring(0, eq).trim();
        String raw = o.substring(eq + 1);
        JsonNode value;
        try {
            value = raw.isBlank() ? NullNode.instance : YAML.readTree(raw);
            if (value == null || value.isMissingNode()) value = NullNode.instance;
        } catch (JsonProcessingException e) {
            value = TextNode.valueOf(raw);
        }
        String retired = RetiredKeys.covering(path);
        if (retired != null) throw RetiredKeys.error(retired, "--set");
        String[] keys = path.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < keys.length - 1; i++) {
            JsonNode next = node.get(keys[i]);
            if (next == null) {
                throw new InvalidInputException("--set " + path + ": unknown key " + String.join(".", java.util.Arrays.copyOf(keys, i + 1)));
            }
            if (!(next instanceof ObjectNode on)) {
                String parent = String.join(".", java.util.Arrays.copyOf(keys, i + 1));
                if (next.isTextual() && next.asText().contains("${")) {
                    throw new InvalidInputException("--set " + path + ": " + parent + " is the interpolation " + next.asText()
                            + "; set the whole mapping (--set " + parent + "={...})");
                }
                throw new InvalidInputException("--set " + path + ": " + parent + " is not a mapping");
            }
            node = on;
        }
        if (!node.has(keys[keys.length - 1])) throw new InvalidInputException("--set " + path + ": unknown key");
        node.set(keys[keys.length - 1], value);
        return path;
    }

    /** Replaces every ${a.b} in the tree by the referenced value (whole-value references copy subtrees). */
    private static JsonNode resolveAll(ObjectNode root, JsonNode node, Deque<String> stack, String path) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                f.setValue(resolveAll(root, f.getValue(), stack, path.isEmpty() ? f.getKey() : path + "." + f.getKey()));
            }
            return o;
        }
        if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) a.set(i, resolveAll(root, a.get(i), stack, path + "[" + i + "]"));
            return a;
        }
        if (!node.isTextual() || !node.asText().contains("${")) return node;
        String s = node.asText();
        if (stack.contains(path) || stack.size() > MAX_DEPTH) {
            throw new InvalidInputException(path + ": circular interpolation " + s);
        }
        stack.push(path);
        try {
            Matcher whole = REF.matcher(s);
            if (whole.matches()) return lookup(root, whole.group(1).trim(), stack, path).deepCopy();
            Matcher m = REF.matcher(s);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                JsonNode v = lookup(root, m.group(1).trim(), stack, path);
                if (v.isContainerNode()) throw new InvalidInputException(path + ": ${" + m.group(1) + "} is a mapping or list and cannot be part of a string");
                m.appendReplacement(sb, Matcher.quoteReplacement(v.isNull() ? "null" : v.asText()));
            }
            m.appendTail(sb);
            return TextNode.valueOf(sb.toString());
        } finally {
            stack.pop();
        }
    }

    private static JsonNode lookup(JsonNode root, String ref, Deque<String> stack, String path) {
        JsonNode n = root;
        for (String k : ref.split("\\.")) {
            n = n == null ? null : n.get(k);
        }
        if (n == null || ref.isEmpty()) throw new InvalidInputException(path + ": interpolation ${" + ref + "} refers to a missing key");
        // resolve the target in place first (it may itself contain references)
        JsonNode resolved = resolveAll((ObjectNode) root, n, stack, ref);
        if (resolved != n) setAt((ObjectNode) root, ref, resolved);
        return resolved;
    }

    private static void setAt(ObjectNode root, String ref, JsonNode v) {
        String[] keys = ref.split("\\.");
        ObjectNode o = root;
        for (int i = 0; i < keys.length - 1; i++) o = (ObjectNode) o.get(keys[i]);
        o.set(keys[keys.length - 1], v);
    }

    private static InvalidInputException bindError(JsonProcessingException e, String origin, List<String> setPaths) {
        String path = e instanceof JsonMappingException jm ? keyPath(jm) : "";
        String where = setPaths.stream().anyMatch(p -> path.equals(p) || path.startsWith(p + ".") || path.startsWith(p + "["))
                ? "--set" : origin;
        if (e instanceof UnrecognizedPropertyException u) {
            String hint = suggestion(u.getPropertyName(), u.getKnownPropertyIds());
            return new InvalidInputException(path + ": unknown key in " + where + hint);
        }
        if (e instanceof InvalidFormatException f) {
            return new InvalidInputException(path + ": expected " + typeName(f.getTargetType()) + ", got '" + f.getValue() + "' in " + where);
        }
        if (e instanceof MismatchedInputException m) {
            return new InvalidInputException(path + ": expected " + typeName(m.getTargetType()) + " in " + where);
        }
        return new InvalidInputException(path + ": " + firstLine(e.getOriginalMessage()) + " in " + where);
    }

    private static String keyPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) sb.append('.');
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "(top level)" : sb.toString();
    }

    private static String typeName(Class<?> t) {
        if (t == null) return "a different type";
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) return "an integer";
        if (t == double.class || t == Double.class || t == float.class) return "a number";
        if (t == boolean.class || t == Boolean.class) return "true or false";
        if (t == String.class) return "a string";
        if (List.class.isAssignableFrom(t)) return "a list";
        return "a mapping";
    }

    private static String suggestion(String key, java.util.Collection<Object> known) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        if (known != null) {
            for (Object k : known) {
                int d = editDistance(key, k.toString());
                if (d < bestD) { bestD = d; best = k.toString(); }
            }
        }
        return best != null && bestD <= Math.max(2, key.length() / 3) ? " (did you mean '" + best + "'?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int i = s.indexOf('\n');
        return (i < 0 ? s : s.substring(0, i)).trim();
    }
}
