package org.concdvae.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.concdvae.analysis.Validity;
import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.StructureSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code concdvae analyze validity}: CDVAE's structural and compositional (SMACT) validity per structure. */
@Command(name = "validity", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"CDVAE validity of crystal structures:",
                "  structural: min. distance between distinct sites >= 0.5 A,",
                "    volume >= 0.1 A^3;",
                "  compositional: SMACT 2.2 charge neutrality + Pauling electronegativity",
                "    test (single elements and all-metal compositions pass).",
                "Output CSV: id,formula,struct_valid,comp_valid,valid,min_dist,volume,error",
                "Examples:",
                "  concdvae analyze validity --input gen/cifs --output validity.csv",
                "  concdvae analyze validity --input samples/samples.extxyz --output validity.csv"})
public class AnalyzeValidityCommand extends BaseCommand {
    @Option(names = "--input", paramLabel = "CIF|DIR|CSV", required = true,
            description = StructureSource.INPUT_DESCRIPTION)
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "CSV", required = true, description = "Output CSV file (written atomically).")
    Path output;

    private record Row(String formula, Validity.Result result, String error) {}

    @Override
    protected int run() throws Exception {
        List<StructureSource.Entry> entries = StructureSource.read(input);
        List<Row> rows = ParallelMap.map(entries.size(), common.threads(), "validity", common.quiet, i -> {
            StructureSource.Entry e = entries.get(i);
            if (!e.ok()) return new Row("", null, e.error());
            try {
                return new Row(e.structure().composition().reducedFormula(), Validity.check(e.structure()), null);
            } catch (InvalidStructureException ex) {
                return new Row("", null, ex.getMessage());
            }
        });
        AtomicFiles.writeText(output, w -> {
            CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build()); // AtomicFiles closes w
            out.printRecord("id", "formula", "struct_valid", "comp_valid", "valid", "min_dist", "volume", "error");
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                Validity.Result v = r.result;
                if (v == null) {
                    out.printRecord(entries.get(i).id(), r.formula, "False", "False", "False", "", "", r.error);
                } else {
                    out.printRecord(entries.get(i).id(), r.formula, py(v.structValid()), py(v.compValid()), py(v.valid()),
                            Double.isNaN(v.minDist()) ? "" : AnalyzeMatchCommand.num(v.minDist()),
                            AnalyzeMatchCommand.num(v.volume()), "");
                }
            }
            out.flush();
        });
        int n = rows.size();
        long struct = rows.stream().filter(r -> r.result != null && r.result.structValid()).count();
        long comp = rows.stream().filter(r -> r.result != null && r.result.compValid()).count();
        long valid = rows.stream().filter(r -> r.result != null && r.result.valid()).count();
        long errors = rows.stream().filter(r -> r.error != null).count();
        info("%d structures: struct valid %.2f%%, comp valid %.2f%%, valid %.2f%%, %d unreadable (counted invalid); wrote %s",
                n, 100.0 * struct / n, 100.0 * comp / n, 100.0 * valid / n, errors, output);
        return ExitCode.OK;
    }

    private static String py(boolean b) { return b ? "True" : "False"; }
}
