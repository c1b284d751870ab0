package org.concdvae.cli;

import org.concdvae.dist.MpiJobs;
import org.concdvae.testutil.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code mpirun -np 2 concdvae sample}: each rank samples its shard of the batches and rank 0 merges them; the result
 * is the unsharded run's files byte for byte (two targets x 3 crystals in batches of 2 on the tiny model), and the
 * ranks' shard directories are gone afterwards.
 */
class SampleMpiTest {
    @TempDir
    Path root;

    private List<String> args(Path model, Path targets, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("sample", "--model", model.toString(), "--targets", targets.toString(), "-n", "3",
                "--candidates", "6", "--batch-size", "2", "--save-trajectory", "--n-step-each", "1", "--levels", "2",
                "--quiet", "--threads", "1", "--seed", "7", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void twoRanksWriteTheUnshardedRun() throws Exception {
        MpiJobs.requireMpirun();
        Path model = TinyModels.withPriors();
        Path targets = root.resolve("targets.csv");
        Files.writeString(targets, "label,formation_energy_per_atom\nfe-2,-2.0\nfe-1,-1.0\n");
        Path whole = root.resolve("whole"), ranks = root.resolve("ranks");
        Cli.Result w = SampleCommandTest.exec(args(model, targets, whole).toArray(String[]::new));
        assertEquals(0, w.code(), w.err());

        MpiJobs.Result r = MpiJobs.run(MpiJobs.mpirun(2, MpiJobs.java(Main.class.getName(), args(model, targets, ranks).toArray(String[]::new))),
                root, Map.of(), 240);
        assertEquals(0, r.exitCode(), r.both());
        assertEquals(Files.readString(whole.resolve("samples.csv")), Files.readString(ranks.resolve("samples.csv")));
        assertEquals(Files.readString(whole.resolve("samples.extxyz")), Files.readString(ranks.resolve("samples.extxyz")));
        for (String sub : List.of("cifs", "trajectories")) {
            List<String> names = SampleShardTest.files(whole.resolve(sub));
            assertEquals(names, SampleShardTest.files(ranks.resolve(sub)), sub);
            for (String n : names) {
                assertEquals(Files.readString(whole.resolve(sub).resolve(n)), Files.readString(ranks.resolve(sub).resolve(n)), sub + "/" + n);
            }
        }
        assertFalse(SampleShardTest.files(whole.resolve("cifs")).isEmpty(), "no crystal with atoms; nothing was compared");
        assertEquals(SampleShardTest.json(whole.resolve("run.json")).path("settings"), SampleShardTest.json(ranks.resolve("run.json")).path("settings"));
        assertEquals(2, SampleShardTest.json(ranks.resolve("run.json")).path("merged_from").size());
        assertFalse(Files.exists(SampleCommand.rankShards(ranks, 2)), "the ranks' shards are removed after the merge");
        try (var s = Files.list(root)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".ranks")).toList());
        }

        // --shard is for job arrays, not MPI jobs
        MpiJobs.Result again = MpiJobs.run(MpiJobs.mpirun(2, MpiJobs.java(Main.class.getName(),
                args(model, targets, root.resolve("other"), "--shard", "0/2").toArray(String[]::new))), root, Map.of(), 120);
        assertNotEquals(0, again.exitCode(), again.both());
        assertTrue(again.err().contains("under mpirun/srun each of the 2 ranks takes its shard by itself"), again.both());
    }
}
