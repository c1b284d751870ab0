package org.concdvae.dist;

import org.concdvae.io.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Recognising an MPI launch from the environment, for every supported launcher; no MPI library is touched. */
class MpiLaunchTest {
    @Test
    void noLauncherOrOneProcessIsTheSingleProcessPath() {
        assertNull(MpiLaunch.detect(Map.of()));
        assertNull(MpiLaunch.detect(Map.of("HOME", "/home/u", "OMP_NUM_THREADS", "4")));
        assertNull(MpiLaunch.detect(Map.of("OMPI_COMM_WORLD_SIZE", "1", "OMPI_COMM_WORLD_RANK", "0")));
        assertNull(MpiLaunch.detect(Map.of("PMI_SIZE", "1", "PMI_RANK", "0")));
        assertSame(SingleProcess.INSTANCE, Collectives.detect(Map.of("SLURM_STEP_NUM_TASKS", "1", "SLURM_PROCID", "0")));
        // a batch script running the tool directly: SLURM_NTASKS of the allocation, but no job step
        assertNull(MpiLaunch.detect(Map.of("SLURM_NTASKS", "8", "SLURM_PROCID", "0", "SLURM_JOB_ID", "123")));
    }

    @Test
    void openMpi() {
        MpiLaunch l = MpiLaunch.detect(Map.of("OMPI_COMM_WORLD_SIZE", "4", "OMPI_COMM_WORLD_RANK", "3"));
        assertEquals(3, l.rank());
        assertEquals(4, l.size());
        assertEquals(MpiLaunch.OPEN_MPI, l.libraries());
        assertEquals("OMPI_COMM_WORLD_SIZE=4", l.launcher());
    }

    @Test
    void mpichHydraIntelMpiAndMvapich() {
        MpiLaunch h = MpiLaunch.detect(Map.of("PMI_SIZE", "2", "PMI_RANK", "1"));
        assertEquals(1, h.rank());
        assertEquals(2, h.size());
        assertEquals("libmpi.so.12", h.libraries().get(0));
        MpiLaunch m = MpiLaunch.detect(Map.of("MV2_COMM_WORLD_SIZE", "16", "MV2_COMM_WORLD_RANK", "9"));
        assertEquals(9, m.rank());
        assertEquals(16, m.size());
        assertEquals(MpiLaunch.MPICH, m.libraries());
    }

    @Test
    void srunWithPmixOrPmi2() {
        Map<String, String> pmix = Map.of("SLURM_STEP_NUM_TASKS", "256", "SLURM_PROCID", "130", "SLURM_NTASKS", "256",
                "PMIX_RANK", "130", "SLURM_JOB_ID", "77");
        MpiLaunch l = MpiLaunch.detect(pmix);
        assertEquals(130, l.rank());
        assertEquals(256, l.size());
        assertEquals(MpiLaunch.ANY, l.libraries());
        // srun --mpi=pmi2 also exports PMI_RANK/PMI_SIZE: either family may be loaded
        MpiLaunch p = MpiLaunch.detect(Map.of("PMI_SIZE", "4", "PMI_RANK", "2", "SLURM_STEP_NUM_TASKS", "4", "SLURM_PROCID", "2"));
        assertEquals(2, p.rank());
        assertEquals(MpiLaunch.ANY, p.libraries());
        // a PMIx launcher that names no size: MPI_Comm_size decides
        MpiLaunch x = MpiLaunch.detect(Map.of("PMIX_RANK", "5"));
        assertEquals(5, x.rank());
        assertFalse(x.sizeKnown());
    }

    @Test
    void launcherVariablesWinOverSlurmsAndTheLibraryCanBeNamed() {
        MpiLaunch l = MpiLaunch.detect(Map.of("OMPI_COMM_WORLD_SIZE", "2", "OMPI_COMM_WORLD_RANK", "1",
                "SLURM_STEP_NUM_TASKS", "1", "SLURM_PROCID", "0", MpiLaunch.LIBRARY_VARIABLE, " /opt/mpi/lib/libmpi.so.40 "));
        assertEquals(1, l.rank());
        assertEquals(2, l.size());
        assertEquals(java.util.List.of("/opt/mpi/lib/libmpi.so.40"), l.libraries());
    }

    @Test
    void malformedVariablesAreErrorsNamingThem() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> MpiLaunch.detect(Map.of("OMPI_COMM_WORLD_SIZE", "two", "OMPI_COMM_WORLD_RANK", "0")));
        assertTrue(e.getMessage().contains("OMPI_COMM_WORLD_SIZE='two'"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> MpiLaunch.detect(Map.of("PMI_SIZE", "2", "PMI_RANK", "2")));
        assertTrue(e.getMessage().contains("rank 2 outside 0..1"), e.getMessage());
    }

    @Test
    void aMissingLibraryIsOneClearErrorSayingWhatWasLookedFor() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Collectives.detect(Map.of(
                "PMI_SIZE", "2", "PMI_RANK", "0", MpiLaunch.LIBRARY_VARIABLE, "/nonexistent/libmpi-missing.so.12")));
        assertTrue(e.getMessage().startsWith("launched by MPI (PMI_SIZE=2) but no MPI library could be loaded"), e.getMessage());
        assertTrue(e.getMessage().contains("/nonexistent/libmpi-missing.so.12"), e.getMessage());
        assertTrue(e.getMessage().contains(MpiLaunch.LIBRARY_VARIABLE), e.getMessage());
    }

    @Test
    void libraryVersionsAreShortened() {
        assertEquals("Open MPI v4.1.4", MpiCollective.shortVersion("Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4, May 26, 2022\0"));
        assertEquals("MPICH 4.0.2", MpiCollective.shortVersion("MPICH Version:\t4.0.2\nMPICH Release date:\tThu Apr  7 12:34:45 CDT 2022\n"));
        assertEquals("Intel(R) MPI Library 2021.5 for Linux* OS", MpiCollective.shortVersion("Intel(R) MPI Library 2021.5 for Linux* OS\n\n"));
    }
}
