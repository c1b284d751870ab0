package org.concdvae.eval;

import org.concdvae.analysis.StructureMatcher;
import org.concdvae.crystal.Structure;
import org.concdvae.io.StructureSource;
import org.concdvae.util.Parallel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Paper Table 3: per generated/relaxed pair (same id) the absolute change of a, b, c (Å) and α, β, γ (degrees) and the
 * StructureMatcher(ltol 0.2, stol 0.3, angle_tol 5) RMSD; the summary is the mean over pairs (MAC) and the mean RMSD
 * over the pairs that match.
 */
public final class RelaxationComparison {
    public static final List<String> PARAMETERS = List.of("a", "b", "c", "alpha", "beta", "gamma");

    /** {@code change} holds |Δa|, |Δb|, |Δc|, |Δα|, |Δβ|, |Δγ|; {@code rmsd} NaN when the pair does not match. */
    public record Pair(String id, double[] change, double rmsd, String error) {
        public boolean matched() { return !Double.isNaN(rmsd); }
    }

    public record Result(List<Pair> pairs, List<String> onlyGenerated, List<String> onlyRelaxed, double[] mac, double meanRmsd,
                         int matched) {}

    private RelaxationComparison() {}

    public static Result compare(List<StructureSource.Entry> generated, List<StructureSource.Entry> relaxed, int threads, Runnable tick) {
        Map<String, StructureSource.Entry> rel = new LinkedHashMap<>();
        for (StructureSource.Entry e : relaxed) rel.put(e.id(), e);
        List<StructureSource.Entry[]> pairs = new ArrayList<>();
        List<String> onlyGen = new ArrayList<>();
        for (StructureSource.Entry g : generated) {
            StructureSource.Entry r = rel.remove(g.id());
            if (r == null) onlyGen.add(g.id());
            else pairs.add(new StructureSource.Entry[]{g, r});
        }
        StructureMatcher matcher = new StructureMatcher();
        Pair[] out = new Pair[pairs.size()];
        Parallel.forEach(out.length, threads, i -> {
            out[i] = pair(matcher, pairs.get(i)[0], pairs.get(i)[1]);
            tick.run();
        });
        double[] mac = new double[6];
        int ok = 0, matched = 0;
        double rms = 0;
        for (Pair p : out) {
            if (p.error != null) continue;
            ok++;
            for (int k = 0; k < 6; k++) mac[k] += p.change[k];
            if (p.matched()) {
                matched++;
                rms += p.rmsd;
            }
        }
        for (int k = 0; k < 6; k++) mac[k] = ok == 0 ? Double.NaN : mac[k] / ok;
        return new Result(List.of(out), onlyGen, new ArrayList<>(rel.keySet()), mac, matched == 0 ? Double.NaN : rms / matched, matched);
    }

    static Pair pair(StructureMatcher matcher, StructureSource.Entry g, StructureSource.Entry r) {
        if (!g.ok()) return new Pair(g.id(), null, Double.NaN, "generated: " + g.error());
        if (!r.ok()) return new Pair(g.id(), null, Double.NaN, "relaxed: " + r.error());
        Structure a = g.structure(), b = r.structure();
        double[] pa = a.lattice().parameters(), pb = b.lattice().parameters();
        double[] change = new double[6];
        for (int k = 0; k < 6; k++) change[k] = Math.abs(pb[k] - pa[k]);
        double rmsd = Double.NaN;
        try {
            if (a.composition().reduced().equals(b.composition().reduced())) {
                StructureMatcher.RmsDist d = matcher.getRmsDist(a, b);
                if (d != null) rmsd = d.rms();
            }
        } catch (RuntimeException e) {
            return new Pair(g.id(), change, Double.NaN, e.getMessage());
        }
        return new Pair(g.id(), change, rmsd, null);
    }
}
