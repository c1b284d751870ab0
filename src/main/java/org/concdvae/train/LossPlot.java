package org.concdvae.train;

import org.concdvae.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The loss curves of a run as a PNG: training loss, validation loss and the main training terms per epoch (log scale). */
final class LossPlot {
    static {
        System.setProperty("java.awt.headless", "true");   // PNG rendering on servers without a display
    }

    private LossPlot() {}

    static void write(java.nio.file.Path file, List<Map<String, Double>> rows) throws IOException {
        if (rows.isEmpty()) return;
        XYChart chart = new XYChartBuilder().width(900).height(560).title("Con-CDVAE step-one training")
                .xAxisTitle("epoch").yAxisTitle("loss (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendVisible(true);
        String[][] series = {{"train_loss", "train loss (weighted total)"}, {"val_loss", "val loss (10 coord + type)"},
                {"train_coord_loss", "train coord"}, {"train_type_loss", "train type"}, {"train_lattice_loss", "train lattice"},
                {"train_natom_loss", "train natom"}, {"train_composition_loss", "train composition"}};
        for (String[] s : series) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (Map<String, Double> r : rows) {
                Double v = r.get(s[0]);
                if (v != null && Double.isFinite(v) && v > 0) {
                    x.add(r.get("epoch"));
                    y.add(v);
                }
            }
            if (!x.isEmpty()) chart.addSeries(s[1], x, y).setMarker(x.size() > 50 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        }
        if (chart.getSeriesMap().isEmpty()) return;
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(file, out -> out.write(png));
    }
}
