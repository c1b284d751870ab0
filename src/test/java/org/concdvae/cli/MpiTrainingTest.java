package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.dist.MpiJobs;
import org.concdvae.testutil.SharedData;
import org.concdvae.testutil.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The training commands under {@code mpirun -np 2} (child JVMs on the test class path), on the tiny config and the
 * first crystals of mptest at a global batch of 16: 2 processes x 1 replica write the same weights, byte for byte, as
 * 1 process x 2 replicas (train-step1, train-prior, evaluate train-cgcnn); a job whose rank is killed with SIGKILL
 * ends non-zero, and --resume from its last checkpoint (here with one process of two replicas) finishes with the
 * weights of the uninterrupted run.
 */
class MpiTrainingTest {
    @TempDir
    static Path root;
    static Path data;

    @BeforeAll
    static void data() throws IOException {
        data = Files.createDirectories(root.resolve("data"));
        TinyModels.head(SharedData.path("data/mptest/train.csv"), data.resolve("train.csv"), 40);
        TinyModels.head(SharedData.path("data/mptest/val.csv"), data.resolve("val.csv"), 12);
        TinyModels.head(SharedData.path("data/mptest/test.csv"), data.resolve("test.csv"), 12);
    }

    static int inProcess(List<String> args) {
        return Main.commandLine().execute(args.toArray(String[]::new));
    }

    static List<String> step1(Path out, int epochs, int replicas, String... more) {
        List<String> a = new ArrayList<>(List.of("train-step1", "--config", "tiny", "--data", data.toString(), "--out", out.toString(),
                "--epochs", String.valueOf(epochs), "--batch-size", "16", "--replicas", String.valueOf(replicas),
                "--threads", String.valueOf(replicas), "-q"));
        a.addAll(List.of(more));
        return a;
    }

    static MpiJobs.Result mpirun2(List<String> args, Path dir, long seconds) throws Exception {
        return MpiJobs.run(MpiJobs.mpirun(2, MpiJobs.java(Main.class.getName(), args.toArray(String[]::new))), dir, Map.of(), seconds);
    }

    static void assertSameBytes(Path a, Path b) throws IOException {
        assertTrue(Files.isRegularFile(a) && Files.isRegularFile(b), a + " / " + b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), a.getFileName() + " differs between the layouts");
    }

    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void twoProcessesOfOneReplicaEqualOneProcessOfTwo() throws Exception {
        MpiJobs.requireMpirun();
        Path one = root.resolve("1x2"), two = root.resolve("2x1");
        assertEquals(0, inProcess(step1(one, 1, 2)));
        MpiJobs.Result r = mpirun2(step1(two, 1, 1), root, 180);
        assertEquals(0, r.exitCode(), r.both());
        assertSameBytes(one.resolve("last.safetensors"), two.resolve("last.safetensors"));
        assertSameBytes(one.resolve("best.safetensors"), two.resolve("best.safetensors"));
        assertEquals(withoutSeconds(one.resolve("metrics.csv")), withoutSeconds(two.resolve("metrics.csv")), "the same losses");
        assertEquals(files(one), files(two), "rank 0 alone writes, the same files");
        JsonNode p = new ObjectMapper().readTree(two.resolve("run.json").toFile()).path("parallel");
        assertEquals(2, p.path("ranks").asInt());
        assertEquals(1, p.path("replicas").asInt());
        assertTrue(p.path("mpi_library").asText().matches("(Open MPI|MPICH|Intel).*"), p.toString());
    }

    @Test
    void trainPriorAndTrainCgcnnRunUnderMpirun() throws Exception {
        MpiJobs.requireMpirun();
        Path model = root.resolve("model");
        copyTree(TinyModels.withPriors(), model);
        List<String> prior = List.of("train-prior", "--model", model.toString(), "--epochs", "1", "--batch-size", "16", "-q");
        assertEquals(0, inProcess(concat(prior, "--label", "p12", "--replicas", "2", "--threads", "2")));
        MpiJobs.Result r = mpirun2(concat(prior, "--label", "p21", "--replicas", "1", "--threads", "1"), root, 180);
        assertEquals(0, r.exitCode(), r.both());
        assertSameBytes(model.resolve("p12.safetensors"), model.resolve("p21.safetensors"));

        List<String> cgcnn = List.of("evaluate", "train-cgcnn", "--data", data.toString(), "--target", "formation_energy_per_atom",
                "--atom-features", SharedData.path("data/mptest/atom_init.json").toString(), "--epochs", "1", "--batch-size", "16", "-q");
        Path c12 = root.resolve("cgcnn12"), c21 = root.resolve("cgcnn21");
        assertEquals(0, inProcess(concat(cgcnn, "--out", c12.toString(), "--replicas", "2", "--threads", "2")));
        r = mpirun2(concat(cgcnn, "--out", c21.toString(), "--replicas", "1", "--threads", "1"), root, 180);
        assertEquals(0, r.exitCode(), r.both());
        assertSameBytes(c12.resolve("best.safetensors"), c21.resolve("best.safetensors"));
    }

    @Test
    void aKilledRankEndsTheJobAndResumeFinishesIt() throws Exception {
        MpiJobs.requireMpirun();
        Path whole = root.resolve("whole"), run = root.resolve("killed"), dir = Files.createDirectories(root.resolve("kill-job"));
        assertEquals(0, inProcess(step1(whole, 2, 2)));

        Process job = MpiJobs.start(MpiJobs.mpirun(2, MpiJobs.java(Main.class.getName(), step1(run, 2, 1).toArray(String[]::new))), dir, Map.of());
        long deadline = System.nanoTime() + 150_000_000_000L;
        while (!Files.exists(run.resolve("last.json"))) {   // the first epoch's checkpoint; the kill falls in the second
            if (!job.isAlive()) fail("the job ended before its first checkpoint: " + MpiJobs.finish(job, dir, 5).both());
            assertTrue(System.nanoTime() < deadline, "no checkpoint in time");
            Thread.sleep(50);
        }
        List<ProcessHandle> ranks = job.descendants().filter(h -> h.info().command().orElse("").endsWith("java")).toList();
        assertEquals(2, ranks.size(), "two rank JVMs");
        new ProcessBuilder("kill", "-9", String.valueOf(ranks.get(1).pid())).start().waitFor();
        MpiJobs.Result r = MpiJobs.finish(job, dir, 60);
        assertFalse(r.timedOut(), "the job went on after a rank was killed\n" + r.both());
        assertNotEquals(0, r.exitCode(), r.both());

        // continue with another layout: one process of two replicas (the same global batch split)
        assertEquals(0, inProcess(step1(run, 2, 2, "--resume")));
        assertSameBytes(whole.resolve("last.safetensors"), run.resolve("last.safetensors"));
    }

    /** metrics.csv without its wall-time column. */
    private static List<String> withoutSeconds(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        int col = List.of(lines.get(0).split(",")).indexOf("seconds");
        assertTrue(col >= 0, lines.get(0));
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            List<String> f = new ArrayList<>(List.of(l.split(",", -1)));
            f.remove(col);
            out.add(String.join(",", f));
        }
        return out;
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(List.of(b));
        return l;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }
}
