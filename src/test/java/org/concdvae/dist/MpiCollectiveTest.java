package org.concdvae.dist;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The JNA binding of the system's MPI library in real 2-process jobs ({@code mpirun -np 2}, child JVMs): every
 * collective returns the expected bits on both ranks; a rank that fails ends the job with its one line and a non-zero
 * exit; a rank killed with SIGKILL ends the job; a rank that stops answering is ended by the watchdog.
 */
class MpiCollectiveTest {
    @TempDir
    Path dir;

    @Test
    void everyCollectiveGivesTheExpectedBitsOnBothRanks() throws Exception {
        MpiJobs.Result r = MpiJobs.run(MpiJobs.mpirun(2, MpiJobs.java(MpiProbe.class.getName(), "check")), dir, Map.of(), 120);
        assertEquals(0, r.exitCode(), r.both());
        assertTrue(r.out().contains("ok rank 0 of 2: "), r.both());
        assertTrue(r.out().contains("ok rank 1 of 2: "), r.both());
        assertFalse(r.out().contains("ok rank 0 of 2: none"), r.both());
    }

    @Test
    void theMpichAbiWhereMpichIsInstalled() throws Exception {
        // CI installs Open MPI only; with MPICH's Hydra launcher present (Debian's mpich) its ABI is checked too
        Path hydra = MpiJobs.onPath("mpiexec.hydra", "mpiexec.mpich");
        Assumptions.assumeTrue(hydra != null, "MPICH is not installed (no mpiexec.hydra); the Open MPI tests still run");
        List<String> c = new java.util.ArrayList<>(List.of(hydra.toString(), "-n", "2"));
        c.addAll(MpiJobs.java(MpiProbe.class.getName(), "check"));
        MpiJobs.Result r = MpiJobs.run(c, dir, Map.of(), 120);
        assertEquals(0, r.exitCode(), r.both());
        assertTrue(r.out().contains("ok rank 1 of 2: MPICH"), r.both());
    }

    @Test
    void aFailingRankEndsTheJobWithOneLineNamingIt() throws Exception {
        // rank 0 waits in a barrier (a healthy rank); rank 1 runs a command that fails on bad input
        List<String> waiting = MpiJobs.java(MpiProbe.class.getName(), "stall");
        List<String> failing = MpiJobs.java("org.concdvae.cli.Main", "sample", "--model", dir.resolve("no-such-model").toString(),
                "--bg", "1", "--out", dir.resolve("out").toString());
        long t0 = System.nanoTime();
        MpiJobs.Result r = MpiJobs.run(MpiJobs.mpirunEach(List.of(waiting, failing)), dir, Map.of(), 120);
        assertFalse(r.timedOut(), r.both());
        assertNotEquals(0, r.exitCode(), r.both());
        long lines = r.err().lines().filter(l -> l.startsWith("error: rank 1: ")).count();
        assertEquals(1, lines, r.both());
        assertTrue(r.err().contains("no-such-model"), r.both());
        assertFalse(Files.exists(dir.resolve("out")), "no partial output");
        assertTrue((System.nanoTime() - t0) / 1e9 < 100, "the job ended promptly");
    }

    @Test
    void aCommandThatDoesNotSplitItsWorkIsRefusedUnderMpi() throws Exception {
        MpiJobs.Result r = MpiJobs.run(MpiJobs.mpirun(2, MpiJobs.java("org.concdvae.cli.Main", "inspect-checkpoint",
                dir.resolve("x.safetensors").toString())), dir, Map.of(), 120);
        assertNotEquals(0, r.exitCode(), r.both());
        assertTrue(r.err().contains("'concdvae inspect-checkpoint' runs in one process; launch it without mpirun/srun"), r.both());
    }

    @Test
    void aKilledRankEndsTheJob() throws Exception {
        Path pids = dir.resolve("pid");
        Process job = MpiJobs.start(MpiJobs.mpirun(2, MpiJobs.java(MpiProbe.class.getName(), "wait", pids.toString())), dir, Map.of());
        Path victim = Path.of(pids + ".1");
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!Files.exists(victim) || Files.readString(victim).isBlank()) {
            assertTrue(job.isAlive() && System.nanoTime() < deadline, "rank 1 did not start");
            Thread.sleep(100);
        }
        Thread.sleep(300);   // both ranks are allreducing
        long pid = Long.parseLong(Files.readString(victim).trim());
        new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
        MpiJobs.Result r = MpiJobs.finish(job, dir, 60);
        assertFalse(r.timedOut(), "the job went on after a rank was killed\n" + r.both());
        assertNotEquals(0, r.exitCode(), r.both());
    }

    @Test
    void aRankThatStopsAnsweringIsEndedByTheWatchdog() throws Exception {
        MpiJobs.Result r = MpiJobs.run(MpiJobs.mpirun(2, MpiJobs.java(MpiProbe.class.getName(), "stall")), dir,
                Map.of(MpiCollective.TIMEOUT_VARIABLE, "3"), 90);
        assertFalse(r.timedOut(), r.both());
        assertNotEquals(0, r.exitCode(), r.both());
        assertTrue(r.err().contains("error: rank 0: waited "), r.both());
        assertTrue(r.err().contains("in MPI_Barrier for the other ranks"), r.both());
    }
}
