package org.concdvae.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.concdvae.analysis.symmetry.SpacegroupAnalyzer;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.StructureSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code concdvae analyze symmetry}: space group, crystal system and point group of every structure of the input,
 * as pymatgen's {@code SpacegroupAnalyzer(structure, symprec, angle_tolerance)} (spglib 2.0) reports them.
 */
@Command(name = "symmetry", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Space group (number and international symbol), crystal system and point group of each structure, "
                + "as spglib/pymatgen's SpacegroupAnalyzer reports them. Structures that cannot be read or analysed get "
                + "an 'error' column instead of failing the run.",
                "Examples:",
                "  concdvae analyze symmetry --input gen/cifs --output sym.csv",
                "  concdvae analyze symmetry --input relax/CONTCAR_0012 --output sym.csv --symprec 0.01",
                "  CONCDVAE_VASP4_SPECIES=types concdvae analyze symmetry --input spglib/data/cubic --output sym.csv --symprec 1e-5"})
public class AnalyzeSymmetryCommand extends BaseCommand {
    @Option(names = "--input", paramLabel = "CIF|DIR|CSV", required = true,
            description = StructureSource.INPUT_DESCRIPTION)
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "CSV", required = true,
            description = "Output CSV: id,formula,n_sites,spacegroup_number,spacegroup_symbol,crystal_system,point_group,error.")
    Path output;

    @Option(names = "--symprec", paramLabel = "ANGSTROM", defaultValue = "0.1",
            description = "Distance tolerance in Å (default: ${DEFAULT-VALUE}; pymatgen's own default is 0.01, Con-CDVAE uses 0.2).")
    double symprec;

    @Option(names = "--angle-tolerance", paramLabel = "DEGREES", defaultValue = "5",
            description = "Angle tolerance in degrees for the lattice point group (default: ${DEFAULT-VALUE}).")
    double angleTolerance;

    /** One output row. */
    record Result(String id, String formula, String nSites, String number, String symbol, String system,
                  String pointGroup, String error) {}

    @Override
    protected int run() throws Exception {
        if (!(symprec > 0) || !Double.isFinite(symprec)) throw new UserException("--symprec must be a positive number of Å");
        if (!Double.isFinite(angleTolerance)) throw new UserException("--angle-tolerance must be a number of degrees");
        List<StructureSource.Entry> entries = StructureSource.read(input);
        List<Result> results = ParallelMap.map(entries.size(), common.threads(), "symmetry", common.quiet,
                i -> analyse(entries.get(i)));
        AtomicFiles.writeText(output, w -> {
            CSVPrinter p = new CSVPrinter(w, CSVFormat.RFC4180.builder().setRecordSeparator('\n').build());
            p.printRecord("id", "formula", "n_sites", "spacegroup_number", "spacegroup_symbol", "crystal_system",
                    "point_group", "error");
            for (Result r : results) {
                p.printRecord(r.id(), r.formula(), r.nSites(), r.number(), r.symbol(), r.system(), r.pointGroup(), r.error());
            }
            p.flush();
        });
        int failed = 0;
        Map<String, Integer> systems = new TreeMap<>();
        for (Result r : results) {
            if (!r.error().isEmpty()) failed++;
            else systems.merge(r.system(), 1, Integer::sum);
        }
        info("analysed %d structures at symprec %s Å, angle tolerance %s°: %d ok, %d failed -> %s",
                results.size(), symprec, angleTolerance, results.size() - failed, failed, output);
        if (!systems.isEmpty()) info("crystal systems: %s", systems);
        return ExitCode.OK;
    }

    private Result analyse(StructureSource.Entry e) {
        if (!e.ok()) return new Result(e.id(), "", "", "", "", "", "", e.error());
        String formula = e.structure().composition().reducedFormula();
        String n = Integer.toString(e.structure().size());
        try {
            SpacegroupAnalyzer a = new SpacegroupAnalyzer(e.structure(), symprec, angleTolerance);
            return new Result(e.id(), formula, n, Integer.toString(a.getSpaceGroupNumber()), a.getSpaceGroupSymbol(),
                    a.getCrystalSystem(), a.getPointGroupSymbol(), "");
        } catch (RuntimeException ex) {
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            return new Result(e.id(), formula, n, "", "", "", "", msg.replace('\n', ' '));
        }
    }
}
