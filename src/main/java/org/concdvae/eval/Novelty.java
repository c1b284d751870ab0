package org.concdvae.eval;

import java.util.List;

/** Share of structurally valid samples with no StructureMatcher match (ltol 0.2, stol 0.3, angle 5) in the reference. */
public final class Novelty extends Metric {
    private Novelty(String group, long novel, long n, String note) {
        super("novelty", group, "structurally valid samples matching no reference crystal (" + novel + "/" + n + ")",
                note.isEmpty() ? percent(novel, n) : Double.NaN, "%", note);
    }

    public static Novelty of(String group, List<SampleResult> samples, boolean haveReference) {
        if (!haveReference) return new Novelty(group, 0, 0, "no --reference given");
        List<SampleResult> valid = samples.stream().filter(SampleResult::structValid).toList();
        long novel = valid.stream().filter(s -> s.nearestId() == null).count();
        return new Novelty(group, novel, valid.size(), valid.isEmpty() ? "no structurally valid sample" : "");
    }
}
