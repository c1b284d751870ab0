package org.concdvae.dist;

/**
 * The one entry point of the {@code dist} package: which collective this process belongs to.
 * Until the MPI binding lands this always answers {@link SingleProcess}.
 */
public final class Collectives {
    private static volatile Collective current;

    private Collectives() {}

    /** The job's collective, detected once per process (an MPI launch is recognised from its environment). */
    public static synchronized Collective detect() {
        if (current == null) current = SingleProcess.INSTANCE;
        return current;
    }
}
