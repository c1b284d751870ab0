package org.concdvae.eval;

import org.concdvae.io.InvalidInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The composition fingerprint of CDVAE's coverage metrics: matminer's {@code ElementProperty.from_preset("magpie")},
 * 22 Magpie elemental properties × (minimum, maximum, range, mean, avg_dev, mode) = 132 values, unscaled.
 *
 * <p>The Magpie element tables are not shipped with concdvae (see docs/coverage.md): they are read from a directory in
 * matminer's layout, one {@code <Property>.table} per property with the value of element Z on line Z (anything that
 * does not parse as a number, e.g. "Missing", is NaN). Statistics follow matminer's {@code PropertyStats} with the
 * element amounts as weights, elements in order of first appearance: minimum, maximum and range are NaN if any value
 * is; mean and avg_dev are weighted averages (NaN propagates); mode is the smallest value among the elements whose
 * amount is {@code np.isclose} to the largest. No imputation of missing values (the matminer version CDVAE used has
 * none). Immutable and thread-safe.
 */
public final class MagpieFingerprint {
    /** The 22 properties of the "magpie" preset, in matminer's order. */
    public static final List<String> PROPERTIES = List.of("Number", "MendeleevNumber", "AtomicWeight", "MeltingT",
            "Column", "Row", "CovalentRadius", "Electronegativity", "NsValence", "NpValence", "NdValence", "NfValence",
            "NValence", "NsUnfilled", "NpUnfilled", "NdUnfilled", "NfUnfilled", "NUnfilled", "GSvolume_pa", "GSbandgap",
            "GSmagmom", "SpaceGroupNumber");
    public static final List<String> STATS = List.of("minimum", "maximum", "range", "mean", "avg_dev", "mode");
    /** The environment variable naming the tables directory when no --magpie-data is given. */
    public static final String ENV = "CONCDVAE_MAGPIE_DATA";
    /** matminer reads elements 1..118. */
    static final int MAX_Z = 118;

    private final double[][] table; // [property][Z]
    private final Path dir;

    private MagpieFingerprint(Path dir, double[][] table) {
        this.dir = dir;
        this.table = table;
    }

    /** Loads the tables from {@code dir}; a missing directory or file is a one-line user error naming it. */
    public static MagpieFingerprint load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException("Magpie data directory not found: " + dir
                    + " (it must hold matminer's magpie_elementdata/*.table files; see docs/coverage.md)");
        }
        double[][] t = new double[PROPERTIES.size()][MAX_Z + 1];
        for (int p = 0; p < PROPERTIES.size(); p++) {
            Path f = dir.resolve(PROPERTIES.get(p) + ".table");
            if (!Files.isRegularFile(f)) {
                throw new InvalidInputException("Magpie data file missing: " + f + " (the directory must hold matminer's "
                        + "magpie_elementdata/*.table files; see docs/coverage.md)");
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new InvalidInputException("cannot read Magpie data file " + f + ": " + e.getMessage(), e);
            }
            t[p][0] = Double.NaN;
            for (int z = 1; z <= MAX_Z; z++) t[p][z] = z - 1 < lines.size() ? pythonFloat(lines.get(z - 1)) : Double.NaN;
        }
        return new MagpieFingerprint(dir, t);
    }

    /**
     * The tables directory: {@code option} if given, else {@code $CONCDVAE_MAGPIE_DATA}; null if neither is set.
     */
    public static MagpieFingerprint fromOptionOrEnvironment(Path option) {
        if (option != null) return load(option);
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) return load(Paths.get(env));
        return null;
    }

    /** The one-line reason composition fingerprints are unavailable without the tables. */
    public static String missingMessage(String what) {
        return what + " needs the Magpie element tables: give --magpie-data DIR or set " + ENV
                + " to a directory with matminer's magpie_elementdata/*.table files (see docs/coverage.md)";
    }

    public Path directory() { return dir; }

    /** Python's {@code float(line)}: surrounding whitespace ignored; nan/inf spelled as Python accepts; else NaN. */
    static double pythonFloat(String s) {
        String t = s.strip().replace("_", "");
        if (t.isEmpty()) return Double.NaN;
        String low = t.toLowerCase(java.util.Locale.ROOT);
        switch (low) {
            case "nan", "+nan", "-nan" -> { return Double.NaN; }
            case "inf", "+inf", "infinity", "+infinity" -> { return Double.POSITIVE_INFINITY; }
            case "-inf", "-infinity" -> { return Double.NEGATIVE_INFINITY; }
            default -> { }
        }
        // Java would also accept hex floats and a trailing d/f, which Python does not
        if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) return Double.NaN;
        return Double.parseDouble(t);
    }

    /** The value of a property for element Z (NaN if the table has none). */
    public double value(int property, int z) { return z >= 1 && z <= MAX_Z ? table[property][z] : Double.NaN; }

    /** The 132 raw features of a crystal given its atomic numbers (site order decides the element order). */
    public double[] featurize(int[] atomicNumbers) {
        Map<Integer, Integer> amounts = new LinkedHashMap<>();
        for (int z : atomicNumbers) amounts.merge(z, 1, Integer::sum);
        List<Integer> elements = new ArrayList<>(amounts.keySet());
        double[] w = new double[elements.size()];
        for (int i = 0; i < w.length; i++) w[i] = amounts.get(elements.get(i));
        double[] out = new double[PROPERTIES.size() * STATS.size()];
        double[] x = new double[elements.size()];
        for (int p = 0; p < PROPERTIES.size(); p++) {
            for (int i = 0; i < x.length; i++) x[i] = value(p, elements.get(i));
            double[] s = statistics(x, w);
            System.arraycopy(s, 0, out, p * STATS.size(), STATS.size());
        }
        return out;
    }

    /** minimum, maximum, range, mean, avg_dev, mode of values x with weights w (matminer's PropertyStats). */
    static double[] statistics(double[] x, double[] w) {
        boolean anyNaN = false;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            if (Double.isNaN(v)) anyNaN = true;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (anyNaN) min = max = Double.NaN;
        double mean = average(x, w);
        double[] dev = new double[x.length];
        for (int i = 0; i < x.length; i++) dev[i] = Math.abs(x[i] - mean);
        double avgDev = average(dev, w);
        double wmax = Double.NEGATIVE_INFINITY;
        for (double v : w) wmax = Math.max(wmax, v);
        double mode = Double.POSITIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            // np.isclose(w, w.max()): |w − max| ≤ 1e-8 + 1e-5·|max|; numpy's min propagates NaN
            if (Math.abs(w[i] - wmax) <= 1e-8 + 1e-5 * Math.abs(wmax)) mode = Double.isNaN(x[i]) || Double.isNaN(mode) ? Double.NaN : Math.min(mode, x[i]);
        }
        return new double[]{min, max, max - min, mean, avgDev, mode};
    }

    /** np.average(x, weights=w): Σ x·w / Σ w, summed in order. */
    private static double average(double[] x, double[] w) {
        double num = 0, den = 0;
        for (int i = 0; i < x.length; i++) {
            num += x[i] * w[i];
            den += w[i];
        }
        return num / den;
    }
}
