package org.concdvae.eval;

import org.concdvae.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * t-SNE map of the encoder latents coloured by one property (paper Figure 5). XChart has no continuous colour bar, so a
 * property with at most {@value #MAX_CLASSES} distinct integer values gets one series per value, any other one series
 * per quantile bin ({@value #BINS} bins) on a blue-to-red ramp; the legend names the values or ranges.
 */
public final class LatentPlots {
    public static final int WIDTH = 800, HEIGHT = 700, BINS = 6, MAX_CLASSES = 10;

    private LatentPlots() {}

    public static void write(Path file, String property, double[][] y, double[] value) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("t-SNE of the latent μ, coloured by " + property)
                .xAxisTitle("t-SNE 1").yAxisTitle("t-SNE 2").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(5);
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setXAxisDecimalPattern("0.#");
        chart.getStyler().setYAxisDecimalPattern("0.#");
        TreeSet<Double> distinct = new TreeSet<>();
        boolean integral = true;
        for (double v : value) {
            if (!Double.isFinite(v)) continue;
            distinct.add(v);
            integral &= v == Math.rint(v);
        }
        if (distinct.isEmpty()) return;
        List<double[]> ranges = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (integral && distinct.size() <= MAX_CLASSES) {
            for (double v : distinct) {
                ranges.add(new double[]{v, v});
                boolean cs = property.equals("crystal_system") && v >= 0 && v < CrystalSystems.NAMES.size();
                names.add(property + " = " + (long) v + (cs ? " (" + CrystalSystems.NAMES.get((int) v) + ")" : ""));
            }
        } else {
            double[] s = Arrays.stream(value).filter(Double::isFinite).sorted().toArray();
            double lo = s[0];
            for (int b = 1; b <= BINS; b++) {
                double hi = b == BINS ? s[s.length - 1] : s[Math.min(s.length - 1, (int) Math.floor((double) b * s.length / BINS))];
                if (hi > lo || b == BINS) {
                    ranges.add(new double[]{lo, hi});
                    names.add(String.format(Locale.ROOT, "%.3g .. %.3g", lo, hi));
                    lo = hi;
                }
            }
        }
        for (int k = 0; k < ranges.size(); k++) {
            double[] r = ranges.get(k);
            boolean first = k == 0;
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (int i = 0; i < value.length; i++) {
                double v = value[i];
                boolean in = r[0] == r[1] ? v == r[0] : (first ? v >= r[0] : v > r[0]) && v <= r[1];
                if (Double.isFinite(v) && in) {
                    xs.add(y[i][0]);
                    ys.add(y[i][1]);
                }
            }
            if (xs.isEmpty()) continue;
            XYSeries s = chart.addSeries(names.get(k) + " (n=" + xs.size() + ")", xs, ys);
            s.setMarker(SeriesMarkers.CIRCLE);
            float t = ranges.size() == 1 ? 0f : (float) k / (ranges.size() - 1);
            s.setMarkerColor(Color.getHSBColor(0.66f * (1 - t), 0.85f, 0.85f));   // blue (low) to red (high)
        }
        try {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            AtomicFiles.write(file, out -> out.write(png));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write plot", e);
        }
    }
}
