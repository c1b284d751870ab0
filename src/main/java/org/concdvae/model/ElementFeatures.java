package org.concdvae.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.crystal.Composition;
import org.concdvae.crystal.Element;
import org.concdvae.io.InvalidInputException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-element feature vectors for the chemical-formula condition (prior.md §3.2, paper Eq. 13):
 * {@code v = Σ_elements fraction · e(Z)}. A table is either a JSON file in CGCNN's {@code atom_init.json} layout
 * ({@code {"1": [...], ..., "100": [...]}}, config key {@code prior.formula_features}) or the built-in table.
 *
 * <p>The built-in table is derived from the project's own element data ({@code crystal/elements.json}) in CGCNN's
 * 92-column one-hot layout: group (19, bucket 0 = f block), period (7), Pauling electronegativity (10 bins over
 * 0.5–4.0), covalent radius (10 bins over 0.25–2.5 Å), valence electrons (12, from group and block), first
 * ionisation energy (10), electron affinity (10), block (4: s p d f), atomic volume (10). The project has no
 * ionisation energies, electron affinities or volumes, so those 30 columns are zero; an element without an
 * electronegativity or radius has a zero block there. It is therefore not CGCNN's table: a prior trained with one
 * table must be sampled with the same one (give CGCNN's file to reproduce the paper's inputs).
 */
public final class ElementFeatures {
    public static final int CGCNN_WIDTH = 92;
    /** The built-in table covers Z = 1..100 like CGCNN's; heavier elements have no entry (an error when used). */
    static final int BUILT_IN_MAX_Z = 100;
    private static final Pattern TOKEN = Pattern.compile("([A-Z][a-z]?)(\\d*)");
    private final double[][] byZ;   // index Z; null when the table has no entry
    private final int width;
    private final String source;

    private ElementFeatures(double[][] byZ, int width, String source) {
        this.byZ = byZ;
        this.width = width;
        this.source = source;
    }

    /** The table of {@code file} (null: the built-in one). */
    public static ElementFeatures resolve(String file) {
        return file == null || file.isBlank() ? builtIn() : load(Path.of(file));
    }

    /** Loads a JSON table keyed by atomic number; every vector must have the same length. */
    public static ElementFeatures load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read element features (" + e.getMessage().split("\n")[0] + ")");
        }
        if (root == null || !root.isObject()) throw new InvalidInputException(file + ": element features must be a JSON object keyed by atomic number");
        double[][] t = new double[Element.MAX_Z + 1][];
        int width = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int z;
            try {
                z = Integer.parseInt(e.getKey().trim());
            } catch (NumberFormatException ex) {
                throw new InvalidInputException(file + ": key '" + e.getKey() + "' is not an atomic number");
            }
            if (z < 1 || z > Element.MAX_Z) throw new InvalidInputException(file + ": atomic number " + z + " outside 1.." + Element.MAX_Z);
            JsonNode v = e.getValue();
            if (!v.isArray() || v.isEmpty()) throw new InvalidInputException(file + ": entry " + z + " is not a list of numbers");
            if (width < 0) width = v.size();
            if (v.size() != width) throw new InvalidInputException(file + ": entry " + z + " has " + v.size() + " values, others " + width);
            t[z] = new double[width];
            for (int k = 0; k < width; k++) {
                if (!v.get(k).isNumber()) throw new InvalidInputException(file + ": entry " + z + " value " + k + " is not a number");
                t[z][k] = v.get(k).asDouble();
            }
        }
        if (width < 0) throw new InvalidInputException(file + ": no element vectors");
        return new ElementFeatures(t, width, file.toString());
    }

    /** The built-in 92-column table (see the class comment). */
    public static ElementFeatures builtIn() {
        double[][] t = new double[Element.MAX_Z + 1][];
        for (int z = 1; z <= BUILT_IN_MAX_Z; z++) {
            Element e = Element.of(z);
            double[] v = new double[CGCNN_WIDTH];
            int off = 0;
            boolean fBlock = "f".equals(e.block());
            v[off + (fBlock ? 0 : Math.max(0, Math.min(18, e.group())))] = 1;
            off += 19;
            if (e.period() >= 1 && e.period() <= 7) v[off + e.period() - 1] = 1;
            off += 7;
            bin(v, off, e.electronegativity(), 0.5, 4.0);
            off += 10;
            bin(v, off, e.covalentRadius(), 0.25, 2.5);
            off += 10;
            int valence = valenceElectrons(e);
            if (valence >= 1) v[off + Math.min(12, valence) - 1] = 1;
            off += 12;
            off += 10 + 10;          // first ionisation energy, electron affinity: not in the project's data
            int block = "spdf".indexOf(e.block().isEmpty() ? '?' : e.block().charAt(0));
            if (block >= 0) v[off + block] = 1;
            t[z] = v;
        }
        return new ElementFeatures(t, CGCNN_WIDTH, "built-in");
    }

    private static void bin(double[] v, int off, double x, double lo, double hi) {
        if (Double.isNaN(x)) return;
        int k = (int) Math.floor((x - lo) / (hi - lo) * 10);
        v[off + Math.max(0, Math.min(9, k))] = 1;
    }

    /** Valence electrons from the group: s/d blocks the group number, p block group − 10 (He 2), f block 3. */
    static int valenceElectrons(Element e) {
        if (e.z() == 2) return 2;
        return switch (e.block()) {
            case "s", "d" -> e.group();
            case "p" -> e.group() - 10;
            case "f" -> 3;
            default -> 0;
        };
    }

    public int width() { return width; }

    public String source() { return source; }

    /** The vector of element Z. */
    public double[] of(int z) {
        if (z < 1 || z > Element.MAX_Z || byZ[z] == null) {
            throw new InvalidInputException("element features (" + source + ") have no entry for Z = " + z);
        }
        return byZ[z].clone();
    }

    /** {@code Σ_elements fraction × e(Z)}: the mean vector over the atoms. */
    public double[] mean(Composition c) {
        double[] out = new double[width];
        for (Map.Entry<Integer, Double> e : c.fractional().entrySet()) {
            double[] v = of(e.getKey());
            for (int k = 0; k < width; k++) out[k] += e.getValue() * v[k];
        }
        return out;
    }

    /** The mean vector of a formula string such as {@code SrTiO3} (symbol with optional integer count, repeated symbols add). */
    public double[] mean(String formula) { return mean(parseFormula(formula)); }

    /** Parses a formula string: element symbols each followed by an optional integer count. */
    public static Composition parseFormula(String formula) {
        if (formula == null || formula.isBlank()) throw new InvalidInputException("empty chemical formula");
        String f = formula.replaceAll("\\s+", "");
        Matcher m = TOKEN.matcher(f);
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        int pos = 0;
        while (pos < f.length()) {
            if (!m.find(pos) || m.start() != pos) {
                throw new InvalidInputException("chemical formula '" + formula + "': cannot read '" + f.substring(pos) + "' (expected e.g. SrTiO3)");
            }
            String sym = m.group(1);
            if (!Element.isSymbol(sym)) throw new InvalidInputException("chemical formula '" + formula + "': unknown element '" + sym + "'");
            int n;
            try {
                n = m.group(2).isEmpty() ? 1 : Integer.parseInt(m.group(2));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("chemical formula '" + formula + "': count too large");
            }
            if (n < 1 || n > 10000) throw new InvalidInputException("chemical formula '" + formula + "': count " + n + " of " + sym + " outside 1..10000");
            counts.merge(Element.fromSymbol(sym).z(), n, Integer::sum);
            pos = m.end();
        }
        return Composition.of(counts);
    }
}
