package org.concdvae.dist;

/** The job is this process alone: every collective is the identity. */
public final class SingleProcess implements Collective {
    public static final SingleProcess INSTANCE = new SingleProcess();

    private SingleProcess() {}

    @Override public int rank() { return 0; }
    @Override public int size() { return 1; }
    @Override public void allreduceSum(float[] data) {}
    @Override public void allreduceSum(double[] data) {}
    @Override public byte[] broadcast(byte[] rootData) { return rootData; }
    @Override public byte[][] allgather(byte[] mine) { return new byte[][] {mine}; }
    @Override public void barrier() {}
    @Override public void abort(int exitCode) { System.exit(exitCode); }
    @Override public String library() { return "none"; }
    @Override public void close() {}
}
