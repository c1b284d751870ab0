package org.concdvae.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.concdvae.io.InvalidInputException;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates the official hydra configuration of a trained model into ours (design/config.md): either a run's
 * {@code hparams.yaml} (the whole hydra config: {@code data}, {@code model}, {@code optim}, {@code train},
 * {@code logging}, ...) or a Lightning checkpoint's {@code hyper_parameters} (the model's constructor arguments at the
 * top level beside {@code optim}, {@code data}, {@code logging}). {@code ${a.b}} interpolations are resolved, the
 * {@code oc.env:PROJECT_ROOT} prefix of paths is dropped (paths become relative to the project root), {@code _target_}
 * class names become our {@code type}/{@code name} keys, the Lightning trainer settings are lifted out of
 * {@code train.pl_trainer}, and every key our schema does not have (config.md §3) is dropped and reported.
 */
public final class HydraTranslation {
    private static final Pattern REF = Pattern.compile("\\$\\{([^}]*)}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final PropertyNamingStrategies.NamingBase SNAKE = (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;
    private static final int MAX_DEPTH = 32;

    private final List<String> dropped = new ArrayList<>();
    private final String origin;

    private HydraTranslation(String origin) { this.origin = origin; }

    /** A translated configuration tree (to be merged onto our defaults) and the official keys that were dropped. */
    public record Result(ObjectNode tree, List<String> dropped) {
        /** The configuration, loaded on our mp20 defaults and validated. */
        public Config config(String origin) {
            try {
                return ConfigLoader.fromYaml(JSON.writeValueAsString(tree), origin, List.of());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Reads an {@code hparams.yaml} (or a JSON file of the same content) as a tree. */
    public static ObjectNode read(Path file) {
        JsonNode n;
        try {
            n = YAML.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file + ": not valid YAML/JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (!(n instanceof ObjectNode o)) throw new InvalidInputException(file + ": hyper-parameters must be a mapping (key: value)");
        return o;
    }

    /** A checkpoint's {@code hyper_parameters} (plain nested maps) as a tree. */
    public static ObjectNode fromMap(Map<String, Object> hyperParameters, String origin) {
        try {
            return JSON.valueToTree(hyperParameters);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(origin + ": hyper_parameters hold values that are not plain config values");
        }
    }

    /** The step-one model: {@code data}, {@code model}, {@code optim}, {@code train} of our schema. */
    public static Result stepOne(ObjectNode hparams, String origin) {
        HydraTranslation t = new HydraTranslation(origin);
        ObjectNode h = t.hydraForm(hparams);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (h.get("data") instanceof ObjectNode d) out.set("data", t.data(d));
        ObjectNode model = (ObjectNode) h.get("model");
        out.set("model", t.model(model));
        if (h.get("optim") instanceof ObjectNode o) out.set("optim", t.optim(o));
        if (h.get("train") instanceof ObjectNode tr) out.set("train", t.train(tr, h.get("logging")));
        t.filter(out, Config.class, "");
        return new Result(out, List.copyOf(t.dropped));
    }

    /** A prior checkpoint's hyper-parameters as our {@code prior} section (with {@code label}). */
    public static Result prior(ObjectNode hparams, String label, String origin) {
        HydraTranslation t = new HydraTranslation(origin);
        ObjectNode h = hparams.deepCopy();
        t.resolveAll(h, h, 0);
        if (h.get("model") instanceof ObjectNode m && !h.has("ddpm_n_noise")) h = m; // a hydra run config of the prior
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("label", label);
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            switch (f.getKey()) {
                case "data" -> { if (f.getValue() instanceof ObjectNode d) p.set("data", t.data(d)); }
                case "optim" -> { if (f.getValue() instanceof ObjectNode o) p.set("optim", t.optim(o)); }
                case "conditionmodel" -> p.set("conditionmodel", t.targets(f.getValue()));
                default -> p.set(f.getKey(), f.getValue());
            }
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.set("prior", p);
        t.filter(out, Config.class, "");
        return new Result(out, List.copyOf(t.dropped));
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Brings both layouts to the hydra one ({@code model:} holds the model keys) and resolves interpolations. */
    private ObjectNode hydraForm(ObjectNode hparams) {
        ObjectNode h = hparams.deepCopy();
        if (!(h.get("model") instanceof ObjectNode)) {
            ObjectNode model = JsonNodeFactory.instance.objectNode();
            ObjectNode top = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (List.of("data", "optim", "logging", "train").contains(f.getKey())) top.set(f.getKey(), f.getValue());
                else model.set(f.getKey(), f.getValue());
            }
            if (model.isEmpty()) throw new InvalidInputException(origin + ": no model hyper-parameters found");
            top.set("model", model);
            h = top;
        }
        resolveAll(h, h, 0);
        return h;
    }

    private ObjectNode data(ObjectNode d) {
        ObjectNode out = d.deepCopy();
        out.remove("datamodule");
        if (d.get("datamodule") instanceof ObjectNode dm) {
            if (dm.get("datasets") instanceof ObjectNode ds) {
                ObjectNode splits = out.putObject("splits"), cache = out.putObject("cache");
                for (String s : List.of("train", "val", "test")) {
                    JsonNode e = ds.get(s);
                    if (e instanceof ArrayNode a && !a.isEmpty()) e = a.get(0);
                    if (e == null) continue;
                    if (e.get("path") != null) splits.put(s, fileName(e.get("path").asText()));
                    if (e.get("save_path") != null) cache.put(s, fileName(e.get("save_path").asText()));
                }
            }
            for (String k : List.of("batch_size", "num_workers")) if (dm.get(k) != null) out.set(k, dm.get(k)); // num_workers: dropped below (RetiredKeys), reported
        }
        return out;
    }

    private ObjectNode model(ObjectNode m) {
        ObjectNode out = m.deepCopy();
        out.remove("_target_");
        if (out.get("decoder") instanceof ObjectNode dec && dec.get("scale_file") != null) {
            dec.put("scale_file", fileName(dec.get("scale_file").asText()));
        }
        for (String k : List.of("conditionmodel", "conditionpre")) if (out.get(k) != null) out.set(k, targets(out.get(k)));
        // HEAD code reads both unconditionally; configs that predate them behave as false (config.md §4)
        if (!out.has("smooth")) out.put("smooth", false);
        if (!out.has("nograd")) out.put("nograd", false);
        return out;
    }

    private ObjectNode optim(ObjectNode o) {
        ObjectNode out = o.deepCopy();
        if (out.get("optimizer") instanceof ObjectNode opt && opt.get("_target_") != null) {
            opt.put("name", simpleName(opt.get("_target_").asText()).toLowerCase(java.util.Locale.ROOT));
        }
        if (out.get("lr_scheduler") instanceof ObjectNode s && s.get("_target_") != null) {
            String n = simpleName(s.get("_target_").asText());
            s.put("name", n.equals("ReduceLROnPlateau") ? "reduce_on_plateau" : n.toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    private ObjectNode train(ObjectNode t, JsonNode logging) {
        ObjectNode out = t.deepCopy();
        if (out.remove("pl_trainer") instanceof ObjectNode pl) {
            for (Iterator<Map.Entry<String, JsonNode>> it = pl.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                out.set(f.getKey(), f.getValue());
            }
        }
        if (logging != null && logging.get("val_check_interval") != null) out.set("val_check_interval", logging.get("val_check_interval"));
        return out;
    }

    /** {@code _target_: ...ScalarConditionEmbedding} → {@code type: scalar} in the entries of a condition list. */
    private JsonNode targets(JsonNode n) {
        JsonNode out = n.deepCopy();
        walkTargets(out);
        return out;
    }

    private static void walkTargets(JsonNode n) {
        if (n instanceof ObjectNode o) {
            JsonNode t = o.get("_target_");
            if (t != null && !o.has("type")) {
                String s = simpleName(t.asText());
                for (String kind : List.of("Scalar", "Class", "Vector")) {
                    if (s.startsWith(kind) && (s.contains("Embedding") || s.contains("Predict"))) o.put("type", kind.toLowerCase(java.util.Locale.ROOT));
                }
            }
            o.fields().forEachRemaining(f -> walkTargets(f.getValue()));
        } else if (n instanceof ArrayNode a) {
            a.forEach(HydraTranslation::walkTargets);
        }
    }

    /** Drops (and records) every key the typed schema does not have. */
    private void filter(JsonNode n, Type type, String path) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : type instanceof Class<?> c ? c : null;
        if (raw == null) return;
        if (List.class.isAssignableFrom(raw) && n instanceof ArrayNode a && type instanceof ParameterizedType p) {
            for (int i = 0; i < a.size(); i++) filter(a.get(i), p.getActualTypeArguments()[0], path + "[" + i + "]");
            return;
        }
        if (!raw.isRecord() || !(n instanceof ObjectNode o)) return;
        Map<String, RecordComponent> comps = new java.util.HashMap<>();
        for (RecordComponent rc : raw.getRecordComponents()) {
            JsonProperty jp = rc.getAccessor().getAnnotation(JsonProperty.class);
            if (jp == null) jp = rc.getAnnotation(JsonProperty.class);
            comps.put(jp != null && !jp.value().isEmpty() ? jp.value() : SNAKE.translate(rc.getName()), rc);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            RecordComponent rc = comps.get(f.getKey());
            String p = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
            if (rc == null) {
                if (!f.getKey().equals("_target_")) dropped.add(p); // _target_ is translated, not lost
                it.remove();
            } else if (raw == Config.Splits.class) {
                // generic per-split values: nothing below to filter
            } else {
                filter(f.getValue(), rc.getGenericType(), p);
            }
        }
    }

    // ---- interpolation ----

    private void resolveAll(JsonNode root, JsonNode n, int depth) {
        if (n instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getValue().isTextual()) f.setValue(resolve(root, f.getValue().asText(), 0));
                else resolveAll(root, f.getValue(), depth);
            }
        } else if (n instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isTextual()) a.set(i, resolve(root, a.get(i).asText(), 0));
                else resolveAll(root, a.get(i), depth);
            }
        }
    }

    private JsonNode resolve(JsonNode root, String s, int depth) {
        if (!s.contains("${")) return TextNode.valueOf(s);
        if (depth > MAX_DEPTH) throw new InvalidInputException(origin + ": interpolation cycle at '" + s + "'");
        Matcher m = REF.matcher(s);
        if (m.matches()) {
            String key = m.group(1).trim();
            if (isEnvOrResolver(key)) return TextNode.valueOf("");
            JsonNode v = lookup(root, key);
            if (v == null) return TextNode.valueOf(s); // unknown reference: left for the key to be dropped or reported
            if (v.isTextual()) return resolve(root, v.asText(), depth + 1);
            JsonNode c = v.deepCopy();
            resolveAll(root, c, depth + 1);
            return c;
        }
        StringBuilder sb = new StringBuilder();
        int last = 0;
        while (m.find()) {
            sb.append(s, last, m.start());
            String key = m.group(1).trim();
            last = m.end();
            if (isEnvOrResolver(key)) {
                // ${oc.env:PROJECT_ROOT}/data/mp_20 → data/mp_20 (relative to the project root)
                if (last < s.length() && s.charAt(last) == '/' && sb.isEmpty()) last++;
                continue;
            }
            JsonNode v = lookup(root, key);
            JsonNode r = v == null ? null : v.isTextual() ? resolve(root, v.asText(), depth + 1) : v;
            sb.append(r == null ? m.group() : r.asText());
        }
        sb.append(s.substring(last));
        return TextNode.valueOf(sb.toString());
    }

    private static boolean isEnvOrResolver(String key) {
        return key.contains(":") || key.equals("PROJECT_ROOT") || key.equals("HYDRA_JOBS") || key.equals("WABDB_DIR");
    }

    private static JsonNode lookup(JsonNode root, String key) {
        JsonNode n = root;
        for (String k : key.split("\\.")) {
            if (n == null) return null;
            n = n.get(k);
        }
        return n;
    }

    private static String simpleName(String target) {
        int dot = target.lastIndexOf('.');
        return dot < 0 ? target : target.substring(dot + 1);
    }

    private static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
