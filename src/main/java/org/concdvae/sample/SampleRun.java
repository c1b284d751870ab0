package org.concdvae.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.autodiff.Engine;
import org.concdvae.crystal.CifWriter;
import org.concdvae.crystal.ExtXyzWriter;
import org.concdvae.crystal.PoscarWriter;
import org.concdvae.crystal.Structure;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A generation run into an output directory, streamed batch by batch: {@code cifs/<target>_<k>.cif} (one CIF per
 * crystal), {@code samples.csv} (one row per crystal), {@code samples.extxyz} (all crystals), optionally
 * {@code trajectories/<target>_<k>.extxyz} (the Langevin trajectory of each crystal) and {@code run.json} (settings and
 * progress); with {@link Outputs}, {@code poscars/<id>.vasp}, {@code symmetrized/<id>.cif} and
 * {@code latents.safetensors}, and without CIFs or {@code samples.extxyz} when {@code --format} leaves them out. After every batch the CIFs and trajectories are written first, then the tables, then {@code run.json},
 * each atomically, so an interrupted run resumes ({@code resume}) after its last complete batch with identical results.
 *
 * <p>The work of a run is a fixed list of batches: targets in order, per target {@code ceil(n / batchSize)} batches;
 * batch {@code b} of target {@code t} draws only from a generator seeded by (seed, t, b). A {@link Shard} {@code i/N}
 * takes the contiguous block {@code [floor(i·B/N), floor((i+1)·B/N))} of the B batches, so the N shards together
 * produce exactly the crystals (same ids, same numbers) of the unsharded run, and {@link SampleMerge} joins them in
 * order.
 */
public final class SampleRun {
    public static final String CSV = "samples.csv", EXTXYZ = "samples.extxyz", RUN = "run.json", CIFS = "cifs",
            TRAJECTORIES = "trajectories", POSCARS = "poscars", SYMMETRIZED = "symmetrized", LATENTS = "latents.safetensors";
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One target: a label, the given conditions, the filler of missing ones (null when nothing is missing) and the hard
     * controls of its atoms ({@link AtomControl#NONE}: none).
     */
    public record Target(String label, Map<String, Object> given, ConditionFiller filler, AtomControl control) {
        public Target {
            if (control == null) control = AtomControl.NONE;
        }

        public Target(String label, Map<String, Object> given, ConditionFiller filler) {
            this(label, given, filler, AtomControl.NONE);
        }
    }

    /** Per-crystal structure files: {@code cifs/<id>.cif}, {@code poscars/<id>.vasp} (VASP 5), frames of {@code samples.extxyz}. */
    public enum Format {
        CIF, POSCAR, EXTXYZ;

        /** Parses a comma-separated list such as {@code cif,poscar}. */
        public static java.util.Set<Format> parse(String text) {
            java.util.Set<Format> f = java.util.EnumSet.noneOf(Format.class);
            for (String part : text.split(",")) {
                String p = part.trim().toLowerCase(Locale.ROOT);
                switch (p) {
                    case "cif" -> f.add(CIF);
                    case "poscar", "vasp" -> f.add(POSCAR);
                    case "extxyz" -> f.add(EXTXYZ);
                    default -> throw new InvalidInputException("--format: unknown format '" + part.trim() + "' (choose from cif, poscar, extxyz)");
                }
            }
            return f;
        }

        public String label() { return name().toLowerCase(Locale.ROOT); }
    }

    /**
     * What a run writes besides samples.csv and run.json, and how it decodes.
     *
     * @param formats     structure files per crystal
     * @param symmetrize  also the crystal refined at this tolerance (Å) in {@code symmetrized/<id>.cif} and the
     *                    {@code spacegroup} / {@code spacegroup_symmetrized} columns (null: not)
     * @param latents     write {@code latents.safetensors}: kept latent and Predictor outputs per crystal
     * @param samplesPerZ Langevin decodes per kept latent
     * @param retryEmpty  redraw the latents of crystals with 0 predicted atoms, at most this many rounds per batch (0: keep
     *                    them as error rows)
     */
    public record Outputs(java.util.Set<Format> formats, Double symmetrize, boolean latents, int samplesPerZ, int retryEmpty) {
        public static final Outputs DEFAULT = new Outputs(java.util.EnumSet.of(Format.CIF, Format.EXTXYZ), null, false, 1, 0);

        public Outputs {
            if (formats.isEmpty()) throw new InvalidInputException("--format needs at least one of cif, poscar, extxyz");
            if (samplesPerZ < 1) throw new InvalidInputException("--samples-per-z must be at least 1, got " + samplesPerZ);
            if (retryEmpty < 0) throw new IllegalArgumentException("retry rounds must be >= 0");
            formats = java.util.Set.copyOf(formats);
        }
    }

    /** Redraw rounds per batch of {@code --retry-empty}: enough for any model that rarely predicts 0 atoms, bounded for one that always does. */
    public static final int RETRY_ROUNDS = 10;

    /** Progress callbacks: {@code done} of this run's (shard's) {@code total} batches are finished. */
    public interface Listener {
        default void batch(String target, int done, int total) {}
    }

    /**
     * Shard {@code index} (0-based) of {@code count}: the part of a run one job-array task does.
     */
    public record Shard(int index, int count) {
        public Shard {
            if (count < 1 || index < 0 || index >= count) {
                throw new InvalidInputException("--shard must be I/N with 0 <= I < N (0-based, e.g. --shard 0/" + Math.max(count, 2)
                        + "); got " + index + "/" + count);
            }
        }

        /** Parses {@code I/N} (0-based I, as {@code $SLURM_ARRAY_TASK_ID} with {@code --array=0-(N-1)}). */
        public static Shard parse(String text) {
            String t = text == null ? "" : text.trim();
            int slash = t.indexOf('/');
            try {
                if (slash < 0) throw new NumberFormatException();
                return new Shard(Integer.parseInt(t.substring(0, slash).trim()), Integer.parseInt(t.substring(slash + 1).trim()));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--shard must be I/N with 0 <= I < N (0-based, e.g. --shard ${SLURM_ARRAY_TASK_ID}/8); got '" + text + "'");
            }
        }

        /** First global batch of this shard among {@code total}. */
        public int first(int total) { return (int) ((long) index * total / count); }

        /** One past the last global batch of this shard among {@code total}. */
        public int end(int total) { return (int) ((long) (index + 1) * total / count); }

        @Override
        public String toString() { return index + "/" + count; }
    }

    /** One batch of the run's plan: target {@code target}, its batch {@code batch} with {@code count} crystals. */
    record Batch(int target, int batch, int count) {}

    /** The global batch list of a run. */
    static List<Batch> plan(int targets, int perTarget, int batchSize) {
        List<Batch> l = new ArrayList<>();
        int batches = (perTarget + batchSize - 1) / batchSize;
        for (int t = 0; t < targets; t++) {
            for (int b = 0; b < batches; b++) l.add(new Batch(t, b, Math.min(batchSize, perTarget - b * batchSize)));
        }
        return l;
    }

    private final CrystalGenerator generator;
    private final Path out;
    private final ObjectNode settings;
    private final long seed;
    private final Shard shard;
    private final int trajectoryEvery;
    private final String version;
    private final Outputs outputs;
    private final Symmetrizer symmetrizer;

    /**
     * @param settings        what defines the run (checked on resume and by {@link SampleMerge})
     * @param shard           the part of the run to do (null: all of it)
     * @param trajectoryEvery record the Langevin trajectory every this many updates (0: not at all)
     * @param version         the program version, recorded in run.json
     */
    public SampleRun(CrystalGenerator generator, Path out, ObjectNode settings, long seed, Shard shard, int trajectoryEvery, String version) {
        this(generator, out, settings, seed, shard, trajectoryEvery, version, Outputs.DEFAULT);
    }

    /** As above, with the files and decoding of {@code outputs}. */
    public SampleRun(CrystalGenerator generator, Path out, ObjectNode settings, long seed, Shard shard, int trajectoryEvery, String version,
                     Outputs outputs) {
        this.outputs = outputs;
        this.symmetrizer = outputs.symmetrize() == null ? null : new Symmetrizer(outputs.symmetrize());
        if (trajectoryEvery < 0) throw new InvalidInputException("--save-trajectory must be at least 1");
        this.generator = generator;
        this.out = out;
        this.settings = settings;
        this.seed = seed;
        this.shard = shard;
        this.trajectoryEvery = trajectoryEvery;
        this.version = version;
    }

    /** Number of batches of a whole run: {@code targets · ceil(perTarget / batchSize)}. */
    public static int totalBatches(int targets, int perTarget, int batchSize) {
        return targets * ((perTarget + batchSize - 1) / batchSize);
    }

    /** Batches an interrupted run in the output directory has finished (0 when not resuming or nothing to resume). */
    public int batchesDone(boolean resume) throws IOException {
        Path runFile = out.resolve(RUN);
        if (!resume || !Files.isRegularFile(runFile)) return 0;
        return Math.max(0, JSON.readTree(runFile.toFile()).path("batches_done").asInt(0));
    }

    /** Number of batches this run (shard) does for the given sizes. */
    public int batches(int targets, int perTarget, int batchSize) {
        int total = totalBatches(targets, perTarget, batchSize);
        return shard == null ? total : shard.end(total) - shard.first(total);
    }

    /** Generates this run's (shard's) part of {@code perTarget} crystals per target; returns the number written by this call. */
    public int run(List<Target> targets, int perTarget, int batchSize, int downSample, boolean resume, Listener listener) throws IOException {
        List<Batch> all = plan(targets.size(), perTarget, batchSize);
        int first = shard == null ? 0 : shard.first(all.size()), end = shard == null ? all.size() : shard.end(all.size());
        if (outputs.formats().contains(Format.CIF)) Files.createDirectories(out.resolve(CIFS));
        List<String> csv = new ArrayList<>();
        StringBuilder xyz = new StringBuilder();
        LatentFile latents = outputs.latents() ? new LatentFile("z", latentColumns()) : null;
        int start = 0, structures = 0;
        redrawn = 0;
        Path runFile = out.resolve(RUN);
        if (resume) {
            if (!Files.exists(runFile)) throw new InvalidInputException(out + ": nothing to resume (" + RUN + " not found)");
            JsonNode r = JSON.readTree(runFile.toFile());
            String diff = org.concdvae.io.JsonDifference.first(r.path("settings"), JSON.readTree(settings.toString()));
            if (diff != null) {
                throw new InvalidInputException(out + ": the settings differ from the interrupted run's: " + diff
                        + " (resume with the same options)");
            }
            String was = r.has("shard") ? r.path("shard").path("index").asInt() + "/" + r.path("shard").path("count").asInt() : null;
            String now = shard == null ? null : shard.toString();
            if (!Objects.equals(was, now)) {
                throw new InvalidInputException(out + ": the interrupted run was " + (was == null ? "not sharded" : "shard " + was)
                        + "; resume with " + (was == null ? "no --shard" : "--shard " + was));
            }
            if (!r.path("batches_done").isInt() || !r.path("structures").isInt()) {
                throw new InvalidInputException(out + ": " + RUN + " was written by an older version of concdvae; start a new run");
            }
            start = r.path("batches_done").asInt();
            int keepRows = r.path("crystals").asInt();
            structures = r.path("structures").asInt();
            if (Files.exists(out.resolve(CSV))) {
                List<String> lines = records(out.resolve(CSV));
                csv.addAll(lines.subList(1, Math.min(lines.size(), 1 + keepRows)));
            }
            if (outputs.formats().contains(Format.EXTXYZ) && Files.exists(out.resolve(EXTXYZ))) {
                xyz.append(firstFrames(Files.readString(out.resolve(EXTXYZ), StandardCharsets.UTF_8), structures));
            }
            if (latents != null && keepRows > 0) latents.readRows(out.resolve(LATENTS), keepRows);
            redrawn = r.path("redrawn_empty").asInt(0);
            if (csv.size() != keepRows) throw new InvalidInputException(out + ": " + CSV + " has fewer rows than " + RUN + " records; cannot resume");
        } else if (Files.exists(runFile)) {
            throw new InvalidInputException(out + ": already holds a sampling run (" + RUN + "); use --resume or another --out");
        }
        int written = 0;
        int from = first + start;
        // With several threads and several batches to do, whole batches run side by side, each on one thread: the
        // decoder's many small operations scale far better that way than split across threads. Results are the same
        // (every batch has its own generator and our kernels do not depend on the thread count); outputs are still
        // written batch by batch in order.
        int threads = Engine.threads();
        int side = Math.max(1, Math.min(threads, end - from));
        ExecutorService pool = side > 1 ? Executors.newFixedThreadPool(side, r -> {
            Thread th = new Thread(r, "sample-batch");
            th.setDaemon(true);
            return th;
        }) : null;
        if (pool != null) Engine.setThreads(1);
        try {
            Deque<Future<Generated>> running = new ArrayDeque<>();
            int next = from;
            for (int g = from; g < end; g++) {
                while (next < end && (next == g || (pool != null && next < g + side))) {
                    Batch nb = all.get(next);
                    Target nt = targets.get(nb.target());
                    running.add(pool == null ? CompletableFuture.completedFuture(generate(nt, nb, downSample))
                            : pool.submit(() -> generate(nt, nb, downSample)));
                    next++;
                }
                Generated gen = await(running.poll());
                List<CrystalGenerator.Crystal> crystals = gen.crystals();
                redrawn += gen.redrawn();
                Batch bt = all.get(g);
                Target tg = targets.get(bt.target());
                int perZ = outputs.samplesPerZ();
                // A batch is written whole or not at all: if a write fails (a full disk), the batch's files are removed
                // again, so no file is left that samples.csv, samples.extxyz and run.json do not list.
                int csvBefore = csv.size(), xyzBefore = xyz.length(), structuresBefore = structures;
                int emptyBefore = emptyWritten, latentsBefore = latents == null ? 0 : latents.rows();
                List<Path> batchFiles = new ArrayList<>();
                try {
                    for (int k = 0; k < crystals.size(); k++) {
                        String id = id(tg.label(), bt.batch() * batchSize * perZ + k);
                        CrystalGenerator.Crystal c = crystals.get(k);
                        Symmetrizer.Result sym = null;
                        if (c.structure() != null) {
                            if (outputs.formats().contains(Format.CIF)) writeBatchFile(batchFiles, out.resolve(CIFS).resolve(id + ".cif"), CifWriter.write(c.structure()));
                            if (outputs.formats().contains(Format.POSCAR)) {
                                writeBatchFile(batchFiles, out.resolve(POSCARS).resolve(id + ".vasp"), PoscarWriter.write(c.structure(), id + " " + c.structure().composition().formulaWithSpaces()));
                            }
                            if (symmetrizer != null) {
                                sym = symmetrizer.apply(c.structure(), id);
                                if (sym.cif() != null) writeBatchFile(batchFiles, out.resolve(SYMMETRIZED).resolve(id + ".cif"), sym.cif());
                            }
                            if (trajectoryEvery > 0) writeBatchFile(batchFiles, out.resolve(TRAJECTORIES).resolve(id + ".extxyz"), trajectory(id, c));
                            if (outputs.formats().contains(Format.EXTXYZ)) {
                                Map<String, Object> info = new LinkedHashMap<>();
                                info.put("id", id);
                                info.put("target", tg.label());
                                ExtXyzWriter.append(xyz, c.structure(), info);
                            }
                            structures++;
                        }
                        if (c.structure() == null) emptyWritten++;
                        csv.add(row(id, tg.label(), bt.batch(), bt.batch() * batchSize + k / perZ, c, sym));
                        if (latents != null) latents.add(id, c.latent(), latentValues(c));
                    }
                    writeTables(csv, xyz);
                    if (latents != null) latents.write(out.resolve(LATENTS), latentNotes());
                    writeRun(g - first + 1, end - first, first, end, all.size(), csv.size(), structures, false);
                } catch (RuntimeException e) {
                    for (Path f : batchFiles) deleteQuietly(f);
                    csv.subList(csvBefore, csv.size()).clear();
                    xyz.setLength(xyzBefore);
                    structures = structuresBefore;
                    emptyWritten = emptyBefore;
                    if (latents != null) latents.truncate(latentsBefore);
                    try {
                        writeTables(csv, xyz);   // the tables of the batches before, matching run.json
                        if (latents != null) latents.write(out.resolve(LATENTS), latentNotes());
                    } catch (RuntimeException again) {
                        e.addSuppressed(again);
                    }
                    throw e;
                }
                written += crystals.size();
                listener.batch(tg.label(), g - first + 1, end - first);
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
                Engine.setThreads(threads);
            }
        }
        if (!Files.exists(out.resolve(CSV))) writeTables(csv, xyz);   // a shard without batches
        writeRun(end - first, end - first, first, end, all.size(), csv.size(), structures, true);
        return written;
    }

    /** Writes one file of a batch and notes it for removal should the batch fail. */
    private static void writeBatchFile(List<Path> batchFiles, Path file, String text) {
        batchFiles.add(file);
        fileWriter.write(file, text);
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            // best effort: the run fails anyway and run.json does not list the batch
        }
    }

    /** How a batch's CIFs and trajectories reach the disk; a test seam to simulate a full disk. */
    interface FileWriter { void write(Path file, String text); }

    static FileWriter fileWriter = AtomicFiles::writeString;

    /** The id of crystal {@code index} (0-based, per target) of a target. */
    static String id(String label, int index) { return safe(label) + "_" + index; }

    /** A crystal's trajectory as a multi-frame extended XYZ text. */
    static String trajectory(String id, CrystalGenerator.Crystal c) {
        StringBuilder sb = new StringBuilder();
        for (CrystalGenerator.Frame f : c.trajectory()) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("id", id);
            info.put("step", f.step());
            info.put("level", f.level());
            info.put("sigma", f.sigma());
            ExtXyzWriter.append(sb, f.structure(), info);
        }
        return sb.toString();
    }

    /** The first {@code frames} frames of an extended XYZ text. */
    static String firstFrames(String text, int frames) {
        String[] lines = text.split("\n", -1);
        int i = 0;
        for (int f = 0; f < frames; f++) {
            if (i >= lines.length || lines[i].isBlank()) throw new InvalidInputException(EXTXYZ + ": fewer frames than " + RUN + " records; cannot resume");
            i += 2 + Integer.parseInt(lines[i].trim());
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < i && k < lines.length; k++) sb.append(lines[k]).append('\n');
        return sb.toString();
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

    /** The crystals of a batch and the number of latents redrawn because their crystal had 0 atoms. */
    record Generated(List<CrystalGenerator.Crystal> crystals, int redrawn) {}

    /** Latents redrawn so far in this run (for the summary; kept in run.json across --resume). */
    private volatile int redrawn;

    /** Latents of crystals with 0 predicted atoms that were redrawn ({@code --retry-empty}), over the whole run. */
    public int redrawn() { return redrawn; }

    private int emptyWritten;

    /** Crystals with 0 atoms (error rows) written by this call of {@link #run}. */
    public int emptyWritten() { return emptyWritten; }

    /**
     * The crystals of one batch, from its own generator seeded by (seed, target, batch). With {@code retryEmpty}, the
     * latents whose crystals have 0 atoms are redrawn from the same generator (new prior latents, filtered as before)
     * until every crystal has atoms or the rounds are used up.
     */
    private Generated generate(Target tg, Batch bt, int downSample) {
        Random rng = new Random(mix(seed, bt.target(), bt.batch()));
        int perZ = outputs.samplesPerZ();
        List<CrystalGenerator.Crystal> cs = new ArrayList<>(generator.batch(conditions(tg, bt.count() * downSample, rng), bt.count(), rng,
                trajectoryEvery, tg.control(), perZ));
        int redraws = 0;
        for (int round = 0; round < outputs.retryEmpty(); round++) {
            List<Integer> empty = new ArrayList<>();   // latents (all their decodes share the atom count)
            for (int i = 0; i < bt.count(); i++) if (cs.get(i * perZ).structure() == null) empty.add(i);
            if (empty.isEmpty()) break;
            List<CrystalGenerator.Crystal> again = generator.batch(conditions(tg, empty.size() * downSample, rng), empty.size(), rng,
                    trajectoryEvery, tg.control(), perZ);
            for (int j = 0; j < empty.size(); j++) {
                for (int s = 0; s < perZ; s++) cs.set(empty.get(j) * perZ + s, again.get(j * perZ + s));
            }
            redraws += empty.size();
        }
        return new Generated(cs, redraws);
    }

    private List<Map<String, Object>> conditions(Target tg, int m, Random rng) {
        return tg.filler() == null ? repeat(tg.given(), m) : tg.filler().draw(m, rng);
    }

    private List<String> latentColumns() {
        List<String> c = new ArrayList<>(List.of("num_atoms"));
        for (String n : conditionNames()) c.add("cond_" + n);
        for (String n : generator.predictorNames()) c.add("pred_" + n);
        c.add("predictor_score");
        return c;
    }

    private double[] latentValues(CrystalGenerator.Crystal c) {
        List<String> names = latentColumns();
        double[] v = new double[names.size()];
        v[0] = c.numAtoms();
        int i = 1;
        for (String n : conditionNames()) v[i++] = c.conditions().getOrDefault(n, Double.NaN);
        for (String n : generator.predictorNames()) v[i++] = c.predictions().getOrDefault(n, Double.NaN);
        v[i] = c.score();
        return v;
    }

    private Map<String, String> latentNotes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("z", "kept prior latent per crystal (the encoder's mu space, before z_condition); rows follow samples.csv");
        m.put("pred", "pred_*: the step-one Predictor's output for the latent, in the property's units (classes: the most likely class)");
        return m;
    }

    /** The value of a batch's future; its failure is rethrown as it was (user errors stay user errors). */
    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sampling interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    private String row(String id, String label, int batch, int latent, CrystalGenerator.Crystal c, Symmetrizer.Result sym) {
        List<String> v = new ArrayList<>(List.of(id, label, String.valueOf(batch)));
        if (outputs.samplesPerZ() > 1) {
            v.add(String.valueOf(latent));
            v.add(String.valueOf(c.sample()));
        }
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
        for (String name : generator.predictorNames()) {
            Double x = c.predictions().get(name);
            v.add(x == null ? "" : num(x));
        }
        if (symmetrizer != null) {
            v.add(sym == null || sym.spacegroup() == 0 ? "" : String.valueOf(sym.spacegroup()));
            v.add(sym == null || sym.spacegroupSymmetrized() == 0 ? "" : String.valueOf(sym.spacegroupSymmetrized()));
        }
        v.add(s == null ? "model predicted 0 atoms" : "");
        v.add(s == null ? "" : CifWriter.write(s));
        return TABLE.format(v.toArray());
    }

    private void writeTables(List<String> csv, StringBuilder xyz) {
        List<String> head = new ArrayList<>(List.of("id", "target", "batch"));
        if (outputs.samplesPerZ() > 1) head.addAll(List.of("latent", "sample"));
        head.addAll(List.of("formula", "num_atoms", "a", "b", "c", "alpha", "beta", "gamma", "volume", "predictor_score"));
        for (String n : conditionNames()) head.add("cond_" + n);
        for (String n : generator.predictorNames()) head.add("pred_" + n);
        if (symmetrizer != null) head.addAll(List.of("spacegroup", "spacegroup_symmetrized"));
        head.add("error");
        head.add("cif");
        StringBuilder sb = new StringBuilder(TABLE.format(head.toArray())).append('\n');
        for (String r : csv) sb.append(r).append('\n');
        AtomicFiles.writeString(out.resolve(CSV), sb.toString());
        if (outputs.formats().contains(Format.EXTXYZ)) AtomicFiles.writeString(out.resolve(EXTXYZ), xyz.toString());
    }

    /** samples.csv's dialect: RFC 4180, minimal quoting (the cif column spans lines inside quotes), '\n' between records. */
    static final CSVFormat TABLE = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build();

    /** The header and records of a samples.csv, each as {@link #TABLE} writes it (a record may span lines). */
    static List<String> records(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        try (CSVParser p = CSVParser.parse(file, StandardCharsets.UTF_8, TABLE)) {
            for (CSVRecord r : p) out.add(TABLE.format((Object[]) r.values()));
        }
        return out;
    }

    private void writeRun(int done, int batches, int first, int end, int total, int crystals, int structures, boolean finished) {
        ObjectNode r = runHeader(version, settings);
        if (shard != null) {
            ObjectNode s = r.putObject("shard");
            s.put("index", shard.index());
            s.put("count", shard.count());
            s.put("first_batch", first);
            s.put("end_batch", end);
            s.put("total_batches", total);
        }
        runProgress(r, batches, done, crystals, structures, finished);
        if (outputs.retryEmpty() > 0) r.put("redrawn_empty", redrawn);
        writeJson(out.resolve(RUN), r);
    }

    /** The start of a run.json: command, program and Java versions, the settings that define the run. */
    static ObjectNode runHeader(String version, JsonNode settings) {
        ObjectNode r = JSON.createObjectNode();
        r.put("command", "sample");
        r.put("version", version);
        r.put("java", System.getProperty("java.version"));
        r.set("settings", settings);
        return r;
    }

    /** The progress part of a run.json (batches, crystals, structures, finished, time of writing). */
    static void runProgress(ObjectNode r, int batches, int done, int crystals, int structures, boolean finished) {
        r.put("batches", batches);
        r.put("batches_done", done);
        r.put("crystals", crystals);
        r.put("structures", structures);
        r.put("finished", finished);
        r.put("updated", Instant.now().toString());
    }

    static void writeJson(Path file, JsonNode n) {
        try {
            AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String num(double x) { return String.format(Locale.ROOT, "%.8g", x); }

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
