package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.concdvae.cli.SampleCommandTest.exec;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code sample --shard I/N}, {@code sample merge} and {@code --save-trajectory} on the tiny model: two targets x 3
 * crystals in batches of 2 (4 batches) sampled whole and as 3 shards (batches [0,1), [1,2), [2,4)); the merged shards
 * are the unsharded run byte for byte (samples.csv, samples.extxyz, every CIF and trajectory). Merge refuses missing,
 * duplicated, unfinished and foreign shards with one-line errors and leaves no output; trajectories parse back as
 * extended XYZ with the expected frames.
 */
class SampleShardTest {
    @TempDir
    static Path root;
    static Path model, targets, whole;
    static List<Path> shards = new ArrayList<>();

    @BeforeAll
    static void sample() throws IOException {
        model = TinyModels.withPriors();
        targets = root.resolve("targets.csv");
        Files.writeString(targets, "label,formation_energy_per_atom\nfe-2,-2.0\nfe-1,-1.0\n");
        whole = root.resolve("whole");
        Cli.Result r = exec(run(whole, "--seed", "7"));
        assertEquals(0, r.code(), r.err());
        for (int i = 0; i < 3; i++) {
            Path s = root.resolve("shards/shard-" + i);
            r = exec(run(s, "--seed", "7", "--shard", i + "/3"));
            assertEquals(0, r.code(), r.err());
            shards.add(s);
        }
    }

    /** The run's options: --save-trajectory without a value (every 100 updates), 2 levels x 1 update. */
    static String[] run(Path out, String... more) {
        return Stream.concat(Stream.of("sample", "--model", model.toString(), "--targets", targets.toString(), "-n", "3",
                "--candidates", "6", "--batch-size", "2", "--save-trajectory", "--n-step-each", "1", "--levels", "2",
                "--quiet", "--threads", "2", "--out", out.toString()), Stream.of(more)).toArray(String[]::new);
    }

    static JsonNode json(Path f) throws IOException { return new ObjectMapper().readTree(f.toFile()); }

    static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void mergedShardsAreTheUnshardedRun() throws IOException {
        // the shards' parts of the work
        int[][] blocks = {{0, 1}, {1, 2}, {2, 4}};
        int[] rows = {2, 1, 3};   // target fe-2: batches of 2 + 1 crystals; fe-1 likewise
        for (int i = 0; i < 3; i++) {
            JsonNode r = json(shards.get(i).resolve("run.json"));
            assertEquals(i, r.path("shard").path("index").asInt());
            assertEquals(3, r.path("shard").path("count").asInt());
            assertEquals(blocks[i][0], r.path("shard").path("first_batch").asInt());
            assertEquals(blocks[i][1], r.path("shard").path("end_batch").asInt());
            assertEquals(4, r.path("shard").path("total_batches").asInt());
            assertEquals(rows[i], r.path("crystals").asInt());
            assertTrue(r.path("finished").asBoolean());
        }
        // shards in any order, one of them through a quoted glob
        Path merged = root.resolve("merged");
        Cli.Result r = exec("sample", "merge", "--out", merged.toString(), "--quiet", shards.get(2).toString(),
                root.resolve("shards").resolve("shard-[01]").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(whole.resolve("samples.csv")), Files.readString(merged.resolve("samples.csv")));
        assertEquals(Files.readString(whole.resolve("samples.extxyz")), Files.readString(merged.resolve("samples.extxyz")));
        for (String sub : List.of("cifs", "trajectories")) {
            List<String> names = files(whole.resolve(sub));
            assertEquals(names, files(merged.resolve(sub)), sub);
            for (String n : names) {
                assertEquals(Files.readString(whole.resolve(sub).resolve(n)), Files.readString(merged.resolve(sub).resolve(n)), sub + "/" + n);
            }
        }
        List<String> ids = new ArrayList<>();
        for (CSVRecord rec : csv(merged)) ids.add(rec.get("id"));
        assertEquals(List.of("fe-2_0", "fe-2_1", "fe-2_2", "fe-1_0", "fe-1_1", "fe-1_2"), ids, "global order");
        int withAtoms = (int) csv(merged).stream().filter(x -> !x.get("num_atoms").equals("0")).count();
        assertEquals(withAtoms, files(merged.resolve("cifs")).size());
        assertTrue(withAtoms > 0, "the tiny model gave no crystal with atoms; nothing was compared");

        JsonNode m = json(merged.resolve("run.json")), w = json(whole.resolve("run.json"));
        assertEquals(w.path("settings"), m.path("settings"));
        assertEquals(6, m.path("crystals").asInt());
        assertEquals(4, m.path("batches_done").asInt());
        assertTrue(m.path("finished").asBoolean());
        assertFalse(m.has("shard"));
        assertEquals(3, m.path("merged_from").size());
        assertEquals("0/3", m.path("merged_from").get(0).path("shard").asText());
        // the merged directory is a finished unsharded run: --resume has nothing left to do
        r = exec(run(merged, "--seed", "7", "--resume"));
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(whole.resolve("samples.csv")), Files.readString(merged.resolve("samples.csv")));
    }

    @Test
    void batchesRunSideBySideGiveTheSequentialRunsBytes() throws IOException {
        // --threads 2 runs the 4 batches two at a time on one thread each; --threads 1 one after another
        Path single = root.resolve("single-thread");
        List<String> args = new ArrayList<>(List.of(run(single, "--seed", "7")));
        args.set(args.indexOf("--threads") + 1, "1");
        Cli.Result r = exec(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("samples.csv", "samples.extxyz")) {
            assertEquals(Files.readString(whole.resolve(f)), Files.readString(single.resolve(f)), f);
        }
        assertEquals(files(whole.resolve("cifs")), files(single.resolve("cifs")));
        for (String f : files(whole.resolve("cifs"))) {
            assertEquals(Files.readString(whole.resolve("cifs").resolve(f)), Files.readString(single.resolve("cifs").resolve(f)), f);
        }
    }

    @Test
    void mergeRefusesIncompleteOrMixedShards() throws IOException {
        Path out = root.resolve("bad-merge");
        String s0 = shards.get(0).toString(), s1 = shards.get(1).toString(), s2 = shards.get(2).toString();
        assertMergeError("missing shard 1 of 3", out, s0, s2);
        assertMergeError("shard 0/3 given twice", out, s0, s0, s1, s2);
        assertMergeError("not a shard (sampled without --shard)", out, whole.toString(), s1);
        assertMergeError("not a sample output directory", out, root.resolve("nowhere").toString());
        assertMergeError("no shard directory matches", out, root.resolve("shards/none-*").toString());
        // another seed: not the same run, naming the setting
        Path other = root.resolve("other-seed");
        Cli.Result r = exec(run(other, "--seed", "8", "--shard", "1/3"));
        assertEquals(0, r.code(), r.err());
        assertMergeError("'seed' differs: 7 vs 8", out, s0, other.toString(), s2);
        // another shard count
        Path half = root.resolve("half");
        r = exec(run(half, "--seed", "7", "--shard", "1/2"));
        assertEquals(0, r.code(), r.err());
        assertMergeError("(not the same run)", out, s0, half.toString(), s2);
        // an unfinished shard
        Path copy = root.resolve("unfinished");
        copyTree(shards.get(1), copy);
        ObjectNode run = (ObjectNode) json(copy.resolve("run.json"));
        run.put("finished", false);
        Files.writeString(copy.resolve("run.json"), run.toString());
        assertMergeError("is not finished", out, s0, copy.toString(), s2);
        // an existing output is never overwritten
        assertMergeError("already exists", shards.get(0), s0, s1, s2);
    }

    void assertMergeError(String message, Path out, String... dirs) {
        String[] args = Stream.concat(Stream.of("sample", "merge", "--out", out.toString()), Stream.of(dirs)).toArray(String[]::new);
        Cli.Result r = exec(args);
        assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.err());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
        assertTrue(r.err().contains(message), r.err());
        if (!out.equals(shards.get(0))) assertFalse(Files.exists(out), "a failed merge leaves no output");
    }

    @Test
    void anInterruptedShardResumesToTheSameOutput() throws IOException {
        // shard 2 does batches 2 and 3 (fe-1: 2 + 1 crystals); a crash after batch 3's tables but before its run.json
        Path s2 = shards.get(2), copy = root.resolve("interrupted");
        copyTree(s2, copy);
        List<CSVRecord> rows = csv(s2);
        int firstBatchAtoms = (int) rows.subList(0, 2).stream().filter(x -> !x.get("num_atoms").equals("0")).count();
        ObjectNode run = (ObjectNode) json(copy.resolve("run.json"));
        run.put("batches_done", 1).put("crystals", 2).put("structures", firstBatchAtoms).put("finished", false);
        Files.writeString(copy.resolve("run.json"), run.toString());
        Cli.Result r = exec(run(copy, "--seed", "7", "--shard", "2/3", "--resume"));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("samples.csv", "samples.extxyz")) assertEquals(Files.readString(s2.resolve(f)), Files.readString(copy.resolve(f)), f);
        assertEquals(files(s2.resolve("cifs")), files(copy.resolve("cifs")));
        assertTrue(json(copy.resolve("run.json")).path("finished").asBoolean());
    }

    @Test
    void badShardOptionsAreOneLineErrors() {
        for (String s : new String[]{"3/3", "-1/4", "0/0", "1-4", "a/b", "2"}) {
            Cli.Result r = exec(run(root.resolve("e-shard"), "--shard", s));
            assertEquals(2, r.code(), s);
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertTrue(r.err().contains("--shard must be I/N with 0 <= I < N"), r.err());
            assertFalse(Files.exists(root.resolve("e-shard").resolve("run.json")));
        }
        Cli.Result r = exec("sample", "--model", model.toString(), "--fe", "-2", "--save-trajectory=0", "--out",
                root.resolve("e-traj").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--save-trajectory must be at least 1"), r.err());
        // resuming a shard under another shard index is refused
        r = exec(run(shards.get(1), "--seed", "7", "--shard", "2/3", "--resume"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("resume with --shard 1/3"), r.err());
    }

    @Test
    void trajectoriesParseBackAsExtendedXyz(@TempDir Path tmp) throws IOException {
        // 2 levels x 3 updates, a frame every 4: steps 0 (initial), 4, and the final 6
        Path out = tmp.resolve("traj");
        Cli.Result r = exec("sample", "--model", model.toString(), "--fe", "-2", "-n", "2", "--candidates", "2",
                "--n-step-each", "3", "--levels", "2", "--save-trajectory", "4", "--quiet", "--threads", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        double sigma0 = 10.0, sigma1 = Math.exp(Math.log(10) + (Math.log(0.01) - Math.log(10)) / 9);   // tiny: 10 levels 10 -> 0.01
        Map<String, Frame> finals = new LinkedHashMap<>();
        for (Frame f : parse(Files.readString(out.resolve("samples.extxyz")))) finals.put(f.info().get("id"), f);
        int checked = 0;
        for (CSVRecord rec : csv(out)) {
            int n = Integer.parseInt(rec.get("num_atoms"));
            Path t = out.resolve("trajectories").resolve(rec.get("id") + ".extxyz");
            if (n == 0) {
                assertFalse(Files.exists(t));
                continue;
            }
            List<Frame> frames = parse(Files.readString(t));
            assertEquals(3, frames.size());
            int[] steps = {0, 4, 6}, levels = {0, 1, 1};
            double[] sigmas = {sigma0, sigma1, sigma1};
            Structure cif = CifReader.readAll(Files.readString(out.resolve("cifs").resolve(rec.get("id") + ".cif")), "cif").get(0);
            double[][] lat = cif.lattice().matrix();
            for (int k = 0; k < 3; k++) {
                Frame f = frames.get(k);
                assertEquals(n, f.species().size());
                assertEquals(rec.get("id"), f.info().get("id"));
                assertEquals(steps[k], Integer.parseInt(f.info().get("step")));
                assertEquals(levels[k], Integer.parseInt(f.info().get("level")));
                assertEquals(sigmas[k], Double.parseDouble(f.info().get("sigma")), 1e-5 * sigmas[k]);
                assertEquals("species:S:1:pos:R:3", f.info().get("Properties"));
                assertEquals("T T T", f.info().get("pbc"));
                for (int q = 0; q < 9; q++) assertEquals(lat[q / 3][q % 3], f.lattice()[q], 1e-6, "lattice");
            }
            // the last frame is the generated crystal: same species and positions as samples.extxyz
            Frame last = frames.get(2), fin = finals.get(rec.get("id"));
            assertEquals(fin.species(), last.species());
            assertEquals(fin.positions(), last.positions());
            assertEquals(cif.composition().reducedFormula(), rec.get("formula"));
            checked++;
        }
        assertTrue(checked > 0, "no crystal with atoms");
    }

    record Frame(Map<String, String> info, double[] lattice, List<String> species, List<String> positions) {}

    static final Pattern KV = Pattern.compile("(\\w+)=(\"([^\"]*)\"|(\\S+))");

    /** A minimal extended XYZ reader (the subset ASE writes for periodic structures). */
    static List<Frame> parse(String text) {
        String[] lines = text.split("\n");
        List<Frame> out = new ArrayList<>();
        int i = 0;
        while (i < lines.length && !lines[i].isBlank()) {
            int n = Integer.parseInt(lines[i].trim());
            Map<String, String> info = new LinkedHashMap<>();
            Matcher m = KV.matcher(lines[i + 1]);
            while (m.find()) info.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4));
            String[] l = info.get("Lattice").trim().split("\\s+");
            assertEquals(9, l.length);
            double[] lat = new double[9];
            for (int k = 0; k < 9; k++) lat[k] = Double.parseDouble(l[k]);
            List<String> species = new ArrayList<>(), pos = new ArrayList<>();
            for (int a = 0; a < n; a++) {
                String[] f = lines[i + 2 + a].trim().split("\\s+");
                assertEquals(4, f.length, lines[i + 2 + a]);
                species.add(f[0]);
                for (int k = 1; k < 4; k++) assertTrue(Double.isFinite(Double.parseDouble(f[k])));
                pos.add(f[1] + " " + f[2] + " " + f[3]);
            }
            out.add(new Frame(info, lat, species, pos));
            i += n + 2;
        }
        return out;
    }

    static List<CSVRecord> csv(Path dir) throws IOException {
        try (CSVParser p = CSVParser.parse(dir.resolve("samples.csv"), StandardCharsets.UTF_8,
                CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build())) {
            return p.getRecords();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    @Test
    void helpListsShardTrajectoryAndMerge() {
        Cli.Result r = exec("sample", "--help");
        assertEquals(0, r.code());
        for (String s : List.of("--shard", "--save-trajectory", "merge", "SLURM_ARRAY_TASK_ID")) assertTrue(r.out().contains(s), s + "\n" + r.out());
        r = exec("sample", "merge", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("SHARD_DIR") && r.out().contains("--out"), r.out());
        r = exec("sample", "merge", "--quiet");
        assertEquals(2, r.code(), "--out and shard directories are required");
    }
}
