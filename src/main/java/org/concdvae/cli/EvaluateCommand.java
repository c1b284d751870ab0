package org.concdvae.cli;

import org.concdvae.crystal.Structure;
import org.concdvae.eval.Coverage;
import org.concdvae.eval.CoverageFingerprints;
import org.concdvae.eval.CoverageReport;
import org.concdvae.eval.EvaluationReport;
import org.concdvae.eval.MagpieFingerprint;
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
                "  per target group: success rates, validity, uniqueness, novelty, EMDs;",
                "  with --coverage-reference: CDVAE's COV-R / COV-P / AMSD / AMCD, density and",
                "    element-count EMDs against that set, and the coverage-vs-cutoff plot.",
                "Writes evaluation.csv, summary.json, report.md and PNG plots to --out.",
                "Subcommands: predict (CGCNN predictions), train-cgcnn, latent (t-SNE), relaxed (Table 3).",
                "Examples:",
                "  concdvae evaluate --samples runs/sample1 --out runs/sample1/eval \\",
                "      --reference data/mp_20/train.csv",
                "  concdvae evaluate --samples runs/sample1 --out runs/sample1/eval \\",
                "      --coverage-reference data/mp_20/test.csv --coverage-dataset mp20 \\",
                "      --magpie-data magpie_elementdata"})
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

    @Option(names = "--coverage-reference", paramLabel = "CSV",
            description = "Reference crystals for CDVAE's COV-R / COV-P and its density / element-count EMDs (CDVAE uses the "
                    + "test split, e.g. data/mp_20/test.csv). Needs --coverage-dataset and the Magpie tables. Its fingerprints "
                    + "are cached beside it.")
    Path coverageReference;

    @Option(names = "--coverage-dataset", paramLabel = "NAME",
            description = "mp20, perov_5 or carbon_24: CDVAE's coverage cutoffs (structure/composition 0.4/10, 0.2/4, 0.2/4).")
    String coverageDataset;

    @Option(names = "--magpie-data", paramLabel = "DIR",
            description = "Directory of matminer's Magpie element tables (<Property>.table) for the composition fingerprints "
                    + "of coverage; default: $" + MagpieFingerprint.ENV + ". See docs/coverage.md.")
    Path magpieData;

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
        MagpieFingerprint magpie = null;
        Coverage.Cutoffs cutoffs = null;
        if (coverageReference != null) {
            if (coverageDataset == null) throw new UserException("--coverage-reference needs --coverage-dataset mp20|perov_5|carbon_24 (it selects CDVAE's cutoffs)");
            cutoffs = Coverage.Cutoffs.forDataset(coverageDataset);
            magpie = MagpieFingerprint.fromOptionOrEnvironment(magpieData);
            if (magpie == null) throw new UserException(MagpieFingerprint.missingMessage("--coverage-reference"));
        } else if (coverageDataset != null || magpieData != null) {
            throw new UserException((coverageDataset != null ? "--coverage-dataset" : "--magpie-data") + " needs --coverage-reference CSV");
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
        CoverageReport coverage = null;
        if (coverageReference != null) {
            CoverageFingerprints fps = new CoverageFingerprints(magpie);
            List<StructureSource.Entry> covRef = StructureSource.read(coverageReference);
            CoverageFingerprints.Cached refFps;
            try (Progress bar = Progress.start("coverage reference", covRef.size(), common.quiet)) {
                refFps = fps.cached(coverageReference, covRef, common.threads(), bar::step);
            }
            if (refFps.warning() != null) err().println("warning: " + refFps.warning());
            List<Coverage.Fingerprint> genFps;
            try (Progress bar = Progress.start("coverage fingerprints", set.entries().size(), common.quiet)) {
                genFps = fps.all(set.entries(), common.threads(), bar::step);
            }
            coverage = CoverageReport.compute(coverageDataset, cutoffs, set.entries(), genFps, covRef, refFps.fingerprints(),
                    common.threads());
        }
        EvaluationReport report = new EvaluationReport(results, structures, evs, evaluation, ref, coverage);
        report.write(out);
        if (!common.quiet) {
            for (Metric m : report.metrics()) {
                if (m.group().equals(Metric.ALL) || m.name().startsWith("success")) {
                    info("%-22s %-28s %s", m.name(), m.group(), m.formatted() + (m.available() ? "" : " (" + m.note() + ")"));
                }
            }
        }
        if (coverage != null) {
            Coverage.Result r = coverage.result();
            info("%-22s %-28s %.4f  (cutoffs %s / %s, %d references)", "cov_recall", Metric.ALL, r.covRecall(),
                    r.cutoffs().struct(), r.cutoffs().comp(), r.nRef());
            info("%-22s %-28s %.4f  (%d of %d samples fingerprinted)", "cov_precision", Metric.ALL, r.covPrecision(), r.nGenFpOk(), r.nGen());
        }
        info("%d samples evaluated; wrote %s, %s, %s and plots to %s", results.size(), EvaluationReport.REPORT,
                EvaluationReport.SUMMARY, EvaluationReport.CSV, out);
        return ExitCode.OK;
    }
}
