package org.concdvae.dist;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A child process of {@link MpiCollectiveTest}, run under mpirun: exercises every collective and checks the bits.
 * Modes: {@code check} (prints "ok rank r of n: library"), {@code wait PIDFILE} (writes its pid, then allreduces
 * forever; the test kills one rank), {@code stall} (rank 1 sleeps outside MPI while rank 0 waits in a barrier).
 */
public final class MpiProbe {
    private MpiProbe() {}

    public static void main(String[] args) throws Exception {
        Collective c = Collectives.detect();
        try {
            switch (args[0]) {
                case "check" -> check(c);
                case "wait" -> {
                    Files.writeString(Path.of(args[1] + "." + c.rank()), String.valueOf(ProcessHandle.current().pid()));
                    float[] x = new float[1000];
                    while (true) {
                        c.allreduceSum(x);
                        Thread.sleep(20);
                    }
                }
                case "stall" -> {
                    if (c.rank() == 1) Thread.sleep(600_000);
                    c.barrier();
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (Throwable e) {
            System.err.println("error: rank " + c.rank() + ": " + e);
            System.err.flush();
            c.abort(3);
        }
        System.exit(Collectives.finish(0));
    }

    private static void check(Collective c) {
        int r = c.rank(), n = c.size();
        if (!(c instanceof MpiCollective)) throw new AssertionError("not an MPI collective: " + c);
        // floats across a chunk boundary, with values whose sum rounds (bits must equal the rank-order sum)
        float[] f = new float[MpiCollective.CHUNK + 3];
        for (int i = 0; i < f.length; i++) f[i] = value(r, i);
        c.allreduceSum(f);
        for (int i = 0; i < f.length; i++) {
            float want = 0;
            for (int k = 0; k < n; k++) want += value(k, i);
            if (Float.floatToRawIntBits(f[i]) != Float.floatToRawIntBits(want)) {
                throw new AssertionError("float sum at " + i + ": " + f[i] + " != " + want);
            }
        }
        double[] d = new double[1001];
        for (int i = 0; i < d.length; i++) d[i] = Math.PI * (r + 1) / (i + 1) + 1e-17 * i;
        c.allreduceSum(d);
        for (int i = 0; i < d.length; i++) {
            double want = 0;
            for (int k = 0; k < n; k++) want += Math.PI * (k + 1) / (i + 1) + 1e-17 * i;
            if (Double.doubleToRawLongBits(d[i]) != Double.doubleToRawLongBits(want)) {
                throw new AssertionError("double sum at " + i + ": " + d[i] + " != " + want);
            }
        }
        c.allreduceSum(new float[0]);
        byte[] root = new byte[100_003];
        for (int i = 0; i < root.length; i++) root[i] = (byte) (i * 31 + 7);
        byte[] got = c.broadcast(r == 0 ? root : null);
        if (!Arrays.equals(root, got)) throw new AssertionError("broadcast differs");
        if (c.broadcast(r == 0 ? new byte[0] : null).length != 0) throw new AssertionError("empty broadcast");
        byte[] mine = new byte[r == 1 ? 0 : 3 * r + 5];
        Arrays.fill(mine, (byte) (r + 1));
        byte[][] all = c.allgather(mine);
        if (all.length != n) throw new AssertionError("allgather gave " + all.length + " parts");
        for (int k = 0; k < n; k++) {
            byte[] want = new byte[k == 1 ? 0 : 3 * k + 5];
            Arrays.fill(want, (byte) (k + 1));
            if (!Arrays.equals(want, all[k])) throw new AssertionError("allgather part " + k + " differs");
        }
        String text = "rank " + r + " says hello";
        byte[][] words = c.allgather(text.getBytes(StandardCharsets.UTF_8));
        if (!new String(words[n - 1], StandardCharsets.UTF_8).equals("rank " + (n - 1) + " says hello")) throw new AssertionError("text");
        c.barrier();
        System.out.println("ok rank " + r + " of " + n + ": " + c.library());
        System.out.flush();
    }

    /** Rank- and index-dependent floats of mixed magnitude, so that sums round. */
    static float value(int rank, int i) {
        return (float) ((rank + 1) * 0.1 + (i % 97) * 1e-3 * (rank % 2 == 0 ? 1 : -1.37) + (i % 5 == 0 ? 3.3e4 * rank : 0));
    }
}
