package org.concdvae.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.concdvae.autodiff.Tape;
import org.concdvae.config.Config;
import org.concdvae.data.CrystalRecord;
import org.concdvae.data.Preprocessor;
import org.concdvae.eval.LatentPlots;
import org.concdvae.eval.Tsne;
import org.concdvae.io.AtomicFiles;
import org.concdvae.model.ConCdvae;
import org.concdvae.model.ModelDirectory;
import org.concdvae.model.Probe;
import org.concdvae.train.Batches;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** {@code concdvae evaluate latent}: t-SNE of the step-one encoder's μ coloured by each property (paper Figure 5). */
@Command(name = "latent", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"t-SNE of the encoder latents mu, one PNG per property (paper Figure 5).",
                "Encodes every usable crystal of --data with the step-one encoder (posterior",
                "mean), embeds with exact t-SNE (seeded) and writes latent_tsne.csv",
                "(id, x, y, properties) and tsne_<property>.png."})
public class EvaluateLatentCommand extends BaseCommand {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A train-step1 output directory (config.yaml + best.safetensors).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "CSV", description = "Crystals to encode (CSV with a cif column and the model's property columns), e.g. test.csv.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if needed).")
    Path out;

    @Option(names = "--perplexity", defaultValue = "30", description = "t-SNE perplexity (default: ${DEFAULT-VALUE}; capped at (n-1)/3).")
    double perplexity;

    @Option(names = "--iterations", defaultValue = "1000", description = "t-SNE iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--export", paramLabel = "FILE",
            description = "Also write every encoded crystal's mu (all usable rows, before --max-points subsampling) with its properties "
                    + "to a safetensors file: tensor 'mu' [N, latent_dim], one tensor per property, ids in the metadata (the official extra_z.py).")
    Path export;

    @Option(names = "--max-points", defaultValue = "3000",
            description = "Exact t-SNE costs O(n^2) per iteration: a larger data set is subsampled (seeded) to this many crystals (default: ${DEFAULT-VALUE}).")
    int maxPoints;

    @Override
    protected int run() throws Exception {
        if (iterations < 1 || maxPoints < 2 || !(perplexity > 0)) throw new UserException("--iterations >= 1, --max-points >= 2 and --perplexity > 0 are required");
        lockOutput(out, "--out");
        ModelDirectory dir = ModelDirectory.open(model);
        Config cfg = dir.config();
        ConCdvae stepOne = dir.loadStepOne();
        Preprocessor pre = new Preprocessor(cfg, common.threads(), false);
        List<CrystalRecord> records;
        try (Progress bar = Progress.start("read", org.concdvae.io.CrystalCsv.countRows(data), common.quiet)) {
            records = new ArrayList<>(pre.process(data, i -> bar.step()).kept());
        }
        if (records.size() < 2) throw new UserException(data + ": need at least 2 usable crystals, got " + records.size());
        List<String> props = pre.propertyNames();
        if (export != null) {
            // encoded in full, so the export does not depend on --max-points
            double[][] all = encode(stepOne, cfg, records, props);
            org.concdvae.sample.LatentFile f = new org.concdvae.sample.LatentFile("mu", props);
            for (int i = 0; i < records.size(); i++) {
                float[] z = new float[all[i].length];
                for (int k = 0; k < z.length; k++) z[k] = (float) all[i][k];
                f.add(records.get(i).id(), z, records.get(i).properties());
            }
            if (export.toAbsolutePath().getParent() != null) Files.createDirectories(export.toAbsolutePath().getParent());
            f.write(export, java.util.Map.of("mu", "posterior mean of the step-one encoder per crystal; rows in the order of " + data.getFileName()));
            info("wrote %d latents to %s", records.size(), export);
        }
        if (records.size() > maxPoints) {
            Collections.shuffle(records, new Random(common.seed));
            records = new ArrayList<>(records.subList(0, maxPoints));
        }
        double[][] mu = encode(stepOne, cfg, records, props);
        info("t-SNE of %d latents (dim %d), perplexity %.3g, %d iterations", mu.length, mu[0].length, perplexity, iterations);
        double[][] y = new Tsne(perplexity, iterations, common.seed, common.threads()).embed(mu);
        Files.createDirectories(out);
        List<CrystalRecord> rec = records;
        AtomicFiles.writeText(out.resolve("latent_tsne.csv"), w -> {
            CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build());
            List<Object> head = new ArrayList<>(List.of("id", "tsne_x", "tsne_y"));
            head.addAll(props);
            p.printRecord(head);
            for (int i = 0; i < rec.size(); i++) {
                List<Object> row = new ArrayList<>(List.of(rec.get(i).id(), y[i][0], y[i][1]));
                for (double v : rec.get(i).properties()) row.add(Double.isFinite(v) ? v : "");
                p.printRecord(row);
            }
            p.flush();
        });
        for (int k = 0; k < props.size(); k++) {
            double[] v = new double[rec.size()];
            for (int i = 0; i < v.length; i++) v[i] = rec.get(i).properties()[k];
            LatentPlots.write(out.resolve("tsne_" + props.get(k) + ".png"), props.get(k), y, v);
        }
        info("wrote latent_tsne.csv and %d t-SNE plots to %s", props.size(), out);
        return ExitCode.OK;
    }

    /** The encoder's posterior mean of every record. */
    private double[][] encode(ConCdvae stepOne, Config cfg, List<CrystalRecord> records, List<String> props) {
        double[][] mu = new double[records.size()][];
        int chunk = cfg.data().batchSize().test();   // the official extra_z.py encodes with the test loader's batches
        try (Progress bar = Progress.start("encode", records.size(), common.quiet)) {
            for (int from = 0; from < records.size(); from += chunk) {
                List<CrystalRecord> part = records.subList(from, Math.min(records.size(), from + chunk));
                ConCdvae.Batch b = Batches.collate(part, props, List.of(), stepOne, common.threads());
                try (Tape t = Tape.inference()) {
                    INDArray eps = Nd4j.zeros(DataType.FLOAT, part.size(), cfg.model().latentDim());
                    INDArray m = stepOne.cdvae().encode(t, b.encoderGraph(), eps, Probe.NONE).mu().value();
                    for (int i = 0; i < part.size(); i++) mu[from + i] = m.getRow(i).toDoubleVector();
                } finally {
                    b.encoderGraph().close();
                }
                bar.stepBy(part.size());
            }
        }
        return mu;
    }
}
