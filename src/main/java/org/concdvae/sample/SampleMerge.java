package org.concdvae.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.JsonDifference;
import org.concdvae.io.StagedDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Joins the output directories of the shards of one sampling run ({@code sample --shard i/N}) into one directory that
 * is what the unsharded run writes: {@code samples.csv}, {@code samples.extxyz}, {@code cifs/},
 * {@code trajectories/} in global order, and a {@code run.json} of a finished run that lists the shards
 * ({@code merged_from}). The shards must be finished, of the same run (identical settings: model, prior, strategy,
 * targets, seed, sizes; same shard count) and complete (every index once). The result is built in a hidden temporary
 * directory and renamed to {@code out} at the end, so a failed merge leaves nothing behind.
 */
public final class SampleMerge {
    /** What was merged. */
    public record Summary(int shards, int crystals, int structures) {}

    private record Part(Path dir, JsonNode run, int index, int count) {}

    private SampleMerge() {}

    public static Summary merge(List<Path> dirs, Path out, String version) {
        if (dirs.isEmpty()) throw new InvalidInputException("no shard directories to merge");
        List<Part> parts = new ArrayList<>();
        for (Path d : dirs) parts.add(read(d));
        Part ref = parts.get(0);
        for (Part p : parts) {
            if (p.count() != ref.count()) {
                throw new InvalidInputException(p.dir() + ": is shard " + p.index() + "/" + p.count() + ", but " + ref.dir()
                        + " is shard " + ref.index() + "/" + ref.count() + " (not the same run)");
            }
            JsonDifference.Difference diff = JsonDifference.find(ref.run().path("settings"), p.run().path("settings"));
            if (diff != null) {
                throw new InvalidInputException(p.dir() + ": not the same run as " + ref.dir() + " ('"
                        + (diff.path().isEmpty() ? "settings" : diff.path()) + "' differs: " + diff.a() + " vs " + diff.b() + ")");
            }
        }
        Map<Integer, Part> byIndex = new TreeMap<>();
        for (Part p : parts) {
            Part other = byIndex.put(p.index(), p);
            if (other != null) {
                throw new InvalidInputException("shard " + p.index() + "/" + p.count() + " given twice: " + other.dir() + " and " + p.dir());
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < ref.count(); i++) if (!byIndex.containsKey(i)) missing.add(i);
        if (!missing.isEmpty()) {
            throw new InvalidInputException("missing shard" + (missing.size() > 1 ? "s " : " ") + join(missing) + " of " + ref.count()
                    + " (every shard of the run is needed; given: " + join(new ArrayList<>(byIndex.keySet())) + ")");
        }
        List<Part> ordered = new ArrayList<>(byIndex.values());
        int expect = 0, total = ordered.get(0).run().path("shard").path("total_batches").asInt();
        for (Part p : ordered) {
            JsonNode s = p.run().path("shard");
            if (s.path("first_batch").asInt() != expect || s.path("total_batches").asInt() != total) {
                throw new InvalidInputException(p.dir() + ": its batches [" + s.path("first_batch").asInt() + ", " + s.path("end_batch").asInt()
                        + ") do not continue the previous shard's (expected to start at " + expect + ")");
            }
            expect = s.path("end_batch").asInt();
        }
        if (expect != total) throw new InvalidInputException("the shards cover " + expect + " of " + total + " batches");
        return StagedDirectory.create(out, tmp -> {
            try {
                return write(ordered, tmp, version);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static Summary write(List<Part> parts, Path tmp, String version) throws IOException {
        String header = null;
        StringBuilder csv = new StringBuilder(), xyz = new StringBuilder();
        Set<String> ids = new HashSet<>();
        int crystals = 0, structures = 0;
        ArrayNode from = SampleRun.JSON.createArrayNode();
        JsonNode settings = parts.get(0).run().path("settings");
        // runs without a 'formats' setting predate --format and wrote CIFs and samples.extxyz
        Set<String> formats = new HashSet<>(List.of("cif", "extxyz"));
        if (settings.has("formats")) {
            formats.clear();
            settings.path("formats").forEach(n -> formats.add(n.asText()));
        }
        boolean cif = formats.contains("cif"), extxyz = formats.contains("extxyz"), latents = settings.path("save_latents").asBoolean(false);
        LatentFile latentRows = null;
        int redrawn = 0;
        if (cif) Files.createDirectories(tmp.resolve(SampleRun.CIFS));
        for (Part p : parts) {
            Path table = p.dir().resolve(SampleRun.CSV);
            if (!Files.isRegularFile(table)) throw new InvalidInputException(table + ": not found");
            List<String> lines = SampleRun.records(table);
            if (lines.isEmpty()) throw new InvalidInputException(table + ": empty (no header)");
            if (header == null) {
                header = lines.get(0);
                csv.append(header).append('\n');
            } else if (!header.equals(lines.get(0))) {
                throw new InvalidInputException(table + ": its columns differ from " + parts.get(0).dir().resolve(SampleRun.CSV));
            }
            int rows = lines.size() - 1, want = p.run().path("crystals").asInt();
            if (rows != want) throw new InvalidInputException(table + ": " + rows + " rows, but its " + SampleRun.RUN + " records " + want);
            int cifs = 0;
            for (String row : lines.subList(1, lines.size())) {
                String id = row.substring(0, row.indexOf(',') < 0 ? row.length() : row.indexOf(','));
                if (!ids.add(id)) throw new InvalidInputException(table + ": crystal id '" + id + "' also appears in an earlier shard");
                csv.append(row).append('\n');
                cifs += copy(p.dir().resolve(SampleRun.CIFS).resolve(id + ".cif"), tmp.resolve(SampleRun.CIFS));
                copy(p.dir().resolve(SampleRun.TRAJECTORIES).resolve(id + ".extxyz"), tmp.resolve(SampleRun.TRAJECTORIES));
                copy(p.dir().resolve(SampleRun.POSCARS).resolve(id + ".vasp"), tmp.resolve(SampleRun.POSCARS));
                copy(p.dir().resolve(SampleRun.SYMMETRIZED).resolve(id + ".cif"), tmp.resolve(SampleRun.SYMMETRIZED));
            }
            int frames = p.run().path("structures").asInt();
            if (latents && rows > 0) {
                org.concdvae.io.Safetensors st = org.concdvae.io.Safetensors.read(p.dir().resolve(SampleRun.LATENTS));
                if (latentRows == null) latentRows = new LatentFile("z", List.of(st.metadata().getOrDefault("columns", "").split(",")));
                latentRows.readRowsAppend(st, rows);
            }
            if (cif && cifs != frames) {
                throw new InvalidInputException(p.dir().resolve(SampleRun.CIFS) + ": " + cifs + " CIFs of its crystals found, but "
                        + SampleRun.RUN + " records " + frames + " crystals with atoms");
            }
            Path x = p.dir().resolve(SampleRun.EXTXYZ);
            if (extxyz && frames > 0 && !Files.isRegularFile(x)) throw new InvalidInputException(x + ": not found");
            if (extxyz && frames > 0) xyz.append(SampleRun.firstFrames(Files.readString(x, StandardCharsets.UTF_8), frames));
            crystals += rows;
            structures += frames;
            redrawn += p.run().path("redrawn_empty").asInt(0);
            ObjectNode f = from.addObject();
            f.put("shard", p.index() + "/" + p.count());
            f.put("dir", p.dir().toAbsolutePath().normalize().toString());
            f.put("crystals", rows);
            f.put("version", p.run().path("version").asText());
        }
        AtomicFiles.writeString(tmp.resolve(SampleRun.CSV), csv.toString());
        if (extxyz) AtomicFiles.writeString(tmp.resolve(SampleRun.EXTXYZ), xyz.toString());
        if (latentRows != null) latentRows.write(tmp.resolve(SampleRun.LATENTS), latentRows.notes());
        JsonNode first = parts.get(0).run();
        int total = first.path("shard").path("total_batches").asInt();
        ObjectNode r = SampleRun.runHeader(version, first.path("settings"));
        SampleRun.runProgress(r, total, total, crystals, structures, true);
        if (settings.path("retry_empty").asBoolean(false)) r.put("redrawn_empty", redrawn);
        r.set("merged_from", from);
        SampleRun.writeJson(tmp.resolve(SampleRun.RUN), r);
        return new Summary(parts.size(), crystals, structures);
    }

    /** Copies {@code file} (if it exists) into the directory {@code to}; returns 1 if copied, else 0. */
    private static int copy(Path file, Path to) throws IOException {
        if (!Files.isRegularFile(file)) return 0;
        Files.createDirectories(to);
        Files.copy(file, to.resolve(file.getFileName().toString()));
        return 1;
    }

    private static Part read(Path dir) {
        Path run = dir.resolve(SampleRun.RUN);
        if (!Files.isRegularFile(run)) throw new InvalidInputException(dir + ": not a sample output directory (no " + SampleRun.RUN + ")");
        JsonNode n;
        try {
            n = SampleRun.JSON.readTree(run.toFile());
        } catch (IOException e) {
            throw new InvalidInputException(run + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (!"sample".equals(n.path("command").asText()) || !n.path("settings").isObject()) {
            throw new InvalidInputException(run + ": not the run record of 'concdvae sample'");
        }
        JsonNode s = n.path("shard");
        if (!s.isObject()) {
            throw new InvalidInputException(dir + ": not a shard (" + (n.has("merged_from") ? "already merged" : "sampled without --shard") + ")");
        }
        int index = s.path("index").asInt(), count = s.path("count").asInt();
        if (!n.path("finished").asBoolean()) {
            throw new InvalidInputException(dir + ": shard " + index + "/" + count + " is not finished (" + n.path("batches_done").asInt()
                    + " of " + n.path("batches").asInt() + " batches; continue it with --resume)");
        }
        return new Part(dir, n, index, count);
    }

    /** The first setting that differs, as "'key' differs (a vs b)", or null. */


    private static String join(List<Integer> l) {
        StringBuilder sb = new StringBuilder();
        for (Iterator<Integer> it = l.iterator(); it.hasNext(); ) sb.append(it.next()).append(it.hasNext() ? ", " : "");
        return sb.toString();
    }
}
