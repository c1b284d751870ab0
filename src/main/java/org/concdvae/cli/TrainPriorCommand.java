package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.config.TrainingKeys;
import org.concdvae.dist.Collective;
import org.concdvae.model.ConCdvae;
import org.concdvae.model.ModelDirectory;
import org.concdvae.train.PriorTrainer;
import org.concdvae.train.Step1Trainer;
import org.concdvae.train.TrainingData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code concdvae train-prior}: train the latent DDPM prior (step two) next to a trained step-one model. */
@Command(name = "train-prior", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Train the latent DDPM prior (step two) on a trained step-one model:",
                "targets are the frozen encoder's posterior means; Adam, clipping by value,",
                "ReduceLROnPlateau on val_loss (prior.optim / prior.train of the config).",
                "Writes LABEL.safetensors (best), LABEL-last.safetensors, LABEL-config.yaml,",
                "LABEL-metrics.csv and LABEL-run.json into the model directory.",
                "Data-parallel as train-step1: --replicas R per process, mpirun/srun for several processes (docs/training.md).",
                "Examples:",
                "  concdvae train-prior --model runs/mp20",
                "  concdvae train-prior --model runs/mp20 --label dens --conditions dens.yaml --replicas 4 --threads 4",
                "  mpirun -np 2 ./concdvae train-prior --model runs/mp20 --replicas 8 --threads 8"})
public class TrainPriorCommand extends BaseCommand {
    @Override
    protected boolean runsUnderMpi() { return true; }

    /** The 'full' condition set (HEAD mp_full, prior.md §3.2) comes from this built-in preset's prior section. */
    static final String FULL_PRESET = "mptest4conz";

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "Model directory of 'concdvae train-step1'.")
    Path model;

    @Option(names = "--label", paramLabel = "LABEL", defaultValue = "prior_default",
            description = "Prior name: prior_default (the step-one conditions), prior_full (crystal system, space group, "
                    + "formation energy, band gap, E_hull, atom count) or any name with --conditions (default: ${DEFAULT-VALUE}).")
    String label;

    @Option(names = "--conditions", paramLabel = "FILE",
            description = "YAML condition set for the prior (a 'conditionmodel' mapping: n_features, n_layers, condition_embeddings).")
    Path conditions;

    @Option(names = "--data", paramLabel = "DIR|CSV",
            description = "Training data as for train-step1 (default: the data the step-one model was trained on, from its run.json).")
    Path data;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. --set prior.optim.optimizer.lr=5e-4 (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--resume", description = "Continue the prior LABEL from its last checkpoint (same settings, data and seed).")
    boolean resume;

    @Option(names = "--epochs", paramLabel = "N", description = "Total epochs (default: prior.train.max_epochs, 100).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Crystals per batch (default: data.batch_size.train).")
    Integer batchSize;

    @Mixin
    ReplicasOption replicas = new ReplicasOption();

    @Option(names = "--log-every", paramLabel = "N", defaultValue = "10",
            description = "Write a row of LABEL-metrics_steps.csv every N steps (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Override
    protected String interruptedHint() {
        return "the last finished epoch's checkpoint of '" + label + "' is in " + model + "; continue with the same command plus --resume";
    }

    @Override
    protected int run() throws Exception {
        if (logEvery < 1) throw new UserException("--log-every must be at least 1");
        if (epochs != null && epochs < 1) throw new UserException("--epochs must be at least 1");
        if (batchSize != null && batchSize < 1) throw new UserException("--batch-size must be at least 1");
        ModelDirectory.checkLabel(label);
        ModelDirectory dir = ModelDirectory.open(model);
        Config cfg = priorConfig(dir);
        TrainingKeys.checkPrior(cfg, dir.path().resolve(ModelDirectory.CONFIG) + (sets.isEmpty() ? "" : " with --set"));
        // prior.train.random_seed is the seed unless --seed is given
        if (!spec.commandLine().getParseResult().hasMatchedOption("--seed")) common.seed = cfg.prior().train().randomSeed();
        int threads = common.threads();
        // one prior per label may train at a time; step one must not be training into the same directory meanwhile
        lockOutput(model, ".concdvae-" + label + ".lock", "--label");
        checkNotLocked(model, "--model");
        Collective c = joinJob();
        Path dataPath = data != null ? data : dataOfRun(dir);
        info("loading data from %s", dataPath);
        TrainingData d = TrainingData.load(dataPath, cfg, common.seed, threads);
        info("%d training and %d validation crystals; prior '%s' on %s", d.train().size(), d.val().size(), label,
                String.join(", ", names(cfg)));
        ConCdvae stepOne = dir.loadStepOne();
        String cmd = "train-prior --model " + model + " --label " + label + (conditions == null ? "" : " --conditions " + conditions)
                + " --data " + dataPath + (sets.isEmpty() ? "" : " --set " + String.join(" --set ", sets)) + (resume ? " --resume" : "")
                + (epochs == null ? "" : " --epochs " + epochs) + (batchSize == null ? "" : " --batch-size " + batchSize)
                + (replicas.replicas == null ? "" : " --replicas " + replicas.replicas) + " --seed " + common.seed;
        PriorTrainer.Options opt = new PriorTrainer.Options(common.seed, threads, epochs, batchSize, resume, logEvery, VersionProvider.version(), cmd,
                replicas.resolve(cfg));
        TrainingProgress bar = new TrainingProgress("train-prior", (epoch, t) -> String.format(Locale.ROOT, "ep %d loss %.4g", epoch, t.get("loss")),
                false, common.quiet || !c.isRoot(), err());
        PriorTrainer.Summary s;
        try {
            PriorTrainer trainer = new PriorTrainer(cfg, dir, d, opt, bar, c);
            info("prior: %,d trainable parameters; %d replica%s × %d process%s", trainer.prior().store().trainableCount(),
                    trainer.replicas(), trainer.replicas() == 1 ? "" : "s", c.size(), c.size() == 1 ? "" : "es");
            s = trainer.run(stepOne);
        } finally {
            bar.close();
        }
        info("done: %d epochs (last %d, %d steps)%s; best val_loss %.5g at epoch %d; train loss %.5g -> %.5g; prior in %s",
                s.epochsRun(), s.lastEpoch(), s.steps(), s.earlyStopped() ? ", stopped early" : "", s.bestValLoss(), s.bestEpoch(),
                s.firstTrainLoss(), s.lastTrainLoss(), s.weights());
        return ExitCode.OK;
    }

    /** The step-one config with the prior section for this label: its conditions, the label, then --set. */
    private Config priorConfig(ModelDirectory dir) throws IOException {
        List<String> over = new ArrayList<>();
        over.add("prior.label=" + label);
        String set = null;
        if (conditions != null) {
            if (!Files.isRegularFile(conditions)) throw new UserException(conditions + ": condition file not found");
            set = Files.readString(conditions, StandardCharsets.UTF_8);
            JsonNode n = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(set);
            if (n != null && n.has("conditionmodel")) set = n.get("conditionmodel").toString();
            else if (n != null && n.has("prior") && n.get("prior").has("conditionmodel")) set = n.get("prior").get("conditionmodel").toString();
            else if (n != null) set = n.toString();
        } else if (label.equals("prior_full")) {
            set = ConfigLoader.toTree(ConfigLoader.resolve(FULL_PRESET, List.of()).prior().conditionmodel()).toString();
        }
        if (set != null) over.add("prior.conditionmodel=" + set);
        over.addAll(sets);
        return ConfigLoader.loadSaved(dir.path().resolve(ModelDirectory.CONFIG), over);
    }

    private static List<String> names(Config cfg) {
        List<String> n = new ArrayList<>();
        for (Config.ConditionEmbedding e : cfg.prior().conditionmodel().conditionEmbeddings()) n.add(e.conditionName());
        return n;
    }

    private static Path dataOfRun(ModelDirectory dir) throws IOException {
        Path run = dir.path().resolve(Step1Trainer.RUN);
        if (Files.isRegularFile(run)) {
            JsonNode n = new ObjectMapper().readTree(run.toFile());
            if (n.hasNonNull("data")) return Path.of(n.get("data").asText());
        }
        throw new UserException(dir.path() + ": no --data given and the step-one run.json does not name its data");
    }
}
