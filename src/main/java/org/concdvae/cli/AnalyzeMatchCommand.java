package org.concdvae.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.analysis.StructureMatcher;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.StructureSource;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code concdvae analyze match}: pymatgen-equivalent StructureMatcher on structure pairs, or each generated structure
 * against a reference set (its best match by RMS, as CDVAE's match rate counts it).
 */
@Command(name = "match", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Compare crystals with a StructureMatcher equivalent to pymatgen 2022.11.7",
                "(species comparator, pymatgen primitive cells, volume scaling).",
                "  --pairs FILE: CSV id_a,cif_a,id_b,cif_b -> id_a,id_b,fit,rms,max_dist",
                "  --generated X --reference Y: best reference match (lowest rms) of each",
                "    generated structure.",
                "rms, max_dist: get_rms_dist normalised by (V/n)^(1/3), empty when no",
                "mapping has rms < stol; fit requires the LARGEST distance < stol."})
public class AnalyzeMatchCommand extends BaseCommand {
    static class Mode {
        @Option(names = "--pairs", paramLabel = "CSV", required = true,
                description = "CSV of pairs with columns id_a,cif_a,id_b,cif_b (CIF texts in quoted fields).")
        Path pairs;

        @ArgGroup(exclusive = false)
        GenRef genRef;
    }

    static class GenRef {
        @Option(names = "--generated", paramLabel = "INPUT", required = true,
                description = "Generated structures: a CIF file, a directory of CIFs, or a CSV with a cif column.")
        Path generated;

        @Option(names = "--reference", paramLabel = "INPUT", required = true,
                description = "Reference structures (same input kinds as --generated).")
        Path reference;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    @Option(names = {"-o", "--output"}, paramLabel = "CSV", required = true, description = "Output CSV file (written atomically).")
    Path output;

    @Option(names = "--ltol", paramLabel = "X", defaultValue = "0.2",
            description = "Fractional lattice-length tolerance (default: ${DEFAULT-VALUE}; CDVAE's metric uses 0.3).")
    double ltol;

    @Option(names = "--stol", paramLabel = "X", defaultValue = "0.3",
            description = "Site tolerance as a fraction of (V/n)^(1/3) (default: ${DEFAULT-VALUE}; CDVAE uses 0.5).")
    double stol;

    @Option(names = "--angle-tol", paramLabel = "DEG", defaultValue = "5",
            description = "Lattice angle tolerance in degrees (default: ${DEFAULT-VALUE}; CDVAE uses 10).")
    double angleTol;

    @Override
    protected int run() throws Exception {
        StructureMatcher matcher = matcher(ltol, stol, angleTol);
        if (mode.pairs != null) return runPairs(matcher);
        return runGeneratedVsReference(matcher);
    }

    static StructureMatcher matcher(double ltol, double stol, double angleTol) {
        if (!(ltol > 0) || !(stol > 0) || !(angleTol > 0)) {
            throw new UserException("--ltol, --stol and --angle-tol must be positive");
        }
        return new StructureMatcher(ltol, stol, angleTol);
    }

    private record PairResult(Boolean fit, StructureMatcher.RmsDist rms, String error) {}

    private int runPairs(StructureMatcher matcher) throws IOException {
        List<PairsCsv.PairRow> rows = PairsCsv.read(mode.pairs);
        // the same CIF text is reduced once even when it appears in many pairs
        Map<String, Object> cache = new ConcurrentHashMap<>();
        long t0 = System.nanoTime();
        List<PairResult> results = ParallelMap.map(rows.size(), common.threads(), "match", common.quiet, i -> {
            PairsCsv.PairRow row = rows.get(i);
            String where = mode.pairs.getFileName() + " row " + row.line();
            try {
                StructureMatcher.Prepared a = prepared(cache, matcher, row.cifA(), where + " (" + row.idA() + ")");
                StructureMatcher.Prepared b = prepared(cache, matcher, row.cifB(), where + " (" + row.idB() + ")");
                return new PairResult(matcher.fit(a, b), matcher.getRmsDist(a, b), null);
            } catch (InvalidStructureException e) {
                return new PairResult(null, null, e.getMessage());
            }
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        AtomicFiles.writeText(output, w -> {
            CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build()); // AtomicFiles closes w
            out.printRecord("id_a", "id_b", "fit", "rms", "max_dist", "error");
            for (int i = 0; i < rows.size(); i++) {
                PairResult r = results.get(i);
                out.printRecord(rows.get(i).idA(), rows.get(i).idB(), r.fit == null ? "" : r.fit ? "True" : "False",
                        r.rms == null ? "" : num(r.rms.rms()), r.rms == null ? "" : num(r.rms.maxDist()),
                        r.error == null ? "" : r.error);
            }
            out.flush();
        });
        long fits = results.stream().filter(r -> Boolean.TRUE.equals(r.fit)).count();
        long rmsOk = results.stream().filter(r -> r.rms != null).count();
        long errors = results.stream().filter(r -> r.error != null).count();
        double meanRms = results.stream().filter(r -> r.rms != null).mapToDouble(r -> r.rms.rms()).average().orElse(Double.NaN);
        info("%d pairs in %.1f s: fit %d (%.1f%%), get_rms_dist match %d (%.1f%%), mean rms %s, %d unreadable; wrote %s",
                rows.size(), secs, fits, 100.0 * fits / rows.size(), rmsOk, 100.0 * rmsOk / rows.size(),
                Double.isNaN(meanRms) ? "-" : String.format("%.4f", meanRms), errors, output);
        return ExitCode.OK;
    }

    private static StructureMatcher.Prepared prepared(Map<String, Object> cache, StructureMatcher m, String cif, String where) {
        Object v = cache.computeIfAbsent(cif, text -> {
            try {
                return m.prepare(CifReader.readOne(text, where));
            } catch (InvalidStructureException e) {
                return e.getMessage();
            }
        });
        if (v instanceof String msg) throw new InvalidStructureException(msg);
        return (StructureMatcher.Prepared) v;
    }

    private record BestMatch(String refId, boolean fit, StructureMatcher.RmsDist rms, int candidates, String error) {}

    private int runGeneratedVsReference(StructureMatcher matcher) throws IOException {
        List<StructureSource.Entry> gen = StructureSource.read(mode.genRef.generated);
        List<StructureSource.Entry> ref = StructureSource.read(mode.genRef.reference);
        List<StructureSource.Entry> goodRef = StructureSource.good(ref);
        if (goodRef.isEmpty()) throw new InvalidInputException(mode.genRef.reference + ": no readable reference structures");
        List<StructureMatcher.Prepared> refPrep = ParallelMap.map(goodRef.size(), common.threads(), "reference", common.quiet, i -> {
            try {
                return matcher.prepare(goodRef.get(i).structure());
            } catch (InvalidStructureException e) {
                return null;
            }
        });
        // candidates can only match with the same reduced composition and primitive size
        Map<String, List<Integer>> byKey = new HashMap<>();
        for (int i = 0; i < refPrep.size(); i++) {
            if (refPrep.get(i) != null) byKey.computeIfAbsent(key(refPrep.get(i)), k -> new ArrayList<>()).add(i);
        }
        long t0 = System.nanoTime();
        List<BestMatch> results = ParallelMap.map(gen.size(), common.threads(), "match", common.quiet, i -> {
            StructureSource.Entry e = gen.get(i);
            if (!e.ok()) return new BestMatch(null, false, null, 0, e.error());
            try {
                StructureMatcher.Prepared g = matcher.prepare(e.structure());
                List<Integer> cand = byKey.getOrDefault(key(g), List.of());
                int best = -1;
                StructureMatcher.RmsDist bestRms = null;
                for (int j : cand) {
                    StructureMatcher.RmsDist rd = matcher.getRmsDist(g, refPrep.get(j));
                    if (rd != null && (bestRms == null || rd.rms() < bestRms.rms())) { bestRms = rd; best = j; }
                }
                if (best < 0) return new BestMatch(null, false, null, cand.size(), null);
                return new BestMatch(goodRef.get(best).id(), matcher.fit(g, refPrep.get(best)), bestRms, cand.size(), null);
            } catch (InvalidStructureException ex) {
                return new BestMatch(null, false, null, 0, ex.getMessage());
            }
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        AtomicFiles.writeText(output, w -> {
            CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build()); // AtomicFiles closes w
            out.printRecord("id", "formula", "match_id", "fit", "rms", "max_dist", "candidates", "error");
            for (int i = 0; i < gen.size(); i++) {
                BestMatch r = results.get(i);
                StructureSource.Entry e = gen.get(i);
                out.printRecord(e.id(), e.ok() ? e.structure().composition().reducedFormula() : "",
                        r.refId == null ? "" : r.refId, r.refId == null ? "" : r.fit ? "True" : "False",
                        r.rms == null ? "" : num(r.rms.rms()), r.rms == null ? "" : num(r.rms.maxDist()),
                        r.candidates, r.error == null ? "" : r.error);
            }
            out.flush();
        });
        long matched = results.stream().filter(r -> r.rms != null).count();
        long errors = results.stream().filter(r -> r.error != null).count();
        double meanRms = results.stream().filter(r -> r.rms != null).mapToDouble(r -> r.rms.rms()).average().orElse(Double.NaN);
        info("%d generated vs %d reference structures in %.1f s: matched %d (%.1f%%), mean rms %s, %d unreadable; wrote %s",
                gen.size(), goodRef.size(), secs, matched, 100.0 * matched / gen.size(),
                Double.isNaN(meanRms) ? "-" : String.format("%.4f", meanRms), errors, output);
        return ExitCode.OK;
    }

    private static String key(StructureMatcher.Prepared p) {
        return p.reducedComposition().formula() + "/" + p.structure().size();
    }

    static String num(double x) { return String.format(java.util.Locale.ROOT, "%.8f", x); }
}
