package org.concdvae.eval;

import java.util.List;

/** Mean CGCNN prediction over a group's readable samples (regression: value; classification: share predicted class 1). */
public final class MeanPrediction extends Metric {
    private MeanPrediction(String name, String group, String description, double value, String unit) {
        super(name, group, description, value, unit, "");
    }

    public static MeanPrediction of(PropertyEvaluator ev, String group, List<SampleResult> samples) {
        double[] v = samples.stream().filter(s -> s.predictions().containsKey(ev.name()))
                .mapToDouble(s -> s.predictions().get(ev.name())).toArray();
        if (ev.classification()) {
            long ones = java.util.Arrays.stream(v).filter(p -> PropertyEvaluator.predictedClass(p) == 1).count();
            return new MeanPrediction("class1_" + ev.name(), group, ev.name() + ": share predicted '"
                    + PropertyEvaluator.className(ev.property(), 1) + "' (" + ones + "/" + v.length + ")", percent(ones, v.length), "%");
        }
        double mean = v.length == 0 ? Double.NaN : java.util.Arrays.stream(v).average().orElse(Double.NaN);
        return new MeanPrediction("mean_" + ev.name(), group, ev.name() + ": mean predicted " + ev.property().replace('_', ' '),
                mean, ev.unit());
    }
}
