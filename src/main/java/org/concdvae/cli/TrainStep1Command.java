package org.concdvae.cli;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.config.TrainingKeys;
import org.concdvae.dist.Collective;
import org.concdvae.train.Step1Trainer;
import org.concdvae.train.TrainingData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code concdvae train-step1}: train the step-one model (VAE + PropEmb + Predictor + score decoder). */
@Command(name = "train-step1", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Train the step-one model (VAE + PropEmb + Predictor + GemNet-T score decoder) as the official trainer:",
                "Adam, clipping by value, ReduceLROnPlateau on val_loss, teacher forcing, validation every epoch.",
                "Writes best/last checkpoints (safetensors + JSON), metrics.csv, metrics_steps.csv, loss_curves.png, "
                        + "config.yaml, lattice_scaler.txt and run.json into --out.",
                "Data-parallel: --replicas R model replicas in this process; under mpirun/srun every process is a rank of one job",
                "(rank 0 writes the outputs). The global batch data.batch_size.train is split over all replicas (docs/training.md)."})
public class TrainStep1Command extends BaseCommand {
    @Override
    protected boolean runsUnderMpi() { return true; }

    @Option(names = "--config", paramLabel = "FILE|PRESET", required = true,
            description = "YAML config (keys as in configs/mp20.yaml, the official hydra keys) or a preset: mp20, mp20-small, mp40, "
                    + "oqmd, mptest, mptest4conz, tiny, mp_20, perov_5, carbon_24.")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. --set optim.optimizer.lr=5e-4 (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--data", paramLabel = "DIR|CSV", required = true,
            description = "Output directory of 'concdvae preprocess', a directory with the CSV splits (data.splits: train.csv, "
                    + "val.csv), or one CSV (split 8:1:1 by --seed).")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Run directory (created if needed).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint (same config, data and seed).")
    boolean resume;

    @Option(names = "--epochs", paramLabel = "N", description = "Total epochs (default: train.max_epochs of the config).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Crystals per batch (default: data.batch_size of the config).")
    Integer batchSize;

    @Mixin
    ReplicasOption replicas = new ReplicasOption();

    @Option(names = "--log-every", paramLabel = "N", defaultValue = "10",
            description = "Write a row of metrics_steps.csv every N training steps (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--max-bad-steps", paramLabel = "K", defaultValue = "20",
            description = "Stop after K consecutive steps with a non-finite loss or gradient (default: ${DEFAULT-VALUE}).")
    int maxBadSteps;

    @Override
    protected String interruptedHint() {
        return "the last finished epoch's checkpoint is in " + out + "; continue with the same command plus --resume";
    }

    @Override
    protected int run() throws Exception {
        if (logEvery < 1) throw new UserException("--log-every must be at least 1");
        if (maxBadSteps < 1) throw new UserException("--max-bad-steps must be at least 1");
        if (epochs != null && epochs < 1) throw new UserException("--epochs must be at least 1");
        if (batchSize != null && batchSize < 2) throw new UserException("--batch-size must be at least 2 (BatchNorm needs two crystals)");
        Config cfg = ConfigLoader.resolve(config, sets);
        TrainingKeys.checkStepOne(cfg, config);
        // train.random_seed is the seed unless --seed is given
        if (!spec.commandLine().getParseResult().hasMatchedOption("--seed")) common.seed = cfg.train().randomSeed();
        int threads = common.threads();
        lockOutput(out, "--out");
        int r = replicas.resolve(cfg);
        Collective c = joinJob();
        info("loading data from %s", data);
        TrainingData d = TrainingData.load(data, cfg, common.seed, threads);
        info("%d training and %d validation crystals", d.train().size(), d.val().size());
        String cmd = "train-step1 --config " + config + (sets.isEmpty() ? "" : " --set " + String.join(" --set ", sets))
                + " --data " + data + " --out " + out + (resume ? " --resume" : "") + (epochs == null ? "" : " --epochs " + epochs)
                + (batchSize == null ? "" : " --batch-size " + batchSize) + (replicas.replicas == null ? "" : " --replicas " + replicas.replicas)
                + " --seed " + common.seed;
        Step1Trainer.Options opt = new Step1Trainer.Options(common.seed, threads, epochs, batchSize, resume, logEvery,
                maxBadSteps, VersionProvider.version(), cmd, r);
        TrainingProgress bar = new TrainingProgress("train-step1", (epoch, t) -> String.format(Locale.ROOT,
                "ep %d loss %.4g (coord %.3g type %.3g lat %.3g natom %.3g comp %.3g kl %.3g pred %.3g)", epoch, t.get("loss"),
                t.get("coord_loss"), t.get("type_loss"), t.get("lattice_loss"), t.get("natom_loss"), t.get("composition_loss"),
                t.get("kld_loss"), t.get("predict_loss")), true, common.quiet || !c.isRoot(), err());
        Step1Trainer.Summary s;
        try {
            Step1Trainer trainer = new Step1Trainer(cfg, d, out, opt, bar, c);
            info("model: %,d trainable parameters; %d replica%s × %d process%s", trainer.model().store().trainableCount(),
                    trainer.replicas(), trainer.replicas() == 1 ? "" : "s", c.size(), c.size() == 1 ? "" : "es");
            s = trainer.run();
        } catch (Step1Trainer.DivergedException e) {
            throw new UserException(e.getMessage());
        } finally {
            bar.close();
        }
        info("done: %d epochs (last %d, %d steps)%s; best val_loss %.5g at epoch %d; train loss %.5g -> %.5g; outputs in %s",
                s.epochsRun(), s.lastEpoch(), s.steps(), s.earlyStopped() ? ", stopped early" : "", s.bestValLoss(),
                s.bestEpoch(), s.firstTrainLoss(), s.lastTrainLoss(), s.outDir());
        return ExitCode.OK;
    }
}
