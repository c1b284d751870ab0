package org.concdvae.cli;

import org.concdvae.eval.CgcnnImport;
import org.concdvae.model.OfficialImport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code concdvae import}: official PyTorch checkpoints → this project's directories. Step one (+ priors) → a model
 * directory for {@code sample} / {@code train-prior}; {@code --kind cgcnn} → an evaluator directory for
 * {@code evaluate predict}. Files are read without running any pickled code.
 */
@Command(name = "import", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Import official Con-CDVAE PyTorch checkpoints (no Python needed).",
                "Default (--kind model): a step-one Lightning checkpoint (.ckpt) with its hydra hparams.yaml and lattice scaler,",
                "and optionally its prior checkpoints, become a model directory that 'sample' and 'train-prior' use directly.",
                "--kind cgcnn: a CGCNN model_best.pth.tar becomes an evaluator directory for 'evaluate predict --evaluator DIR'.",
                "Tensors are matched strictly by their official state_dict names: every missing, unexpected or mis-shaped tensor",
                "is listed in one error and nothing is written. Pickles are never executed; unknown code references are refused."})
public class ImportCommand extends BaseCommand {
    enum Kind { model, cgcnn }

    @Option(names = "--kind", paramLabel = "KIND", defaultValue = "model",
            description = "What the checkpoint is: 'model' (Con-CDVAE step one, default) or 'cgcnn' (a CGCNN evaluator).")
    Kind kind;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "The official checkpoint: a Lightning .ckpt (model) or a CGCNN .pth.tar (cgcnn; a directory holding model_best.pth.tar also works).")
    Path checkpoint;

    @Option(names = "--hparams", paramLabel = "FILE",
            description = "The run's hydra hparams.yaml (or a JSON/YAML of the model's hyper-parameters). Default: the checkpoint's own hyper_parameters.")
    Path hparams;

    @Option(names = "--lattice-scaler", paramLabel = "FILE",
            description = "The run's lattice scaler: lattice_scaler.txt (6 means, 6 stds) or the torch.save'd lattice_scaler.pt."
                    + " Default: one of these names beside the checkpoint.")
    Path latticeScaler;

    @ArgGroup(exclusive = false, multiplicity = "0..*", heading = "Prior checkpoints (repeat the group for several priors):%n")
    List<PriorGroup> priors = new ArrayList<>();

    static class PriorGroup {
        @Option(names = "--prior", required = true, paramLabel = "FILE",
                description = "A prior checkpoint (.ckpt) trained on this model; its frozen '_model.*' copy of step one is skipped.")
        Path file;

        @Option(names = "--prior-label", required = true, paramLabel = "LABEL",
                description = "Label of that prior: prior_default or prior_full (the name 'sample --prior' takes).")
        String label;

        @Option(names = "--prior-hparams", paramLabel = "FILE",
                description = "Hyper-parameters of that prior (hparams_prior_*.yaml). Default: the checkpoint's own.")
        Path hparams;
    }

    @Option(names = "--atom-features", paramLabel = "FILE",
            description = "cgcnn only: CGCNN's atom_init.json (92 features per element; not shipped with this project)."
                    + " Default: atom_init.json beside the checkpoint or in its parent directory.")
    Path atomFeatures;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to create (must not exist).")
    Path out;

    @Override
    protected int run() {
        if (kind == Kind.cgcnn) {
            if (hparams != null || latticeScaler != null || !priors.isEmpty()) {
                throw new UserException("--hparams, --lattice-scaler and --prior apply to --kind model, not cgcnn");
            }
            CgcnnImport.Summary s = CgcnnImport.run(checkpoint, atomFeatures, out);
            var a = s.args();
            info("imported CGCNN %s (atom_fea_len %d, n_conv %d, h_fea_len %d, n_h %d; normaliser mean %s, std %s) into %s",
                    a.classification() ? "classifier" : "regressor", a.atomFeaLen(), a.nConv(), a.hFeaLen(), a.nH(),
                    fmt(s.mean()), fmt(s.std()), out);
            info("use it with: concdvae evaluate predict --evaluator %s", out);
            return ExitCode.OK;
        }
        if (atomFeatures != null) throw new UserException("--atom-features applies to --kind cgcnn");
        List<OfficialImport.PriorSource> ps = new ArrayList<>();
        for (PriorGroup g : priors) ps.add(new OfficialImport.PriorSource(g.file, g.label, g.hparams));
        OfficialImport.Summary s = OfficialImport.run(new OfficialImport.Request(checkpoint, hparams, latticeScaler, ps, out), m -> info("%s", m));
        if (!s.droppedKeys().isEmpty()) {
            info("%d official keys have no counterpart here and were dropped (listed in %s): %s", s.droppedKeys().size(),
                    OfficialImport.RECORD, abbreviate(s.droppedKeys()));
        }
        info("model directory %s: step one (%d tensors)%s, lattice scaler from %s", out, s.stepOneTensors(),
                s.priorLabels().isEmpty() ? "" : ", priors " + String.join(", ", s.priorLabels()), s.latticeScaler());
        return ExitCode.OK;
    }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.6g", v); }

    private static String abbreviate(List<String> l) {
        return l.size() <= 8 ? String.join(", ", l) : String.join(", ", l.subList(0, 8)) + ", … (+" + (l.size() - 8) + ")";
    }
}
