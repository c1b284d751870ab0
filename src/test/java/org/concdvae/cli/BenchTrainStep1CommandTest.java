package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench train-step1 --replicas}: the layouts it times (R replicas on R × K threads, one replica on the largest
 * layout's threads, and with K = 1 as many separate trainers side by side), the rounds it takes the speed-up over,
 * and its refusals. Speed is measured by the command,
 * not here (a tiny model, one step a block).
 */
class BenchTrainStep1CommandTest {
    @Test
    void replicaLayoutsTakeTurnsOverRounds(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("scaling.json");
        Cli.Result r = Cli.exec("bench", "train-step1", "--config", "tiny", "--data", SharedData.path("data/mptest").toString(),
                "--batch", "8", "--replicas", "1,2", "--steps", "1", "--warmup", "0", "--rounds", "3", "--json", json.toString(), "-q");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("layouts [1 replica, 1 thread, 2 replicas, 2 threads, 1 replica, 2 threads, "
                + "2 separate trainers, 2 threads]"), r.out());
        assertTrue(r.out().contains("batch 8, 1 replica, 2 threads (intra-op threads): median"), r.out());
        assertTrue(r.out().contains("batch 8, 2 separate trainers, 2 threads (independent trainings on the same cores: no gradient exchange, an Adam pass each): median"), r.out());
        assertTrue(r.out().contains("% of the throughput of 2 separate trainers"), r.out());
        JsonNode rows = new ObjectMapper().readTree(json.toFile());
        assertEquals(4, rows.size());
        int[][] layouts = {{1, 1}, {2, 2}, {1, 2}, {2, 2}};
        for (int i = 0; i < 4; i++) {
            JsonNode row = rows.get(i);
            assertEquals(layouts[i][0], row.get("replicas").asInt());
            assertEquals(layouts[i][1], row.get("threads").asInt());
            assertEquals(i == 3, row.get("separate_trainers").asBoolean());
            assertEquals(3, row.get("speedup_per_round").size());
            assertEquals("RandomState(8).choice(69, 8, replace=False)", row.get("draw").asText());
            assertTrue(row.get("median_ms").asDouble() > 0 && row.get("crystals_per_s").asDouble() > 0);
            // the speed-up is the median of the rounds' ratios of block medians
            double[] s = new double[3];
            for (int k = 0; k < 3; k++) s[k] = row.get("speedup_per_round").get(k).asDouble();
            java.util.Arrays.sort(s);
            assertEquals(s[1], row.get("speedup").asDouble(), 0.0);
            assertEquals(row.get("speedup").asDouble() * 1 / layouts[i][1], row.get("efficiency").asDouble(), 1e-12);
            assertEquals(i != 3, row.has("critical_path_cpu_ms"), "separate trainers have no serial work between side-by-side sections");
            assertEquals(i == 1, row.has("vs_separate_trainers"), "only the data-parallel layout of the same size is compared with the separate trainers");
        }
        for (JsonNode v : rows.get(0).get("speedup_per_round")) assertEquals(1.0, v.asDouble(), 0.0);
        // against the separate trainers round by round: the ratio of the two layouts' speed-ups over the same base block
        JsonNode dp = rows.get(1), separate = rows.get(3);
        double[] of = new double[3];
        for (int k = 0; k < 3; k++) {
            of[k] = dp.get("vs_separate_trainers_per_round").get(k).asDouble();
            assertEquals(dp.get("speedup_per_round").get(k).asDouble() / separate.get("speedup_per_round").get(k).asDouble(), of[k], 1e-9);
        }
        java.util.Arrays.sort(of);
        assertEquals(of[1], dp.get("vs_separate_trainers").asDouble(), 0.0);
    }

    @Test
    void separateTrainersAreLeftOutWhenReplicasHaveSeveralThreads(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("scaling.json");
        Cli.Result r = Cli.exec("bench", "train-step1", "--config", "tiny", "--data", SharedData.path("data/mptest").toString(),
                "--batch", "8", "--replicas", "2", "--threads-per-replica", "2", "--steps", "1", "--warmup", "0", "--rounds", "1",
                "--json", json.toString(), "-q");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("layouts [2 replicas, 4 threads, 1 replica, 4 threads]"), r.out());
        assertEquals(2, new ObjectMapper().readTree(json.toFile()).size());
    }

    @Test
    void optionsThatDoNotApplyOrAreOutOfRangeAreErrors() {
        Cli.Result r = Cli.exec("bench", "train-step1", "--config", "tiny", "--data", SharedData.path("data/mptest").toString(),
                "--batch", "8", "--replicas", "1,2", "--threads", "2", "-q");
        assertEquals(2, r.code(), r.err());
        assertEquals("error: --threads does not apply with --replicas: R replicas run on R x --threads-per-replica threads",
                r.err().strip());
        Cli.Result rounds = Cli.exec("bench", "train-step1", "--config", "tiny", "--data", SharedData.path("data/mptest").toString(),
                "--batch", "8", "--rounds", "5", "-q");
        assertEquals(2, rounds.code(), rounds.err());
        assertEquals("error: --rounds applies only with --replicas", rounds.err().strip());
        Cli.Result zero = Cli.exec("bench", "train-step1", "--config", "tiny", "--data", SharedData.path("data/mptest").toString(),
                "--batch", "8", "--replicas", "1,2", "--threads-per-replica", "0", "-q");
        assertEquals(2, zero.code(), zero.err());
        assertEquals("error: --threads-per-replica must be at least 1, got 0", zero.err().strip());
        Cli.Result odd = Cli.exec("bench", "train-step1", "--config", "tiny", "--data", SharedData.path("data/mptest").toString(),
                "--batch", "6", "--replicas", "4", "-q");
        assertEquals(2, odd.code(), odd.err());
        assertTrue(odd.err().startsWith("error: --batch 6 does not split into micro-batches of at least 2 over 4 replicas"), odd.err());
    }
}
