package org.concdvae.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.crystal.CifWriter;
import org.concdvae.crystal.Element;
import org.concdvae.crystal.Structure;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.InvalidInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A generation run into an output directory, streamed batch by batch: {@code cifs/<target>_<k>.cif} (one CIF per
 * crystal), {@code samples.csv} (one row per crystal), {@code samples.extxyz} (all crystals) and {@code run.json}
 * (settings and progress). After every batch the CIFs are written first, then the tables, then {@code run.json},
 * each atomically, so an interrupted run resumes ({@code resume}) after its last complete batch with identical
 * results (every batch draws from a generator seeded by (seed, target, batch)).
 */
public final class SampleRun {
    public static final String CSV = "samples.csv", EXTXYZ = "samples.extxyz", RUN = "run.json", CIFS = "cifs";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One target: a label, the given conditions and the filler of missing ones (null when nothing is missing). */
    public record Target(String label, Map<String, Object> given, ConditionFiller filler) {}

    /** Progress callbacks. */
    public interface Listener {
        default void batch(String target, int done, int total) {}
    }

    private final CrystalGenerator generator;
    private final Path out;
    private final ObjectNode settings;
    private final long seed;

    /** @param settings what defines the run (checked on resume) */
    public SampleRun(CrystalGenerator generator, Path out, ObjectNode settings, long seed) {
        this.generator = generator;
        this.out = out;
        this.settings = settings;
        this.seed = seed;
    }

    /** Generates {@code perTarget} crystals for every target; returns the number of crystals written by this call. */
    public int run(List<Target> targets, int perTarget, int batchSize, int downSample, boolean resume, Listener listener) throws IOException {
        Files.createDirectories(out.resolve(CIFS));
        List<String> csv = new ArrayList<>();
        StringBuilder xyz = new StringBuilder();
        Map<String, Integer> doneBatches = new LinkedHashMap<>();
        Path runFile = out.resolve(RUN);
        if (resume) {
            if (!Files.exists(runFile)) throw new InvalidInputException(out + ": nothing to resume (" + RUN + " not found)");
            JsonNode r = JSON.readTree(runFile.toFile());
            if (!JSON.readTree(settings.toString()).equals(r.path("settings"))) {   // both as parsed text: same number types
                throw new InvalidInputException(out + ": the settings differ from the interrupted run's (resume with the same options)");
            }
            r.path("batches_done").fields().forEachRemaining(e -> doneBatches.put(e.getKey(), e.getValue().asInt()));
            if (Files.exists(out.resolve(CSV))) {
                List<String> lines = Files.readAllLines(out.resolve(CSV), StandardCharsets.UTF_8);
                int keepRows = r.path("crystals").asInt();
                csv.addAll(lines.subList(1, Math.min(lines.size(), 1 + keepRows)));
            }
            if (Files.exists(out.resolve(EXTXYZ))) xyz.append(Files.readString(out.resolve(EXTXYZ), StandardCharsets.UTF_8));
        } else if (Files.exists(runFile)) {
            throw new InvalidInputException(out + ": already holds a sampling run (" + RUN + "); use --resume or another --out");
        }
        int written = 0;
        for (int ti = 0; ti < targets.size(); ti++) {
            Target tg = targets.get(ti);
            int batches = (perTarget + batchSize - 1) / batchSize;
            int start = doneBatches.getOrDefault(tg.label(), 0);
            for (int bi = start; bi < batches; bi++) {
                int count = Math.min(batchSize, perTarget - bi * batchSize);
                Random rng = new Random(mix(seed, ti, bi));
                int m = count * downSample;
                List<Map<String, Object>> cond = tg.filler() == null ? repeat(tg.given(), m) : tg.filler().draw(m, rng);
                List<CrystalGenerator.Crystal> crystals = generator.batch(cond, count, rng);
                for (int k = 0; k < crystals.size(); k++) {
                    int index = bi * batchSize + k;
                    String id = safe(tg.label()) + "_" + index;
                    CrystalGenerator.Crystal c = crystals.get(k);
                    if (c.structure() != null) {
                        AtomicFiles.writeString(out.resolve(CIFS).resolve(id + ".cif"), CifWriter.write(c.structure()));
                        appendXyz(xyz, id, tg.label(), c);
                    }
                    csv.add(row(id, tg.label(), bi, c));
                    written++;
                }
                writeTables(csv, xyz);
                doneBatches.put(tg.label(), bi + 1);
                writeRun(doneBatches, csv.size(), false);
                listener.batch(tg.label(), bi + 1, batches);
            }
        }
        writeRun(doneBatches, csv.size(), true);
        return written;
    }

    private static List<Map<String, Object>> repeat(Map<String, Object> m, int n) {
        List<Map<String, Object>> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(m);
        return l;
    }

    private List<String> conditionNames() {
        List<String> n = new ArrayList<>();
        settings.path("conditions").forEach(x -> n.add(x.asText()));
        return n;
    }

    private String row(String id, String label, int batch, CrystalGenerator.Crystal c) {
        List<String> v = new ArrayList<>(List.of(id, quote(label), String.valueOf(batch)));
        Structure s = c.structure();
        v.add(s == null ? "" : s.composition().reducedFormula());
        v.add(String.valueOf(c.numAtoms()));
        for (double x : c.lengths()) v.add(num(x));
        for (double x : c.angles()) v.add(num(x));
        v.add(s == null ? "" : num(s.volume()));
        v.add(num(c.score()));
        for (String name : conditionNames()) {
            Double x = c.conditions().get(name);
            v.add(x == null ? "" : num(x));
        }
        v.add(s == null ? "model predicted 0 atoms" : "");
        return String.join(",", v);
    }

    private void writeTables(List<String> csv, StringBuilder xyz) throws IOException {
        List<String> head = new ArrayList<>(List.of("id", "target", "batch", "formula", "num_atoms", "a", "b", "c", "alpha", "beta",
                "gamma", "volume", "predictor_score"));
        for (String n : conditionNames()) head.add("cond_" + n);
        head.add("error");
        StringBuilder sb = new StringBuilder(String.join(",", head)).append('\n');
        for (String r : csv) sb.append(r).append('\n');
        AtomicFiles.writeString(out.resolve(CSV), sb.toString());
        AtomicFiles.writeString(out.resolve(EXTXYZ), xyz.toString());
    }

    private void writeRun(Map<String, Integer> done, int crystals, boolean finished) {
        ObjectNode r = JSON.createObjectNode();
        r.put("command", "sample");
        r.set("settings", settings);
        ObjectNode b = r.putObject("batches_done");
        done.forEach(b::put);
        r.put("crystals", crystals);
        r.put("finished", finished);
        r.put("updated", Instant.now().toString());
        try {
            AtomicFiles.writeString(out.resolve(RUN), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r) + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Extended XYZ: Cartesian positions, lattice rows, pbc. */
    private static void appendXyz(StringBuilder sb, String id, String label, CrystalGenerator.Crystal c) {
        Structure s = c.structure();
        double[][] m = s.lattice().matrix();
        sb.append(s.size()).append('\n');
        sb.append("Lattice=\"");
        for (int r = 0; r < 3; r++) for (int k = 0; k < 3; k++) sb.append(r + k == 0 ? "" : " ").append(num(m[r][k]));
        sb.append("\" Properties=species:S:1:pos:R:3 pbc=\"T T T\" id=").append(id).append(" target=\"").append(label.replace("\"", "'")).append("\"\n");
        double[][] cart = s.cartCoords();
        for (int i = 0; i < s.size(); i++) {
            sb.append(Element.of(s.atomicNumber(i)).symbol());
            for (int k = 0; k < 3; k++) sb.append(' ').append(num(cart[i][k]));
            sb.append('\n');
        }
    }

    static String num(double x) { return String.format(Locale.ROOT, "%.8g", x); }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** File-name-safe label. */
    static String safe(String label) { return label.replaceAll("[^A-Za-z0-9_.-]", "_"); }

    static long mix(long seed, long a, long b) {
        long h = seed * 0x9E3779B97F4A7C15L + a;
        h ^= (h >>> 29);
        h = h * 0xBF58476D1CE4E5B9L + b;
        h ^= (h >>> 32);
        return h * 0x94D049BB133111EBL;
    }
}
