package org.concdvae.io;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;
import java.util.TreeSet;

/**
 * The first difference between two JSON trees (a run's recorded settings or config, and this run's), as
 * "KEY was A, now B" for a --resume refusal: the user sees which setting differs and both values. Numbers compare by
 * value (a written and re-read tree has other number types).
 */
public final class JsonDifference {
    private JsonDifference() {}

    /** Where two trees first differ ({@code path} empty at the top level) and the two values as shown to users. */
    public record Difference(String path, String a, String b) {}

    /** The first difference of {@code was} and {@code now} as "KEY was A, now B", or null when they are equal. */
    public static String first(JsonNode was, JsonNode now) {
        Difference d = find(was, now);
        return d == null ? null : (d.path().isEmpty() ? "(top level)" : d.path()) + " was " + d.a() + ", now " + d.b();
    }

    /** The first difference of {@code a} and {@code b} in key order, or null when they are equal. */
    public static Difference find(JsonNode a, JsonNode b) {
        return find(a, b, "");
    }

    private static Difference find(JsonNode a, JsonNode b, String path) {
        if (a.isNumber() && b.isNumber()) return a.doubleValue() == b.doubleValue() ? null : new Difference(path, show(a), show(b));
        if (a.isObject() && b.isObject()) {
            Set<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                Difference d = find(a.path(k), b.path(k), path.isEmpty() ? k : path + "." + k);
                if (d != null) return d;
            }
            return null;
        }
        if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                Difference d = find(a.get(i), b.get(i), path + "[" + i + "]");
                if (d != null) return d;
            }
            return null;
        }
        return a.equals(b) ? null : new Difference(path, show(a), show(b));
    }

    private static String show(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return "(not set)";
        String s = n.isTextual() ? n.asText() : n.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
