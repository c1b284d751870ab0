package org.concdvae.eval;

import java.util.List;
import java.util.function.Predicate;

/**
 * Paper Tables 2 and B1: percentage of a target group's samples whose evaluator result (CGCNN class or crystal system at
 * symprec 0.2) equals the target. Unreadable samples and failed symmetry analyses count as misses.
 */
public final class SuccessRate extends Metric {
    public SuccessRate(String name, String group, String description, double value, String note) {
        super(name, group, description, value, "%", note);
    }

    public static SuccessRate of(String name, String group, String description, List<SampleResult> samples,
                                 Predicate<SampleResult> hit) {
        long k = samples.stream().filter(hit).count();
        return new SuccessRate(name, group, description + " (" + k + "/" + samples.size() + ")", percent(k, samples.size()), "");
    }

    public static SuccessRate unavailable(String name, String group, String description, String note) {
        return new SuccessRate(name, group, description, Double.NaN, note);
    }
}
