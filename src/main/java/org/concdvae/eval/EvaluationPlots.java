package org.concdvae.eval;

import org.concdvae.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** PNG figures of the evaluation (paper Figures 2–4 and the crystal-system counts of Table B1), drawn with XChart. */
public final class EvaluationPlots {
    public static final int WIDTH = 900, HEIGHT = 600;
    static final int BINS = 30;

    private EvaluationPlots() {}

    /** Histogram (step line per target group) of one regression evaluator's predictions (Figures 2–3). */
    public static void histogram(Path file, PropertyEvaluator ev, Map<String, List<SampleResult>> groups) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (List<SampleResult> g : groups.values()) {
            for (double v : values(ev, g)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (!(hi >= lo)) return;
        if (hi - lo < 1e-9) {
            lo -= 0.5;
            hi += 0.5;
        }
        double w = (hi - lo) / BINS;
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Predicted " + ev.property().replace('_', ' ') + " (" + ev.name() + ") per target")
                .xAxisTitle(ev.property().replace('_', ' ') + " (" + ev.unit() + ")").yAxisTitle("number of crystals").build();
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setXAxisDecimalPattern("0.0#");
        chart.getStyler().setYAxisDecimalPattern("#0");
        for (Map.Entry<String, List<SampleResult>> g : groups.entrySet()) {
            double[] v = values(ev, g.getValue());
            if (v.length == 0) continue;
            int[] counts = new int[BINS];
            for (double x : v) counts[Math.min(BINS - 1, (int) ((x - lo) / w))]++;
            // step outline: (edge_k, count_k), (edge_k+1, count_k)
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (int k = 0; k < BINS; k++) {
                xs.add(lo + k * w);
                ys.add((double) counts[k]);
                xs.add(lo + (k + 1) * w);
                ys.add((double) counts[k]);
            }
            XYSeries s = chart.addSeries(g.getKey() + " (n=" + v.length + ")", xs, ys);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
            s.setMarker(SeriesMarkers.NONE);
        }
        save(file, chart);
    }

    /** Band gap × formation energy scatter, one colour per target group (Figure 4). */
    public static void scatter(Path file, PropertyEvaluator bg, PropertyEvaluator fe, Map<String, List<SampleResult>> groups) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Predicted band gap vs formation energy per target")
                .xAxisTitle("band gap (eV, " + bg.name() + ")").yAxisTitle("formation energy (eV/atom, " + fe.name() + ")").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setMarkerSize(6);
        for (Map.Entry<String, List<SampleResult>> g : groups.entrySet()) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (SampleResult s : g.getValue()) {
                Double x = s.predictions().get(bg.name()), y = s.predictions().get(fe.name());
                if (x != null && y != null) {
                    xs.add(x);
                    ys.add(y);
                }
            }
            if (!xs.isEmpty()) chart.addSeries(g.getKey() + " (n=" + xs.size() + ")", xs, ys);
        }
        if (!chart.getSeriesMap().isEmpty()) save(file, chart);
    }

    /** Crystal systems found (symprec 0.2) per target group (Table B1). */
    public static void crystalSystems(Path file, Map<String, List<SampleResult>> groups) {
        List<String> cats = new ArrayList<>(CrystalSystems.NAMES);
        cats.add("error");
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Crystal system (symprec 0.2, angle 5°) per target").xAxisTitle("crystal system").yAxisTitle("number of crystals").build();
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setYAxisDecimalPattern("#0");
        for (Map.Entry<String, List<SampleResult>> g : groups.entrySet()) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            cats.forEach(c -> counts.put(c, 0));
            for (SampleResult s : g.getValue()) counts.merge(s.crystalSystem(), 1, Integer::sum);
            chart.addSeries(g.getKey() + " (n=" + g.getValue().size() + ")", cats, new ArrayList<>(counts.values()));
        }
        save(file, chart);
    }

    /** Line chart of several series over shared x values (the coverage curves). */
    public static void lines(Path file, String title, String xTitle, String yTitle, double[] x, List<String> names, List<double[]> ys) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setXAxisDecimalPattern("0.0#");
        chart.getStyler().setYAxisDecimalPattern("0.0#");
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        for (int i = 0; i < names.size(); i++) chart.addSeries(names.get(i), x, ys.get(i));
        save(file, chart);
    }

    private static double[] values(PropertyEvaluator ev, List<SampleResult> g) {
        return g.stream().map(s -> s.predictions().get(ev.name())).filter(v -> v != null && Double.isFinite(v))
                .mapToDouble(Double::doubleValue).toArray();
    }

    private static void save(Path file, Chart<?, ?> chart) {
        try {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            AtomicFiles.write(file, out -> out.write(png));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write plot", e);
        }
    }
}
