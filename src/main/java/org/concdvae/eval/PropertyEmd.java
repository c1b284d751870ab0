package org.concdvae.eval;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Earth mover's distance between a property's distribution over the valid samples and over the reference set: the 1-D
 * Wasserstein distance of the two empirical distributions, as CDVAE's {@code compute_prop} (scipy
 * {@code wasserstein_distance}) for density and number of elements.
 */
public final class PropertyEmd extends Metric {
    private PropertyEmd(String property, String group, double value, String unit, String note) {
        super(property + "_emd", group, "1-D Wasserstein distance of " + property.replace('_', ' ')
                + " between valid samples and the reference", value, unit, note);
    }

    public static PropertyEmd of(String property, String unit, String group, List<SampleResult> samples, double[] reference,
                                 ToDoubleFunction<SampleResult> value) {
        if (reference == null) return new PropertyEmd(property, group, Double.NaN, unit, "no --reference given");
        double[] x = samples.stream().filter(SampleResult::valid).mapToDouble(value).toArray();
        if (x.length == 0) return new PropertyEmd(property, group, Double.NaN, unit, "no valid sample");
        return new PropertyEmd(property, group, wasserstein(x, reference), unit, "");
    }

    /** scipy.stats.wasserstein_distance(u, v) with unit weights: ∫ |U(t) − V(t)| dt over the pooled sorted values. */
    public static double wasserstein(double[] u, double[] v) {
        if (u.length == 0 || v.length == 0) throw new IllegalArgumentException("empty distribution");
        double[] a = u.clone(), b = v.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        double[] all = new double[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Arrays.sort(all);
        double sum = 0;
        int ia = 0, ib = 0;
        for (int k = 0; k + 1 < all.length; k++) {
            while (ia < a.length && a[ia] <= all[k]) ia++;
            while (ib < b.length && b[ib] <= all[k]) ib++;
            sum += Math.abs((double) ia / a.length - (double) ib / b.length) * (all[k + 1] - all[k]);
        }
        return sum;
    }
}
