package org.concdvae.eval;

import org.concdvae.analysis.StructureMatcher;
import org.concdvae.analysis.Validity;
import org.concdvae.analysis.symmetry.SpacegroupAnalyzer;
import org.concdvae.crystal.Structure;
import org.concdvae.io.StructureSource;
import org.concdvae.util.Parallel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures every generated crystal (generation.md §6): CGCNN predictions, crystal system (SpacegroupAnalyzer at symprec
 * 0.2, angle 5, structure wrapped into the cell as pt2CS.py), CDVAE validity, density, number of elements, and the
 * nearest reference crystal under StructureMatcher(ltol 0.2, stol 0.3, angle_tol 5). Results keep the input order
 * and do not depend on the thread count.
 */
public final class SampleEvaluation {
    public static final double SYMPREC = 0.2, ANGLE_TOLERANCE = 5.0;

    private final List<PropertyEvaluator> evaluators;
    private final ReferenceSet reference;
    private final StructureMatcher matcher = new StructureMatcher();
    private final int threads;

    /** {@code reference} may be null (no novelty); {@code evaluators} may be empty (no property predictions). */
    public SampleEvaluation(List<PropertyEvaluator> evaluators, ReferenceSet reference, int threads) {
        this.evaluators = List.copyOf(evaluators);
        this.reference = reference;
        this.threads = threads;
    }

    /** Reference crystals prepared once for matching, bucketed by reduced composition. */
    public static final class ReferenceSet {
        private final List<String> ids = new ArrayList<>();
        private final List<StructureMatcher.Prepared> prepared = new ArrayList<>();
        private final Map<String, List<Integer>> byComposition = new HashMap<>();
        private final double[] density, nElements;
        private final int skipped;

        public ReferenceSet(List<StructureSource.Entry> entries, int threads, Runnable tick) {
            StructureMatcher m = new StructureMatcher();
            StructureMatcher.Prepared[] prep = new StructureMatcher.Prepared[entries.size()];
            Parallel.forEach(entries.size(), threads, i -> {
                StructureSource.Entry e = entries.get(i);
                if (e.ok()) {
                    try {
                        prep[i] = m.prepare(e.structure());
                    } catch (RuntimeException ex) {
                        prep[i] = null;
                    }
                }
                tick.run();
            });
            List<Double> dens = new ArrayList<>(), nel = new ArrayList<>();
            int bad = 0;
            for (int i = 0; i < prep.length; i++) {
                if (prep[i] == null) {
                    bad++;
                    continue;
                }
                Structure s = entries.get(i).structure();
                dens.add(s.density());
                nel.add((double) s.composition().numElements());
                byComposition.computeIfAbsent(prep[i].reducedComposition().formula(), k -> new ArrayList<>()).add(ids.size());
                ids.add(entries.get(i).id());
                prepared.add(prep[i]);
            }
            density = dens.stream().mapToDouble(Double::doubleValue).toArray();
            nElements = nel.stream().mapToDouble(Double::doubleValue).toArray();
            skipped = bad;
        }

        public int size() { return ids.size(); }

        /** Reference entries that could not be read or prepared (left out). */
        public int skipped() { return skipped; }

        public double[] density() { return density; }

        public double[] numElements() { return nElements; }
    }

    /** Evaluates all samples; {@code tick} runs once per sample measured (progress). */
    public List<SampleResult> run(SampleSet set, Runnable tick) {
        List<StructureSource.Entry> entries = set.entries();
        int n = entries.size();
        // CGCNN predictions: graphs once, then each evaluator in batches.
        List<Structure> structures = new ArrayList<>();
        for (StructureSource.Entry e : entries) structures.add(e.ok() ? e.structure().wrapped() : null);
        List<Map<String, Double>> predictions = new ArrayList<>();
        for (int i = 0; i < n; i++) predictions.add(new LinkedHashMap<>());
        if (!evaluators.isEmpty()) {
            String[] errors = new String[n];
            CgcnnGraph[] graphs = CgcnnGraph.ofAll(structures, threads, errors);
            List<Integer> ok = new ArrayList<>();
            List<CgcnnGraph> okGraphs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (graphs[i] != null && graphs[i].size() > 0) {
                    ok.add(i);
                    okGraphs.add(graphs[i]);
                }
            }
            for (PropertyEvaluator ev : evaluators) {
                double[] p = okGraphs.isEmpty() ? new double[0] : ev.cgcnn().predict(okGraphs);
                for (int k = 0; k < ok.size(); k++) predictions.get(ok.get(k)).put(ev.name(), p[k]);
            }
        }
        SampleResult[] out = new SampleResult[n];
        Parallel.forEach(n, threads, i -> {
            out[i] = measure(entries.get(i), structures.get(i), set, predictions.get(i));
            tick.run();
        });
        return List.of(out);
    }

    private SampleResult measure(StructureSource.Entry e, Structure wrapped, SampleSet set, Map<String, Double> predictions) {
        String id = e.id();
        if (!e.ok()) return SampleResult.unreadable(id, set.group(id), set.targets(id), e.error());
        Structure s = e.structure();
        try {
            Validity.Result v = Validity.check(s);
            int sg = 0;
            String cs;
            try {
                SpacegroupAnalyzer a = new SpacegroupAnalyzer(wrapped, SYMPREC, ANGLE_TOLERANCE);
                sg = a.getSpaceGroupNumber();
                cs = a.getCrystalSystem();
            } catch (RuntimeException ex) {
                cs = "error";                                   // counted as an error class (pt2CS.py)
            }
            String nearest = null;
            double rms = Double.NaN;
            if (reference != null && v.structValid()) {
                StructureMatcher.Prepared p = matcher.prepare(s);
                for (int r : reference.byComposition.getOrDefault(p.reducedComposition().formula(), List.of())) {
                    StructureMatcher.Prepared q = reference.prepared.get(r);
                    if (!matcher.fit(p, q)) continue;
                    StructureMatcher.RmsDist d = matcher.getRmsDist(p, q);
                    double val = d == null ? Double.POSITIVE_INFINITY : d.rms();
                    if (nearest == null || val < rms) {
                        nearest = reference.ids.get(r);
                        rms = val;
                    }
                }
            }
            return new SampleResult(id, set.group(id), set.targets(id), s.composition().reducedFormula(), s.size(),
                    s.composition().numElements(), s.density(), v.structValid(), v.compValid(), sg, cs, predictions, nearest,
                    nearest == null || Double.isInfinite(rms) ? Double.NaN : rms, null);
        } catch (RuntimeException ex) {
            return SampleResult.unreadable(id, set.group(id), set.targets(id), ex.getMessage() == null ? ex.toString() : ex.getMessage());
        }
    }

    /** Uniqueness of the structurally valid samples: StructureMatcher groups over the count grouped. */
    public Uniqueness uniqueness(String group, List<SampleResult> results, List<Structure> structures) {
        List<Structure> valid = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) if (results.get(i).structValid()) valid.add(structures.get(i));
        int groups = valid.isEmpty() ? 0 : matcher.group(valid, threads).size();
        return new Uniqueness(group, groups, valid.size());
    }
}
