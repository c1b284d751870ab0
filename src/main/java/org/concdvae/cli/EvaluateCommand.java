package org.concdvae.cli;

import org.concdvae.crystal.Structure;
import org.concdvae.eval.EvaluationReport;
import org.concdvae.eval.Metric;
import org.concdvae.eval.PropertyEvaluator;
import org.concdvae.eval.SampleEvaluation;
import org.concdvae.eval.SampleResult;
import org.concdvae.eval.SampleSet;
import org.concdvae.io.StructureSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code concdvae evaluate --samples DIR}: CGCNN properties, crystal system, validity, uniqueness, novelty, property
 * EMDs, success rates per target group and plots (generation.md §6).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {
                EvaluateLatentCommand.class,
                EvaluatePredictCommand.class,
                EvaluateRelaxedCommand.class,
                EvaluateTrainCgcnnCommand.class,
        },
        description = {"Evaluate generated crystals (paper Tables 2 and B1, Figures 2-4):",
                "  per sample: CGCNN predictions, crystal system (symprec 0.2, angle 5),",
                "    CDVAE validity, density, number of elements, nearest reference match;",
                "  per target group: success rates, validity, uniqueness, novelty, EMDs.",
                "Writes evaluation.csv, summary.json, report.md and PNG plots to --out.",
                "Subcommands: predict (CGCNN predictions), train-cgcnn, latent (t-SNE), relaxed (Table 3)."})
public class EvaluateCommand extends BaseCommand {
    @Option(names = "--samples", paramLabel = "DIR",
            description = "Directory of generated CIF files (id = file stem), optionally with samples.csv "
                    + "(id + target_group/label/target/targets and band_gap, formation_energy_per_atom, crystal_system target columns); "
                    + "a 'concdvae sample' output directory (cifs/, samples.csv, run.json) works as is.")
    Path samples;

    @Option(names = "--reference", paramLabel = "CSV",
            description = "Reference crystals (e.g. the training CSV with a cif column) for novelty and the density / "
                    + "number-of-elements EMDs. Without it those metrics are skipped.")
    Path reference;

    @Option(names = "--evaluators", paramLabel = "DIR", arity = "1..*",
            description = "CGCNN evaluator directories or checkpoints (e.g. mpall20_bg mpall20_Cbg mpall20_fm mpall20_Cfm); "
                    + "the property comes from the name (bg/Cbg band gap, fm/Cfm formation energy). Without them property "
                    + "metrics are skipped.")
    List<Path> evaluators = new ArrayList<>();

    @Option(names = "--atom-features", paramLabel = "FILE",
            description = "CGCNN atom_init.json (default: searched next to each evaluator and in its parent directory).")
    Path atomFeatures;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (created if needed).")
    Path out;

    @Override
    protected String interruptedHint() {
        return "the report in " + out + " is written only at the end; rerun the command";
    }

    @Override
    protected int run() {
        if (samples == null && out == null) {
            throw new UserException("give --samples DIR --out DIR, or choose a subcommand (see 'concdvae evaluate --help')");
        }
        if (samples == null || out == null) {
            throw new UserException("evaluate needs both --samples DIR and --out DIR (see 'concdvae evaluate --help')");
        }
        lockOutput(out, "--out");
        SampleSet set = SampleSet.read(samples);
        List<PropertyEvaluator> evs = new ArrayList<>();
        for (Path p : evaluators) evs.add(PropertyEvaluator.load(p, atomFeatures));
        SampleEvaluation.ReferenceSet ref = null;
        if (reference != null) {
            List<StructureSource.Entry> entries = StructureSource.read(reference);
            try (Progress bar = Progress.start("reference", entries.size(), common.quiet)) {
                ref = new SampleEvaluation.ReferenceSet(entries, common.threads(), bar::step);
            }
        }
        SampleEvaluation evaluation = new SampleEvaluation(evs, ref, common.threads());
        List<SampleResult> results;
        try (Progress bar = Progress.start("evaluate", set.entries().size(), common.quiet)) {
            results = evaluation.run(set, bar::step);
        }
        List<Structure> structures = set.entries().stream().map(e -> e.ok() ? e.structure() : null).toList();
        EvaluationReport report = new EvaluationReport(results, structures, evs, evaluation, ref);
        report.write(out);
        if (!common.quiet) {
            for (Metric m : report.metrics()) {
                if (m.group().equals(Metric.ALL) || m.name().startsWith("success")) {
                    info("%-22s %-28s %s", m.name(), m.group(), m.formatted() + (m.available() ? "" : " (" + m.note() + ")"));
                }
            }
        }
        info("%d samples evaluated; wrote %s, %s, %s and plots to %s", results.size(), EvaluationReport.REPORT,
                EvaluationReport.SUMMARY, EvaluationReport.CSV, out);
        return ExitCode.OK;
    }
}
