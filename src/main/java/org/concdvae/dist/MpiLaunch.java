package org.concdvae.dist;

import org.concdvae.io.InvalidInputException;

import java.util.List;
import java.util.Map;

/**
 * What the environment says about an MPI launch: which launcher started this process, its rank, the job's size, and
 * which MPI libraries to try. Launchers export their rank and size before {@code MPI_Init}, so the decision to load
 * an MPI library at all is made from the environment alone; the plain path never touches JNA or libmpi.
 *
 * @param launcher  the variables the launch was recognised by, e.g. "OMPI_COMM_WORLD_SIZE=2"
 * @param rank      this process's rank as the launcher numbered it
 * @param size      the number of processes the launcher started
 * @param libraries the MPI libraries to try, in order (names for the dynamic loader, or one path)
 */
public record MpiLaunch(String launcher, int rank, int size, List<String> libraries) {
    /** Overrides the library search: a file name or path of the job's libmpi. */
    public static final String LIBRARY_VARIABLE = "CONCDVAE_MPI_LIBRARY";

    /** Open MPI 4.x and 5.x. */
    static final List<String> OPEN_MPI = List.of("libmpi.so.40", "libmpi.so");
    /** The MPICH ABI (MPICH 3.1+, Intel MPI 5+, Cray MPICH, MVAPICH2): one soname for the family. */
    static final List<String> MPICH = List.of("libmpi.so.12", "libmpich.so.12", "libmpi.so");
    /** PMIx and SLURM launch either family; Open MPI is tried first, the loaded library decides the ABI. */
    static final List<String> ANY = List.of("libmpi.so.40", "libmpi.so.12", "libmpich.so.12", "libmpi.so");

    /**
     * The launch this environment describes, or null when the process was not started by an MPI launcher or the job
     * has one process (then nothing needs MPI). Malformed numbers are an error naming the variable.
     */
    public static MpiLaunch detect(Map<String, String> env) {
        MpiLaunch l = recognise(env);
        if (l == null || l.size <= 1) return null;
        String override = env.get(LIBRARY_VARIABLE);
        if (override != null && !override.isBlank()) l = new MpiLaunch(l.launcher, l.rank, l.size, List.of(override.trim()));
        if (l.rank < 0 || l.rank >= l.size) {
            throw new InvalidInputException("MPI launch (" + l.launcher + ") gives rank " + l.rank + " outside 0.." + (l.size - 1));
        }
        return l;
    }

    private static MpiLaunch recognise(Map<String, String> env) {
        // Launcher-specific variables first: under srun a PMI plugin may set both its own and SLURM's.
        if (env.containsKey("OMPI_COMM_WORLD_SIZE")) {
            return of(env, "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", OPEN_MPI);
        }
        if (env.containsKey("MV2_COMM_WORLD_SIZE")) {
            return of(env, "MV2_COMM_WORLD_RANK", "MV2_COMM_WORLD_SIZE", MPICH);
        }
        if (env.containsKey("PMI_SIZE")) {   // MPICH's Hydra, Intel MPI, srun --mpi=pmi2
            return of(env, "PMI_RANK", "PMI_SIZE", env.containsKey("SLURM_STEP_NUM_TASKS") ? ANY : MPICH);
        }
        // srun (PMIx or a PMI plugin): SLURM_STEP_NUM_TASKS exists only inside a job step, so a batch script
        // that runs the tool directly (SLURM_NTASKS set, one process) is not mistaken for a launch.
        if (env.containsKey("SLURM_STEP_NUM_TASKS") && env.containsKey("SLURM_PROCID")) {
            return of(env, "SLURM_PROCID", "SLURM_STEP_NUM_TASKS", ANY);
        }
        if (env.containsKey("PMIX_RANK")) {  // a PMIx launcher without a size variable: MPI itself will tell
            int rank = number(env, "PMIX_RANK");
            return new MpiLaunch("PMIX_RANK=" + rank, rank, Integer.MAX_VALUE, ANY);
        }
        return null;
    }

    private static MpiLaunch of(Map<String, String> env, String rankVar, String sizeVar, List<String> libraries) {
        int size = number(env, sizeVar);
        int rank = env.containsKey(rankVar) ? number(env, rankVar) : 0;
        return new MpiLaunch(sizeVar + "=" + size, rank, size, libraries);
    }

    private static int number(Map<String, String> env, String name) {
        String v = env.get(name);
        try {
            return Integer.parseInt(v.trim());
        } catch (RuntimeException e) {
            throw new InvalidInputException("environment variable " + name + "='" + v + "' is not a number (MPI launch detection)");
        }
    }

    /** Whether the launcher gave the job's size (PMIx alone does not; MPI_Comm_size does). */
    public boolean sizeKnown() { return size != Integer.MAX_VALUE; }
}
