package org.concdvae.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.concdvae.crystal.Structure;
import org.concdvae.io.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns per-sample results into the metric list (overall and per target group) and writes {@code evaluation.csv},
 * {@code summary.json}, {@code report.md} and the PNG plots.
 */
public final class EvaluationReport {
    public static final String CSV = "evaluation.csv", SUMMARY = "summary.json", REPORT = "report.md";
    static final String COVERAGE_NOTE = "Coverage (COV-R/COV-P) is not computed: give --coverage-reference CSV (CDVAE uses "
            + "the test split) with --coverage-dataset and the Magpie tables (--magpie-data DIR).";
    public static final String COVERAGE_PLOT = "coverage_vs_struct_cutoff.png";

    private final List<SampleResult> results;
    private final List<PropertyEvaluator> evaluators;
    private final Map<String, List<SampleResult>> groups = new LinkedHashMap<>();
    private final List<Metric> metrics = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> plots = new ArrayList<>();
    private final CoverageReport coverage;

    /**
     * {@code structures} are the samples' structures in the order of {@code results} (null for unreadable ones);
     * {@code reference} may be null.
     */
    public EvaluationReport(List<SampleResult> results, List<Structure> structures, List<PropertyEvaluator> evaluators,
                            SampleEvaluation evaluation, SampleEvaluation.ReferenceSet reference) {
        this(results, structures, evaluators, evaluation, reference, null);
    }

    /** As above, with CDVAE's coverage metrics of all samples against the coverage reference ({@code coverage} may be null). */
    public EvaluationReport(List<SampleResult> results, List<Structure> structures, List<PropertyEvaluator> evaluators,
                            SampleEvaluation evaluation, SampleEvaluation.ReferenceSet reference, CoverageReport coverage) {
        this.results = results;
        this.coverage = coverage;
        this.evaluators = evaluators;
        Map<String, List<Structure>> groupStructures = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++) {
            groups.computeIfAbsent(results.get(i).group(), k -> new ArrayList<>()).add(results.get(i));
            groupStructures.computeIfAbsent(results.get(i).group(), k -> new ArrayList<>()).add(structures.get(i));
        }
        if (evaluators.isEmpty()) notes.add("No --evaluators given: property predictions and class success rates are skipped.");
        if (reference == null) notes.add("No --reference given: novelty and property EMDs are skipped.");
        else if (reference.skipped() > 0) notes.add(reference.skipped() + " reference entries could not be read and were left out.");
        long unreadable = results.stream().filter(r -> !r.readable()).count();
        if (unreadable > 0) notes.add(unreadable + " samples could not be read or measured; they count as invalid and as misses.");
        if (coverage == null) notes.add(COVERAGE_NOTE);
        addMetrics(Metric.ALL, results, structures, evaluation, reference);
        if (groups.size() > 1 || !groups.containsKey(Metric.ALL)) {
            for (Map.Entry<String, List<SampleResult>> g : groups.entrySet()) {
                addMetrics(g.getKey(), g.getValue(), groupStructures.get(g.getKey()), evaluation, reference);
            }
        }
    }

    private void addMetrics(String group, List<SampleResult> rs, List<Structure> structures, SampleEvaluation evaluation,
                            SampleEvaluation.ReferenceSet reference) {
        for (ValidityRate.Kind k : ValidityRate.Kind.values()) metrics.add(ValidityRate.of(k, group, rs));
        metrics.add(evaluation.uniqueness(group, rs, structures));
        metrics.add(Novelty.of(group, rs, reference != null));
        metrics.add(PropertyEmd.of("density", "g/cm³", group, rs, reference == null ? null : reference.density(), SampleResult::density));
        metrics.add(PropertyEmd.of("n_elements", "", group, rs, reference == null ? null : reference.numElements(), r -> r.nElements()));
        for (PropertyEvaluator ev : evaluators) metrics.add(MeanPrediction.of(ev, group, rs));
        if (!group.equals(Metric.ALL)) addSuccessRates(group, rs);
    }

    /** Success rates for the targets the group's samples were generated with (first sample's targets). */
    private void addSuccessRates(String group, List<SampleResult> rs) {
        Map<String, String> targets = rs.get(0).targets();
        for (Map.Entry<String, String> t : targets.entrySet()) {
            String key = t.getKey();
            if (key.equals("crystal_system")) {
                String want = CrystalSystems.parse(t.getValue());
                metrics.add(SuccessRate.of("success_crystal_system", group, "crystal system (symprec 0.2) is " + want, rs,
                        s -> s.crystalSystem().equals(want)));
            } else if (key.equals(PropertyEvaluator.BAND_GAP) || key.equals(PropertyEvaluator.FORMATION_ENERGY)) {
                double value;
                try {
                    value = Double.parseDouble(t.getValue());
                } catch (NumberFormatException e) {
                    continue;
                }
                int cls = PropertyEvaluator.targetClass(key, value);
                String name = "success_" + (key.equals(PropertyEvaluator.BAND_GAP) ? "bg" : "fe") + "_class";
                String desc = "CGCNN class of " + key.replace('_', ' ') + " is '" + PropertyEvaluator.className(key, cls) + "'";
                PropertyEvaluator ev = evaluators.stream().filter(e -> e.classification() && e.property().equals(key)).findFirst().orElse(null);
                if (ev == null) {
                    metrics.add(SuccessRate.unavailable(name, group, desc, "no classification evaluator for " + key));
                } else {
                    metrics.add(SuccessRate.of(name, group, desc + " (" + ev.name() + ")", rs, s -> {
                        Double p = s.predictions().get(ev.name());
                        return p != null && PropertyEvaluator.predictedClass(p) == cls;
                    }));
                }
            }
        }
    }

    public List<Metric> metrics() { return metrics; }

    /** CDVAE's coverage metrics, or null when no coverage reference was given. */
    public CoverageReport coverage() { return coverage; }

    public List<String> notes() { return notes; }

    public Map<String, List<SampleResult>> groups() { return groups; }

    /** Writes every output into {@code out} (created if needed). */
    public void write(Path out) {
        try {
            Files.createDirectories(out);
            writeCsv(out.resolve(CSV));
            writePlots(out);
            writeSummary(out.resolve(SUMMARY));
            AtomicFiles.writeString(out.resolve(REPORT), markdown());
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot write the evaluation", e);
        }
    }

    private void writePlots(Path out) {
        List<PropertyEvaluator> regression = evaluators.stream().filter(e -> !e.classification()).toList();
        for (PropertyEvaluator ev : regression) {
            String f = "hist_" + ev.name() + ".png";
            EvaluationPlots.histogram(out.resolve(f), ev, groups);
            if (Files.exists(out.resolve(f))) plots.add(f);
        }
        PropertyEvaluator bg = regression.stream().filter(e -> e.property().equals(PropertyEvaluator.BAND_GAP)).findFirst().orElse(null);
        PropertyEvaluator fe = regression.stream().filter(e -> e.property().equals(PropertyEvaluator.FORMATION_ENERGY)).findFirst().orElse(null);
        if (bg != null && fe != null) {
            EvaluationPlots.scatter(out.resolve("scatter_bg_fe.png"), bg, fe, groups);
            if (Files.exists(out.resolve("scatter_bg_fe.png"))) plots.add("scatter_bg_fe.png");
        }
        EvaluationPlots.crystalSystems(out.resolve("crystal_systems.png"), groups);
        plots.add("crystal_systems.png");
        if (coverage != null) {
            coverage.plot(out.resolve(COVERAGE_PLOT));
            plots.add(COVERAGE_PLOT);
        }
    }

    private void writeCsv(Path file) throws IOException {
        AtomicFiles.writeText(file, w -> {
            CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build());
            List<Object> head = new ArrayList<>(List.of("id", "target_group", "formula", "n_atoms", "n_elements", "density",
                    "struct_valid", "comp_valid", "valid", "spacegroup", "crystal_system"));
            for (PropertyEvaluator ev : evaluators) head.add(ev.classification() ? ev.name() + "_p1" : ev.name());
            head.addAll(List.of("nearest_reference", "nearest_rms", "novel", "error"));
            p.printRecord(head);
            for (SampleResult r : results) {
                List<Object> row = new ArrayList<>(List.of(r.id(), r.group(), r.formula(), r.readable() ? r.nAtoms() : "",
                        r.readable() ? r.nElements() : "", num(r.density()), r.structValid(), r.compValid(), r.valid(),
                        r.spaceGroup() == 0 ? "" : r.spaceGroup(), r.crystalSystem()));
                for (PropertyEvaluator ev : evaluators) row.add(num(r.predictions().getOrDefault(ev.name(), Double.NaN)));
                row.add(r.nearestId() == null ? "" : r.nearestId());
                row.add(num(r.nearestRms()));
                row.add(r.structValid() ? String.valueOf(r.nearestId() == null) : "");
                row.add(r.error() == null ? "" : r.error());
                p.printRecord(row);
            }
            p.flush();
        });
    }

    private void writeSummary(Path file) throws IOException {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = om.createObjectNode();
        root.put("samples", results.size());
        ObjectNode gs = root.putObject("groups");
        groups.forEach((k, v) -> gs.put(k, v.size()));
        ArrayNode ev = root.putArray("evaluators");
        evaluators.forEach(e -> ev.addObject().put("name", e.name()).put("property", e.property())
                .put("task", e.classification() ? "classification" : "regression"));
        ObjectNode byGroup = root.putObject("metrics");
        for (Metric m : metrics) {
            ObjectNode g = byGroup.has(m.group()) ? (ObjectNode) byGroup.get(m.group()) : byGroup.putObject(m.group());
            if (m.available()) g.put(m.name(), m.value());
            else g.putNull(m.name());
        }
        ArrayNode list = root.putArray("metric_list");
        for (Metric m : metrics) {
            ObjectNode o = list.addObject().put("name", m.name()).put("group", m.group()).put("description", m.description()).put("unit", m.unit());
            if (m.available()) o.put("value", m.value());
            else o.putNull("value");
            if (!m.note().isEmpty()) o.put("note", m.note());
        }
        if (coverage != null) root.set("coverage", coverage.toJson(om));
        ArrayNode n = root.putArray("notes");
        notes.forEach(n::add);
        ArrayNode pl = root.putArray("plots");
        plots.forEach(pl::add);
        AtomicFiles.writeString(file, om.writeValueAsString(root) + "\n");
    }

    /** The report: overall metrics, a group × metric table, notes and plots. */
    public String markdown() {
        StringBuilder sb = new StringBuilder("# Evaluation of generated crystals\n\n");
        sb.append(String.format(Locale.ROOT, "%d samples in %d target group(s); evaluators: %s.%n%n", results.size(), groups.size(),
                evaluators.isEmpty() ? "none" : String.join(", ", evaluators.stream().map(e -> e.name() + " ("
                        + (e.classification() ? "class" : "regression") + ", " + e.property().replace('_', ' ') + ")").toList())));
        sb.append("Crystal system: SpacegroupAnalyzer(symprec 0.2, angle 5°). Matching: StructureMatcher(ltol 0.2, stol 0.3, angle_tol 5).\n\n");
        sb.append("## All samples\n\n| metric | value | description |\n|---|---|---|\n");
        for (Metric m : metrics) {
            if (m.group().equals(Metric.ALL)) sb.append(row(m));
        }
        List<String> groupNames = groups.keySet().stream().filter(g -> metrics.stream().anyMatch(m -> m.group().equals(g) && !g.equals(Metric.ALL))).toList();
        if (!groupNames.isEmpty()) {
            sb.append("\n## Per target group\n\n");
            List<String> names = new ArrayList<>();
            for (Metric m : metrics) if (!m.group().equals(Metric.ALL) && !names.contains(m.name())) names.add(m.name());
            sb.append("| metric |");
            groupNames.forEach(g -> sb.append(' ').append(g.replace("|", "\\|")).append(" |"));
            sb.append("\n|---|").append("---|".repeat(groupNames.size())).append('\n');
            for (String name : names) {
                sb.append("| ").append(name).append(" |");
                for (String g : groupNames) {
                    Metric m = metrics.stream().filter(x -> x.group().equals(g) && x.name().equals(name)).findFirst().orElse(null);
                    sb.append(' ').append(m == null ? "" : m.formatted()).append(" |");
                }
                sb.append('\n');
            }
            sb.append("\nMetric descriptions:\n\n");
            for (String name : names) {
                List<Metric> ms = metrics.stream().filter(x -> x.name().equals(name) && !x.group().equals(Metric.ALL)).toList();
                List<String> descs = ms.stream().map(x -> generic(x.description())).distinct().toList();
                if (descs.size() == 1) {
                    sb.append("- `").append(name).append("`: ").append(descs.get(0)).append('\n');
                } else {
                    for (Metric x : ms) sb.append("- `").append(name).append("` (").append(x.group()).append("): ").append(generic(x.description())).append('\n');
                }
            }
        }
        if (coverage != null) sb.append(coverage.markdown(null));
        List<String> skipped = metrics.stream().filter(m -> !m.available()).map(m -> m.name() + " (" + m.group() + "): " + m.note()).distinct().toList();
        sb.append("\n## Notes\n\n");
        notes.forEach(n -> sb.append("- ").append(n).append('\n'));
        skipped.forEach(n -> sb.append("- not available: ").append(n).append('\n'));
        if (!plots.isEmpty()) {
            sb.append("\n## Plots\n\n");
            plots.forEach(p -> sb.append("![").append(p).append("](").append(p).append(")\n\n"));
        }
        sb.append("Per-sample values: `").append(CSV).append("`; all metrics: `").append(SUMMARY).append("`.\n");
        return sb.toString();
    }

    /** A description without its "(k/n)" counts, for the descriptions shared by every group. */
    private static String generic(String description) { return description.replaceAll(" \\(\\d+/\\d+\\)", ""); }

    private static String row(Metric m) {
        return "| " + m.name() + " | " + m.formatted() + " | " + m.description() + (m.note().isEmpty() ? "" : " — " + m.note()) + " |\n";
    }

    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "";
    }
}
