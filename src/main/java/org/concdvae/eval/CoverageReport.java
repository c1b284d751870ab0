package org.concdvae.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.analysis.Validity;
import org.concdvae.io.StructureSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CDVAE's generation metrics of a generated set against a reference set: COV-R / COV-P / AMSD / AMCD
 * ({@link Coverage}) with the cutoffs used and the coverage curve over the structure cutoff, plus CDVAE's property
 * EMDs ({@code wdist_density}, {@code wdist_num_elems}: valid generated crystals against all reference crystals).
 *
 * @param dataset     the data set whose cutoffs were taken ("" when both cutoffs were given)
 * @param nRefDropped reference crystals left out because they could not be read or fingerprinted
 * @param nGenValid   generated crystals that are CDVAE-valid (used only by the EMDs): structurally and compositionally
 *                    valid and fingerprinted
 */
public record CoverageReport(String dataset, Coverage.Result result, int nRefDropped, int nGenValid,
                             double wdistDensity, double wdistNumElems) {

    /** Computes everything from entries and their fingerprints (same order). */
    public static CoverageReport compute(String dataset, Coverage.Cutoffs cutoffs, List<StructureSource.Entry> generated,
                                         List<Coverage.Fingerprint> genFps, List<StructureSource.Entry> reference,
                                         List<Coverage.Fingerprint> refFps, int threads) {
        List<Coverage.Fingerprint> refOk = new ArrayList<>();
        List<Double> refDensity = new ArrayList<>(), refElems = new ArrayList<>();
        for (int j = 0; j < reference.size(); j++) {
            StructureSource.Entry e = reference.get(j);
            if (e.ok()) {
                refDensity.add(e.structure().density());
                refElems.add((double) e.structure().composition().numElements());
            }
            if (refFps.get(j).ok()) refOk.add(refFps.get(j));
        }
        Coverage.Result r = Coverage.compute(genFps, refOk, cutoffs, threads);
        boolean[] valid = new boolean[generated.size()];
        org.concdvae.util.Parallel.forEach(generated.size(), threads, i -> {
            StructureSource.Entry e = generated.get(i);
            try {
                // CDVAE's Crystal marks a crystal invalid when its fingerprinting raises
                valid[i] = e.ok() && genFps.get(i).ok() && Validity.check(e.structure()).valid();
            } catch (RuntimeException ex) {
                valid[i] = false;
            }
        });
        List<Double> genDensity = new ArrayList<>(), genElems = new ArrayList<>();
        for (int i = 0; i < valid.length; i++) {
            if (!valid[i]) continue;
            genDensity.add(generated.get(i).structure().density());
            genElems.add((double) generated.get(i).structure().composition().numElements());
        }
        double wd = Double.NaN, we = Double.NaN;
        if (!genDensity.isEmpty() && !refDensity.isEmpty()) {
            wd = PropertyEmd.wasserstein(array(genDensity), array(refDensity));
            we = PropertyEmd.wasserstein(array(genElems), array(refElems));
        }
        return new CoverageReport(dataset, r, reference.size() - refOk.size(), genDensity.size(), wd, we);
    }

    private static double[] array(List<Double> v) { return v.stream().mapToDouble(Double::doubleValue).toArray(); }

    /** The JSON object of {@code analyze coverage} and of summary.json's "coverage". */
    public ObjectNode toJson(ObjectMapper om) {
        ObjectNode o = om.createObjectNode();
        o.put("dataset", dataset);
        ObjectNode c = o.putObject("cutoffs");
        c.put("struct", result.cutoffs().struct());
        c.put("comp", result.cutoffs().comp());
        put(o, "cov_recall", result.covRecall());
        put(o, "cov_precision", result.covPrecision());
        put(o, "amsd_recall", result.amsdRecall());
        put(o, "amsd_precision", result.amsdPrecision());
        put(o, "amcd_recall", result.amcdRecall());
        put(o, "amcd_precision", result.amcdPrecision());
        put(o, "wdist_density", wdistDensity);
        put(o, "wdist_num_elems", wdistNumElems);
        o.put("n_ref", result.nRef());
        o.put("n_ref_dropped", nRefDropped);
        o.put("n_gen", result.nGen());
        o.put("n_gen_fp_ok", result.nGenFpOk());
        o.put("n_gen_valid", nGenValid);
        ObjectNode curve = o.putObject("cov_vs_struc_cutoff");
        double[][] v = result.curve();
        ArrayNode s = curve.putArray("struc_cutoffs"), rr = curve.putArray("cov_recall"), pp = curve.putArray("cov_precision");
        double[] cut = Coverage.Result.curveCutoffs();
        for (int i = 0; i < cut.length; i++) {
            s.add(cut[i]);
            rr.add(v[0][i]);
            pp.add(v[1][i]);
        }
        curve.put("comp_cutoff", result.cutoffs().comp());
        return o;
    }

    private static void put(ObjectNode o, String k, double v) {
        if (Double.isFinite(v)) o.put(k, v);
        else o.putNull(k);
    }

    /** A markdown section for report.md. */
    public String markdown(String plotFile) {
        StringBuilder sb = new StringBuilder("\n## Coverage (CDVAE)\n\n");
        sb.append(String.format(Locale.ROOT, "Against %d reference crystals%s; cutoffs: structure %s, composition %s%s.%n%n",
                result.nRef(), nRefDropped > 0 ? " (" + nRefDropped + " unreadable or not fingerprintable, left out)" : "",
                num(result.cutoffs().struct()), num(result.cutoffs().comp()),
                dataset.isEmpty() ? "" : " (" + dataset + ")"));
        sb.append("| metric | value | description |\n|---|---|---|\n");
        sb.append(row("cov_recall", result.covRecall(), "share of reference crystals with a generated crystal within both cutoffs"));
        sb.append(row("cov_precision", result.covPrecision(), String.format(Locale.ROOT,
                "share of generated crystals with a reference crystal within both cutoffs (of all %d; %d fingerprinted)",
                result.nGen(), result.nGenFpOk())));
        sb.append(row("amsd_recall", result.amsdRecall(), "mean over references of the smallest structure-fingerprint distance"));
        sb.append(row("amsd_precision", result.amsdPrecision(), "mean over generated of the smallest structure-fingerprint distance"));
        sb.append(row("amcd_recall", result.amcdRecall(), "mean over references of the smallest scaled composition-fingerprint distance"));
        sb.append(row("amcd_precision", result.amcdPrecision(), "mean over generated of the smallest scaled composition-fingerprint distance"));
        sb.append(row("wdist_density", wdistDensity, "EMD of density, " + nGenValid + " valid generated vs all references"));
        sb.append(row("wdist_num_elems", wdistNumElems, "EMD of the number of elements, valid generated vs all references"));
        if (plotFile != null) sb.append("\n![").append(plotFile).append("](").append(plotFile).append(")\n");
        return sb.toString();
    }

    private static String row(String name, double v, String d) { return "| " + name + " | " + num(v) + " | " + d + " |\n"; }

    private static String num(double v) { return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "n/a"; }

    /** PNG of COV-R and COV-P over the structure cutoff 0..1 (composition cutoff fixed), as in CDVAE's papers. */
    public void plot(Path file) {
        double[] x = Coverage.Result.curveCutoffs();
        double[][] y = result.curve();
        EvaluationPlots.lines(file, String.format(Locale.ROOT, "Coverage vs structure cutoff (composition cutoff %s)",
                        num(result.cutoffs().comp())), "structure fingerprint cutoff", "coverage",
                x, List.of("COV-R (recall)", "COV-P (precision)"), List.of(y[0], y[1]));
    }
}
