package org.concdvae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.eval.Coverage;
import org.concdvae.eval.CoverageFingerprints;
import org.concdvae.eval.CoverageReport;
import org.concdvae.eval.MagpieFingerprint;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.StructureSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code concdvae analyze coverage}: CDVAE's COV-R / COV-P of a generated set against a reference set. */
@Command(name = "coverage", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"CDVAE's coverage of generated crystals against reference crystals (compute_cov):",
                "  COV-R: share of references with a generated crystal within both fingerprint cutoffs;",
                "  COV-P: share of generated crystals with a reference within both cutoffs",
                "         (denominator: all generated crystals, including those that fail fingerprinting);",
                "  plus AMSD/AMCD and the density / number-of-elements EMDs (valid generated vs all references).",
                "Cutoffs (structure/composition): mp20 0.4/10, perov_5 0.2/4, carbon_24 0.2/4.",
                "Reference fingerprints are cached beside the reference input (" + CoverageFingerprints.CACHE_SUFFIX + ").",
                "Needs the Magpie element tables (--magpie-data DIR or $" + MagpieFingerprint.ENV + ").",
                "Output JSON: cov_recall, cov_precision, amsd/amcd, wdist_*, counts, cutoffs, cov_vs_struc_cutoff.",
                "Examples:",
                "  concdvae analyze coverage --generated samples/cifs \\",
                "      --reference data/mp_20/test.csv --dataset mp20 \\",
                "      --output coverage.json --magpie-data magpie_elementdata",
                "  concdvae analyze coverage --generated gen.csv \\",
                "      --reference data/perov_5/test.csv --dataset perov_5 \\",
                "      --struct-cutoff 0.3 --output cov.json"})
public class AnalyzeCoverageCommand extends BaseCommand {
    @Option(names = "--generated", paramLabel = "CSV|DIR", required = true, description = "Generated crystals. " + StructureSource.INPUT_DESCRIPTION)
    Path generated;

    @Option(names = "--reference", paramLabel = "CSV|DIR", required = true,
            description = "Reference crystals (CDVAE uses the test split), e.g. the data set's test.csv.")
    Path reference;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "mp20, perov_5 or carbon_24: selects CDVAE's cutoffs. Required unless both cutoffs are given.")
    String dataset;

    @Option(names = "--struct-cutoff", paramLabel = "X", description = "Structure fingerprint distance cutoff (overrides the data set's).")
    Double structCutoff;

    @Option(names = "--comp-cutoff", paramLabel = "Y", description = "Composition fingerprint distance cutoff (overrides the data set's).")
    Double compCutoff;

    @Option(names = {"-o", "--output"}, paramLabel = "JSON", required = true, description = "Output JSON file (written atomically).")
    Path output;

    @Option(names = "--magpie-data", paramLabel = "DIR",
            description = "Directory of matminer's Magpie tables (<Property>.table); default: $" + MagpieFingerprint.ENV + ".")
    Path magpieData;

    /** The cutoffs from --dataset and the overrides; a user error if neither determines them. */
    static Coverage.Cutoffs cutoffs(String dataset, Double struct, Double comp) {
        Coverage.Cutoffs base = dataset == null ? null : Coverage.Cutoffs.forDataset(dataset);
        if (base == null && (struct == null || comp == null)) {
            throw new UserException("give --dataset mp20|perov_5|carbon_24, or both --struct-cutoff and --comp-cutoff");
        }
        double s = struct != null ? struct : base.struct(), c = comp != null ? comp : base.comp();
        if (!(s >= 0) || !(c >= 0) || !Double.isFinite(s) || !Double.isFinite(c)) throw new UserException("coverage cutoffs must be finite and >= 0");
        return new Coverage.Cutoffs(s, c);
    }

    @Override
    protected int run() throws Exception {
        Coverage.Cutoffs cut = cutoffs(dataset, structCutoff, compCutoff);
        MagpieFingerprint magpie = MagpieFingerprint.fromOptionOrEnvironment(magpieData);
        if (magpie == null) throw new UserException(MagpieFingerprint.missingMessage("coverage"));
        CoverageFingerprints fps = new CoverageFingerprints(magpie);
        List<StructureSource.Entry> ref = StructureSource.read(reference);
        List<StructureSource.Entry> gen = StructureSource.read(generated);
        CoverageFingerprints.Cached refFps;
        try (Progress bar = Progress.start("reference fingerprints", ref.size(), common.quiet)) {
            refFps = fps.cached(reference, ref, common.threads(), bar::step);
        }
        if (refFps.warning() != null) err().println("warning: " + refFps.warning());
        List<org.concdvae.eval.Coverage.Fingerprint> genFps;
        try (Progress bar = Progress.start("generated fingerprints", gen.size(), common.quiet)) {
            genFps = fps.all(gen, common.threads(), bar::step);
        }
        CoverageReport report = CoverageReport.compute(dataset == null ? "" : dataset, cut, gen, genFps, ref, refFps.fingerprints(), common.threads());
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = report.toJson(om);
        root.put("reference_fingerprints_cached", refFps.fromCache());
        AtomicFiles.writeString(output, om.writeValueAsString(root) + "\n");
        Coverage.Result r = report.result();
        info("COV-R %.4f  COV-P %.4f  (structure cutoff %s, composition cutoff %s; %d references, %d generated, %d fingerprinted); wrote %s",
                r.covRecall(), r.covPrecision(), cut.struct(), cut.comp(), r.nRef(), r.nGen(), r.nGenFpOk(), output);
        return ExitCode.OK;
    }
}
