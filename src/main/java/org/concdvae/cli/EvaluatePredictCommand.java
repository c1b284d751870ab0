package org.concdvae.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.concdvae.autodiff.Engine;
import org.concdvae.eval.CgcnnEvaluator;
import org.concdvae.eval.CgcnnGraph;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.StructureSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code concdvae evaluate predict}: runs a CGCNN evaluator (an official {@code model_best.pth.tar} or one trained by
 * {@code evaluate train-cgcnn}) on structures, as the official {@code cgcnn/predict.py}.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Predict a property with a CGCNN evaluator: one row per structure, id,prediction,error.",
                "Regression: the de-normalised value; classification: the probability of class 1.",
                "Structures are used as given (no reduction); neighbours: the 12 nearest within 8 Å, as CGCNN."})
public class EvaluatePredictCommand extends BaseCommand {
    @Option(names = "--evaluator", required = true, paramLabel = "FILE|DIR",
            description = "CGCNN checkpoint: model_best.pth.tar, a best.safetensors from 'evaluate train-cgcnn', or a directory holding one.")
    Path evaluator;

    @Option(names = "--atom-features", paramLabel = "FILE",
            description = "CGCNN's element features atom_init.json (default: next to the checkpoint, or in its directory's parent). "
                    + "Not shipped: it is data/sample-regression/atom_init.json of CGCNN's repository.")
    Path atomFeatures;

    @Option(names = "--input", required = true, paramLabel = "CSV|CIF|DIR", description = StructureSource.INPUT_DESCRIPTION)
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "CSV", description = "Output CSV: id,prediction,error (written atomically).")
    Path output;

    @Override
    protected int run() throws Exception {
        Engine.setThreads(common.threads());
        CgcnnEvaluator ev = CgcnnEvaluator.load(evaluator, atomFeatures);
        info("evaluator %s (%s; %s), element features %s", ev.checkpoint(), ev.classification() ? "classification" : "regression",
                ev.outputDescription(), ev.features().source());
        List<StructureSource.Entry> entries = StructureSource.read(input);
        int n = entries.size();
        String[] errors = new String[n];
        List<CgcnnGraph> built = ParallelMap.map(n, common.threads(), "neighbours", common.quiet, i -> {
            StructureSource.Entry e = entries.get(i);
            if (!e.ok()) {
                errors[i] = e.error();
                return null;
            }
            try {
                CgcnnGraph g = CgcnnGraph.of(e.structure());
                for (int z : g.atomicNumbers()) ev.features().of(z);
                return g;
            } catch (RuntimeException ex) {
                errors[i] = ex.getMessage() == null ? ex.toString() : ex.getMessage();
                return null;
            }
        });
        List<Integer> ok = new ArrayList<>();
        for (int i = 0; i < n; i++) if (built.get(i) != null) ok.add(i);
        double[] pred = new double[n];
        int batches = (ok.size() + CgcnnEvaluator.BATCH - 1) / CgcnnEvaluator.BATCH;
        try (Progress progress = Progress.start("predict", ok.size(), common.quiet)) {
            for (int b = 0; b < batches; b++) {
                List<Integer> rows = ok.subList(b * CgcnnEvaluator.BATCH, Math.min(ok.size(), (b + 1) * CgcnnEvaluator.BATCH));
                List<CgcnnGraph> gs = new ArrayList<>();
                for (int i : rows) gs.add(built.get(i));
                double[] p = ev.predict(gs);
                for (int k = 0; k < rows.size(); k++) pred[rows.get(k)] = p[k];
                progress.stepBy(rows.size());
            }
        }
        int ties = 0;
        double sum = 0;
        for (int i : ok) {
            if (built.get(i).boundaryTie(1e-8)) ties++;
            sum += pred[i];
        }
        AtomicFiles.writeText(output, w -> {
            CSVPrinter p = new CSVPrinter(w, CSVFormat.RFC4180.builder().setRecordSeparator('\n').build());
            p.printRecord("id", "prediction", "error");
            for (int i = 0; i < n; i++) {
                p.printRecord(entries.get(i).id(), errors[i] == null ? String.format(Locale.ROOT, "%.9g", pred[i]) : "",
                        errors[i] == null ? "" : errors[i].replace('\n', ' '));
            }
            p.flush();
        });
        info("predicted %d of %d structures (%d failed; mean %s %.6g) -> %s", ok.size(), n, n - ok.size(),
                ev.classification() ? "probability" : "value", ok.isEmpty() ? Double.NaN : sum / ok.size(), output);
        if (ties > 0) {
            info("note: %d structures have a tie between the 12th and 13th neighbour distance; the official code may keep"
                    + " another (equally distant) neighbour there", ties);
        }
        if (ok.isEmpty() && n > 0) throw new InvalidInputException(input + ": no structure could be evaluated (first error: " + errors[0] + ")");
        return ExitCode.OK;
    }
}
