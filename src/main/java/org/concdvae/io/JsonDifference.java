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

    /** The first difference of {@code was} and {@code now}, or null when they are equal. */
    public static String first(JsonNode was, JsonNode now) {
        return first(was, now, "");
    }

    private static String first(JsonNode a, JsonNode b, String path) {
        if (a.isNumber() && b.isNumber()) return a.doubleValue() == b.doubleValue() ? null : describe(path, a, b);
        if (a.isObject() && b.isObject()) {
            Set<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                String d = first(a.path(k), b.path(k), path.isEmpty() ? k : path + "." + k);
                if (d != null) return d;
            }
            return null;
        }
        if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                String d = first(a.get(i), b.get(i), path + "[" + i + "]");
                if (d != null) return d;
            }
            return null;
        }
        return a.equals(b) ? null : describe(path, a, b);
    }

    private static String describe(String path, JsonNode a, JsonNode b) {
        return (path.isEmpty() ? "(top level)" : path) + " was " + show(a) + ", now " + show(b);
    }

    private static String show(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return "(not set)";
        String s = n.isTextual() ? n.asText() : n.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
