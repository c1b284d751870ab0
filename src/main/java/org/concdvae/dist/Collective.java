package org.concdvae.dist;

/**
 * The processes of one job (an MPI launch, or this process alone) and the collective operations training and sampling
 * need between them. Every rank calls the same operations in the same order; each call returns the same bits on every
 * rank. Obtained from {@link Collectives#detect()}; the plain single-process path never loads an MPI library.
 */
public interface Collective extends AutoCloseable {
    /** This process's rank, 0 ≤ rank &lt; size. */
    int rank();

    /** The number of processes in the job (1 without MPI). */
    int size();

    /** Rank 0 alone writes checkpoints, metrics, plots and run.json. */
    default boolean isRoot() { return rank() == 0; }

    /** Element-wise sum over all ranks, in place; afterwards every rank holds the same bits. */
    void allreduceSum(float[] data);

    /** Element-wise sum over all ranks, in place; afterwards every rank holds the same bits. */
    void allreduceSum(double[] data);

    /** Rank 0's bytes on every rank (the argument is ignored on other ranks and may be null there). */
    byte[] broadcast(byte[] rootData);

    /** Every rank's bytes, indexed by rank, on every rank (lengths may differ between ranks). */
    byte[][] allgather(byte[] mine);

    /** Returns when every rank has reached it. */
    void barrier();

    /**
     * Ends every process of the job with a non-zero exit code. The caller has already printed its one-line error;
     * without MPI this is {@code System.exit(exitCode)}.
     */
    void abort(int exitCode);

    /** The MPI library as run.json records it (e.g. "Open MPI v4.1.4"), or "none". */
    String library();

    /** Finalizes MPI; a no-op without it. */
    @Override
    void close();
}
