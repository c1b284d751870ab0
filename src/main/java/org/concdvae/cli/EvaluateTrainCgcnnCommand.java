package org.concdvae.cli;

import org.concdvae.autodiff.Engine;
import org.concdvae.dist.Collective;
import org.concdvae.eval.CgcnnEvaluator;
import org.concdvae.eval.CgcnnTrainer;
import org.concdvae.io.AtomicFiles;
import org.concdvae.model.ElementFeatures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code concdvae evaluate train-cgcnn}: trains a CGCNN property evaluator on our engine ({@link CgcnnTrainer}).
 */
@Command(name = "train-cgcnn", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Train a CGCNN evaluator (regression, or classification with --classify) on train/val/test CSVs.",
                "Writes best.safetensors (best validation MAE or accuracy), last.safetensors, metrics.csv, summary.json",
                "and a copy of the element features, so 'evaluate predict --evaluator OUT' works directly.",
                "Data-parallel as train-step1: --replicas R per process (default: one per thread that splits --batch-size evenly),",
                "mpirun/srun for several processes; rank 0 writes the outputs (docs/training.md)."})
public class EvaluateTrainCgcnnCommand extends BaseCommand {
    @Override
    protected boolean runsUnderMpi() { return true; }

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Directory with train.csv, val.csv and (optional) test.csv: a 'cif' column and the target column.")
    Path data;

    @Option(names = "--target", required = true, paramLabel = "NAME",
            description = "Target column: band_gap or formation_energy_per_atom.")
    String target;

    @Option(names = "--classify", paramLabel = "THRESHOLD",
            description = "Train a classifier instead: band_gap > T is class 1; formation_energy_per_atom <= T is class 1 (paper: 0 and -0.9).")
    Double classify;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--atom-features", paramLabel = "FILE",
            description = "CGCNN's atom_init.json (default: DATA/atom_init.json or in DATA's parent; not shipped, see CGCNN's repository).")
    Path atomFeatures;

    @Mixin
    ReplicasOption replicas = new ReplicasOption();

    @Option(names = "--epochs", defaultValue = "30", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Crystals per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--atom-fea-len", defaultValue = "64", description = "Atom feature width (default: ${DEFAULT-VALUE}).")
    int atomFeaLen;

    @Option(names = "--n-conv", defaultValue = "3", description = "Convolution layers (default: ${DEFAULT-VALUE}).")
    int nConv;

    @Option(names = "--h-fea-len", defaultValue = "128", description = "Hidden width after pooling (default: ${DEFAULT-VALUE}).")
    int hFeaLen;

    @Option(names = "--n-h", defaultValue = "1", description = "Hidden layers after pooling (default: ${DEFAULT-VALUE}).")
    int nH;

    @Override
    protected int run() throws Exception {
        if (!CgcnnTrainer.TARGETS.contains(target)) throw new UserException("--target must be one of " + CgcnnTrainer.TARGETS + ", got '" + target + "'");
        if (epochs < 1 || batchSize < 1 || !(lr > 0) || atomFeaLen < 1 || nConv < 0 || hFeaLen < 1 || nH < 1) {
            throw new UserException("--epochs, --batch-size, --lr and the widths must be positive");
        }
        if (!Files.isDirectory(data)) throw new UserException("--data: directory not found: " + data);
        lockOutput(out, "--out");
        Engine.setThreads(common.threads());
        Path featureFile = CgcnnEvaluator.locateAtomFeatures(data.resolve("train.csv"), atomFeatures);
        ElementFeatures features = ElementFeatures.load(featureFile);
        CgcnnTrainer.Options o = new CgcnnTrainer.Options(target, classify, epochs, batchSize, lr, common.seed, common.threads(),
                atomFeaLen, nConv, hFeaLen, nH, replicas.resolve(null));
        Collective c = joinJob();
        CgcnnTrainer trainer = new CgcnnTrainer(data, features, out, o, c);
        if (c.isRoot()) {
            Files.createDirectories(out);
            AtomicFiles.writeString(out.resolve(CgcnnEvaluator.ATOM_INIT), Files.readString(featureFile));
        }
        String metric = classify != null ? "accuracy" : "MAE";
        CgcnnTrainer.Summary s;
        try (Progress progress = Progress.start("train-cgcnn", epochs, common.quiet || !c.isRoot())) {
            s = trainer.run((e, best) -> {
                progress.message(String.format("loss %.4g val %s %.4g%s", e.trainLoss(), metric, e.valMetric(), best ? " *" : ""));
                progress.step();
            });
        }
        info("trained on %d crystals (%d val, %d test, %d rows skipped): best epoch %d, val %s %.4f%s -> %s",
                s.trainCount(), s.valCount(), s.testCount(), s.skippedRows(), s.bestEpoch(), metric, s.bestValMetric(),
                Double.isNaN(s.testMetric()) ? "" : String.format(", test %s %.4f", metric, s.testMetric()), out.resolve(CgcnnTrainer.BEST));
        return ExitCode.OK;
    }
}
