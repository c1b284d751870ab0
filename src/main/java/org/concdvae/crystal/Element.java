package org.concdvae.crystal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chemical element, Z = 1..118, with the public facts of {@code elements.json} beside this class.
 * Missing facts (e.g. no Pauling electronegativity for noble gases, nothing but mass, period, group and block for the
 * superheavy elements beyond Lr) are NaN / empty.
 */
public record Element(int z, String symbol, String name, double atomicMass, double covalentRadius,
                      double electronegativity, List<Integer> oxidationStates, int period, int group, String block) {

    public static final int MAX_Z = 118;

    private static final Element[] BY_Z = new Element[MAX_Z + 1];
    private static final Map<String, Element> BY_SYMBOL = new HashMap<>();
    /** Species labels such as {@code Fe2+}, {@code O2-}, {@code Fe3+}, {@code Fe+3}, {@code Na+}. */
    private static final Pattern SPECIES = Pattern.compile("^([A-Z][a-z]?)(?:(\\d*)([+-])|([+-])(\\d*))?$");

    static {
        try (InputStream in = Element.class.getResourceAsStream("elements.json")) {
            if (in == null) throw new IllegalStateException("elements.json resource missing");
            JsonNode root = new ObjectMapper().readTree(in);
            for (JsonNode n : root) {
                List<Integer> ox = new ArrayList<>();
                JsonNode oxn = n.path("oxidation_states");
                for (JsonNode o : oxn) ox.add(o.asInt());
                Element e = new Element(n.get("z").asInt(), n.get("symbol").asText(), n.path("name").asText(""),
                        num(n, "atomic_mass"), num(n, "covalent_radius"), num(n, "electronegativity"),
                        Collections.unmodifiableList(ox), n.path("period").asInt(0), n.path("group").asInt(0),
                        n.path("block").asText(""));
                BY_Z[e.z] = e;
                BY_SYMBOL.put(e.symbol, e);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        for (int z = 1; z <= MAX_Z; z++) {
            if (BY_Z[z] == null) throw new IllegalStateException("elements.json lacks Z=" + z);
        }
    }

    private static double num(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }

    /** Element with atomic number z (1..118). */
    public static Element of(int z) {
        if (z < 1 || z > MAX_Z) throw new InvalidStructureException("atomic number out of range 1.." + MAX_Z + ": " + z);
        return BY_Z[z];
    }

    /**
     * Element from a symbol or species label ({@code Fe}, {@code Fe2+}, {@code O2-}, {@code Fe+3}); the
     * oxidation state, if any, is ignored here. Unknown symbols are an {@link InvalidStructureException}.
     */
    public static Element fromSymbol(String label) {
        String s = label.trim();
        Element e = BY_SYMBOL.get(s);
        if (e != null) return e;
        Matcher m = SPECIES.matcher(s);
        if (m.matches()) {
            e = BY_SYMBOL.get(m.group(1));
            if (e != null) return e;
        }
        // tolerate all-caps or lower-case symbols ("FE", "fe") as CIF writers sometimes produce
        if (s.length() >= 1 && s.length() <= 2 && s.chars().allMatch(Character::isLetter)) {
            String norm = s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            e = BY_SYMBOL.get(norm);
            if (e != null) return e;
        }
        throw new InvalidStructureException("unknown element '" + label + "'");
    }

    /** True if {@code symbol} names an element (exactly, no oxidation state). */
    public static boolean isSymbol(String symbol) {
        return BY_SYMBOL.containsKey(symbol);
    }

    /** Metals as SMACT/pymatgen count them (everything but the non-metals, metalloids and noble gases). */
    public boolean isMetal() {
        return switch (symbol) {
            case "H", "He", "B", "C", "N", "O", "F", "Ne", "Si", "P", "S", "Cl", "Ar", "Ge", "As", "Se", "Br", "Kr",
                    "Sb", "Te", "I", "Xe", "Po", "At", "Rn" -> false;
            default -> true;
        };
    }

    @Override
    public String toString() { return symbol; }
}
