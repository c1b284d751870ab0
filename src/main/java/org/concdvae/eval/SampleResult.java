package org.concdvae.eval;

import java.util.Map;

/**
 * Everything measured on one generated crystal. {@code predictions} are keyed by evaluator name (regression: value,
 * classification: probability of class 1); {@code crystalSystem} is "error" when the symmetry analysis failed and
 * {@code nearestId} is null when no reference crystal matches. {@code error} is the reason an unreadable sample has no
 * measurements.
 */
public record SampleResult(String id, String group, Map<String, String> targets, String formula, int nAtoms, int nElements,
                           double density, boolean structValid, boolean compValid, int spaceGroup, String crystalSystem,
                           Map<String, Double> predictions, String nearestId, double nearestRms, String error) {
    public boolean valid() { return structValid && compValid; }

    public boolean readable() { return error == null; }

    static SampleResult unreadable(String id, String group, Map<String, String> targets, String error) {
        return new SampleResult(id, group, targets, "", 0, 0, Double.NaN, false, false, 0, "error", Map.of(), null, Double.NaN, error);
    }
}
