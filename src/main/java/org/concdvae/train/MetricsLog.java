package org.concdvae.train;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.InvalidInputException;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The run's metrics: {@code metrics.csv} (one row per epoch: learning rate, time, skipped steps, the training
 * averages {@code train_*}, the validation loss and terms {@code val_*} and the validation metrics) and
 * {@code metrics_steps.csv} (every N-th training step). Both files are rewritten atomically at the end of every
 * epoch, together with the last checkpoint, so after a resume they hold exactly the epochs the checkpoint has seen.
 */
final class MetricsLog {
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setRecordSeparator('\n').build();
    private final Path epochFile, stepFile;
    private final List<Map<String, Double>> epochs = new ArrayList<>();
    private final List<Map<String, Double>> steps = new ArrayList<>();
    private final boolean writes;

    /** Opens the logs; rows of epochs ≥ {@code firstEpoch} (from an interrupted run) are dropped. */
    MetricsLog(Path epochFile, Path stepFile, int firstEpoch) { this(epochFile, stepFile, firstEpoch, true); }

    /** As above; {@code writes} false keeps the rows in memory only (ranks other than 0 of a distributed run). */
    MetricsLog(Path epochFile, Path stepFile, int firstEpoch, boolean writes) {
        this.writes = writes;
        this.epochFile = epochFile;
        this.stepFile = stepFile;
        if (firstEpoch > 0) {
            for (Map<String, Double> r : read(epochFile)) if (r.getOrDefault("epoch", -1.0) < firstEpoch) epochs.add(r);
            for (Map<String, Double> r : read(stepFile)) if (r.getOrDefault("epoch", -1.0) < firstEpoch) steps.add(r);
        }
    }

    void step(int epoch, long step, Map<String, Double> terms, double lr) {
        Map<String, Double> r = new LinkedHashMap<>();
        r.put("epoch", (double) epoch);
        r.put("step", (double) step);
        r.put("lr", lr);
        for (Map.Entry<String, Double> e : terms.entrySet()) r.put("train_" + e.getKey(), e.getValue());
        steps.add(r);
    }

    void epoch(Step1Trainer.EpochResult res) throws IOException {
        Map<String, Double> r = new LinkedHashMap<>();
        r.put("epoch", (double) res.epoch());
        r.put("lr", res.lr());
        r.put("seconds", res.seconds());
        r.put("skipped_steps", (double) res.skippedSteps());
        for (Map.Entry<String, Double> e : res.train().entrySet()) r.put("train_" + e.getKey(), e.getValue());
        for (Map.Entry<String, Double> e : res.val().entrySet()) r.put("val_" + e.getKey(), e.getValue());
        epochs.add(r);
        if (!writes) return;
        write(epochFile, epochs);
        write(stepFile, steps);
    }

    List<Map<String, Double>> epochRows() { return epochs; }

    /** {@code train_loss} of the first epoch row (NaN when there is none), for the run summary. */
    double firstTrainLoss() { return epochs.isEmpty() ? Double.NaN : epochs.get(0).getOrDefault("train_loss", Double.NaN); }

    /** {@code train_loss} of the last epoch row (NaN when there is none), for the run summary. */
    double lastTrainLoss() { return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).getOrDefault("train_loss", Double.NaN); }

    private static void write(Path file, List<Map<String, Double>> rows) throws IOException {
        List<String> cols = new ArrayList<>();
        for (Map<String, Double> r : rows) for (String k : r.keySet()) if (!cols.contains(k)) cols.add(k);
        AtomicFiles.writeText(file, w -> {
            CSVPrinter p = new CSVPrinter(w, FORMAT);
            p.printRecord(cols);
            for (Map<String, Double> r : rows) {
                List<String> v = new ArrayList<>();
                for (String c : cols) {
                    Double x = r.get(c);
                    v.add(x == null ? "" : c.equals("epoch") || c.equals("step") || c.equals("skipped_steps")
                            ? String.valueOf(x.longValue()) : String.format(Locale.ROOT, "%.9g", x));
                }
                p.printRecord(v);
            }
            p.flush();
        });
    }

    private static List<Map<String, Double>> read(Path file) {
        List<Map<String, Double>> rows = new ArrayList<>();
        try {
            // a log without rows (no step reached --log-every before the checkpoint) is an empty header line
            if (!Files.exists(file) || Files.readString(file).isBlank()) return rows;
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read the metrics of the run to resume (" + e.getMessage() + ")");
        }
        try (Reader in = Files.newBufferedReader(file);
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(in)) {
            for (CSVRecord rec : p) {
                Map<String, Double> r = new LinkedHashMap<>();
                for (String h : p.getHeaderNames()) {
                    String s = rec.isSet(h) ? rec.get(h) : "";
                    if (!s.isEmpty()) r.put(h, Double.parseDouble(s));
                }
                rows.add(r);
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(file + ": cannot read the metrics of the run to resume (" + e.getMessage() + ")");
        }
        return rows;
    }
}
