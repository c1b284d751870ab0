package org.concdvae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.concdvae.eval.Coverage;
import org.concdvae.eval.CoverageFingerprints;
import org.concdvae.eval.MagpieFingerprint;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.StructureSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code concdvae analyze fingerprint}: CDVAE's structure and composition fingerprints per crystal. */
@Command(name = "fingerprint", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"CDVAE's coverage fingerprints of crystal structures:",
                "  struct_fp: matminer CrystalNNFingerprint 'ops' (61 values), mean over sites;",
                "  comp_fp:   matminer ElementProperty 'magpie' (132 values), raw (before CDVAE's scaling).",
                "Output CSV: id,struct_fp,comp_fp (JSON lists; both empty when fingerprinting fails, as CDVAE).",
                "Needs the Magpie element tables (--magpie-data DIR or $" + MagpieFingerprint.ENV + ").",
                "Examples:",
                "  concdvae analyze fingerprint --input data/mp_20/test.csv \\",
                "      --output test_fp.csv --magpie-data magpie_elementdata",
                "  export CONCDVAE_MAGPIE_DATA=magpie_elementdata",
                "  concdvae analyze fingerprint --input samples/cifs --output samples_fp.csv \\",
                "      --threads 8"})
public class AnalyzeFingerprintCommand extends BaseCommand {
    @Option(names = "--input", paramLabel = "CSV|DIR", required = true, description = StructureSource.INPUT_DESCRIPTION)
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "CSV", required = true, description = "Output CSV file (written atomically).")
    Path output;

    @Option(names = "--magpie-data", paramLabel = "DIR",
            description = "Directory of matminer's Magpie tables (<Property>.table); default: $" + MagpieFingerprint.ENV + ".")
    Path magpieData;

    @Override
    protected int run() throws Exception {
        MagpieFingerprint magpie = MagpieFingerprint.fromOptionOrEnvironment(magpieData);
        if (magpie == null) throw new UserException(MagpieFingerprint.missingMessage("analyze fingerprint"));
        List<StructureSource.Entry> entries = StructureSource.read(input);
        CoverageFingerprints fps = new CoverageFingerprints(magpie);
        List<Coverage.Fingerprint> out;
        try (Progress bar = Progress.start("fingerprint", entries.size(), common.quiet)) {
            out = fps.all(entries, common.threads(), bar::step);
        }
        ObjectMapper om = new ObjectMapper();
        AtomicFiles.writeText(output, w -> {
            CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build()); // AtomicFiles closes w
            p.printRecord("id", "struct_fp", "comp_fp");
            for (int i = 0; i < entries.size(); i++) {
                Coverage.Fingerprint f = out.get(i);
                p.printRecord(entries.get(i).id(), f.ok() ? json(f.struct()) : "[]", f.ok() ? json(f.comp()) : "[]");
            }
            p.flush();
        });
        long failed = out.stream().filter(f -> !f.ok()).count();
        info("%d structures fingerprinted, %d failed (empty fingerprints); wrote %s", entries.size() - failed, failed, output);
        return ExitCode.OK;
    }

    /** A JSON list of shortest round-trip doubles; NaN (missing Magpie values) as NaN, as Python's json writes it. */
    static String json(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(Double.isNaN(v[i]) ? "NaN" : Double.toString(v[i]));
        }
        return sb.append(']').toString();
    }
}
