package org.concdvae.eval;

import org.concdvae.io.InvalidInputException;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A CGCNN evaluator with the property it predicts, inferred from the official directory names
 * ({@code *_bg}, {@code *_Cbg}: band gap; {@code *_fm}, {@code *_Cfm}: formation energy per atom; generation.md §6.1).
 */
public record PropertyEvaluator(String name, String property, CgcnnEvaluator cgcnn) {
    public static final String BAND_GAP = "band_gap", FORMATION_ENERGY = "formation_energy_per_atom";
    /** Formation-energy class boundary of the paper's Table 2: class 1 ("low") ⇔ FE ≤ −0.9 eV/atom. */
    public static final double FE_CLASS_BOUNDARY = -0.9;

    public static PropertyEvaluator load(Path dir, Path atomFeatures) {
        CgcnnEvaluator e = CgcnnEvaluator.load(dir, atomFeatures);
        String n = e.name().toLowerCase(Locale.ROOT);
        String property;
        if (n.endsWith("bg") || n.contains("band")) property = BAND_GAP;
        else if (n.endsWith("fm") || n.endsWith("fe") || n.contains("formation")) property = FORMATION_ENERGY;
        else throw new InvalidInputException(dir + ": cannot tell the property from the evaluator name '" + e.name()
                    + "' (expected a name ending in bg/Cbg for band gap or fm/Cfm for formation energy)");
        return new PropertyEvaluator(e.name(), property, e);
    }

    public boolean classification() { return cgcnn.classification(); }

    /** Class of a prediction: probability of class 1 ≥ 0.5 (argmax of the two log-probabilities). */
    public static int predictedClass(double probabilityOfOne) { return probabilityOfOne >= 0.5 ? 1 : 0; }

    /** The class a target value asks for: band gap 0 ⇔ class 0 ("zero"); FE > −0.9 ⇔ class 0 ("high"). */
    public static int targetClass(String property, double target) {
        return property.equals(BAND_GAP) ? (target > 0 ? 1 : 0) : (target <= FE_CLASS_BOUNDARY ? 1 : 0);
    }

    public static String className(String property, int cls) {
        return property.equals(BAND_GAP) ? (cls == 1 ? "non-zero" : "zero") : (cls == 1 ? "low" : "high");
    }

    public String unit() { return property.equals(BAND_GAP) ? "eV" : "eV/atom"; }
}
