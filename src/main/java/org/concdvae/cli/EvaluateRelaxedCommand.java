package org.concdvae.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.concdvae.eval.RelaxationComparison;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.StructureSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code concdvae evaluate relaxed}: lattice changes and RMSD between generated and relaxed crystals (paper Table 3). */
@Command(name = "relaxed", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Compare generated crystals with their relaxed versions (paper Table 3):",
                "per pair (same id / file stem) |change| of a, b, c (A) and alpha, beta, gamma (deg)",
                "and the StructureMatcher(ltol 0.2, stol 0.3, angle_tol 5) RMS distance (pymatgen's",
                "get_rms_dist: normalised by (V/n)^(1/3)); means over pairs (MAC) and over matches.",
                "Writes relaxed.csv, summary.json and report.md to --out."})
public class EvaluateRelaxedCommand extends BaseCommand {
    @Option(names = "--generated", required = true, paramLabel = "DIR", description = "Generated crystals: " + StructureSource.INPUT_DESCRIPTION)
    Path generated;

    @Option(names = "--relaxed", required = true, paramLabel = "DIR", description = "Relaxed crystals, same ids: " + StructureSource.INPUT_DESCRIPTION)
    Path relaxed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if needed).")
    Path out;

    @Override
    protected int run() throws Exception {
        lockOutput(out, "--out");
        List<StructureSource.Entry> gen = StructureSource.read(generated);
        List<StructureSource.Entry> rel = StructureSource.read(relaxed);
        RelaxationComparison.Result r;
        try (Progress bar = Progress.start("compare", Math.min(gen.size(), rel.size()), common.quiet)) {
            r = RelaxationComparison.compare(gen, rel, common.threads(), bar::step);
        }
        if (r.pairs().isEmpty()) throw new UserException("no generated and relaxed crystals share an id (file stem / id column)");
        Files.createDirectories(out);
        AtomicFiles.writeText(out.resolve("relaxed.csv"), w -> {
            CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build());
            List<Object> head = new ArrayList<>(List.of("id"));
            RelaxationComparison.PARAMETERS.forEach(k -> head.add("abs_change_" + k));
            head.addAll(List.of("rmsd", "matched", "error"));
            p.printRecord(head);
            for (RelaxationComparison.Pair x : r.pairs()) {
                List<Object> row = new ArrayList<>(List.of(x.id()));
                for (int k = 0; k < 6; k++) row.add(x.change() == null ? "" : num(x.change()[k]));
                row.addAll(List.of(num(x.rmsd()), x.matched(), x.error() == null ? "" : x.error()));
                p.printRecord(row);
            }
            p.flush();
        });
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("pairs", r.pairs().size());
        summary.put("matched", r.matched());
        for (int k = 0; k < 6; k++) summary.put("mac_" + RelaxationComparison.PARAMETERS.get(k), finite(r.mac()[k]));
        summary.put("mean_rmsd", finite(r.meanRmsd()));
        summary.put("only_generated", r.onlyGenerated());
        summary.put("only_relaxed", r.onlyRelaxed());
        AtomicFiles.writeString(out.resolve("summary.json"),
                new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
        StringBuilder md = new StringBuilder("# Generated vs relaxed crystals\n\n");
        md.append(String.format(Locale.ROOT, "%d pairs, %d matched by StructureMatcher(ltol 0.2, stol 0.3, angle_tol 5).%n%n",
                r.pairs().size(), r.matched()));
        md.append("| MAC a (Å) | MAC b (Å) | MAC c (Å) | MAC α (°) | MAC β (°) | MAC γ (°) | RMSD |\n|---|---|---|---|---|---|---|\n|");
        for (double v : r.mac()) md.append(' ').append(num(v)).append(" |");
        md.append(' ').append(num(r.meanRmsd())).append(" |\n\n");
        md.append("MAC: mean over pairs of the absolute change of each lattice parameter. RMSD: mean over matched pairs of ")
                .append("pymatgen's get_rms_dist (normalised by (V/n)^(1/3)), as the paper's Table 3.\n");
        if (!r.onlyGenerated().isEmpty() || !r.onlyRelaxed().isEmpty()) {
            md.append(String.format(Locale.ROOT, "%nUnpaired: %d generated without a relaxed crystal, %d relaxed without a generated one.%n",
                    r.onlyGenerated().size(), r.onlyRelaxed().size()));
        }
        AtomicFiles.writeString(out.resolve("report.md"), md.toString());
        info("%d pairs (%d matched): MAC a %s b %s c %s Å, α %s β %s γ %s °, mean RMSD %s; wrote %s", r.pairs().size(), r.matched(),
                num(r.mac()[0]), num(r.mac()[1]), num(r.mac()[2]), num(r.mac()[3]), num(r.mac()[4]), num(r.mac()[5]), num(r.meanRmsd()), out);
        return ExitCode.OK;
    }

    private static Double finite(double v) { return Double.isFinite(v) ? v : null; }

    private static String num(double v) { return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : ""; }
}
