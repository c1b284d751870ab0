package org.concdvae.dist;

import java.util.Map;

/**
 * The one entry point of the {@code dist} package: which collective this process belongs to. An MPI launch (mpirun,
 * mpiexec, srun) is recognised from the environment ({@link MpiLaunch}); only then is the MPI library loaded.
 */
public final class Collectives {
    private static volatile Collective current;

    private Collectives() {}

    /**
     * The job's collective, detected once per process: {@link MpiCollective} under an MPI launch of two or more
     * processes, else {@link SingleProcess}. The first call initialises MPI and must come from the main thread.
     *
     * @throws org.concdvae.io.InvalidInputException when launched by MPI but the library is missing or does not match
     */
    public static synchronized Collective detect() {
        if (current == null) current = detect(System.getenv());
        return current;
    }

    static Collective detect(Map<String, String> env) {
        MpiLaunch launch = MpiLaunch.detect(env);
        if (launch == null) return SingleProcess.INSTANCE;
        MpiCollective mpi = MpiCollective.open(launch, env);
        // A rank that returns from main without the closing call below still finalizes (MPI_Finalize once);
        // after a failure the job has already been aborted and the hook finds nothing to do.
        Runtime.getRuntime().addShutdownHook(new Thread(mpi::close, "mpi-finalize"));
        return mpi;
    }

    /** The collective if {@link #detect()} has run, else null (no MPI initialised). */
    public static Collective current() { return current; }

    /**
     * Ends this process's part in the job with the command's exit code: 0 finalizes MPI; any other code, in a job of
     * several processes, aborts the whole job (the failing rank has printed its one-line error) so that no rank is
     * left waiting in a collective. Returns the exit code to pass to {@code System.exit}.
     */
    public static int finish(int exitCode) {
        Collective c = current;
        if (c == null) return exitCode;
        if (exitCode != 0 && c.size() > 1) c.abort(exitCode);
        c.close();
        return exitCode;
    }

    /** Whether this process prints progress and summaries: true without MPI and on rank 0 of an MPI job. */
    public static boolean isRoot() {
        Collective c = current;
        return c == null || c.isRoot();
    }

    /** "rank k: " in a job of several processes, else "" (the prefix of a failing rank's error line). */
    public static String rankPrefix() {
        Collective c = current;
        return c != null && c.size() > 1 ? "rank " + c.rank() + ": " : "";
    }
}
