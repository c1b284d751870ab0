package org.concdvae.testutil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code concdvae} commands in a child JVM with the test class path (no jar needed): for tests that need a
 * process of their own, e.g. a training run launched as {@code mpirun -np 2 <command>} or killed mid-run.
 * {@link #command} is the java command line to put after a launcher; {@link #run} starts it and waits.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** The result of a finished child: exit code, stdout, stderr. */
    public record Result(int code, String out, String err) {}

    /** {@code java -Xmx… --add-modules jdk.incubator.vector -cp <test class path> org.concdvae.cli.Main args…}. */
    public static List<String> command(String maxHeap, String... args) {
        List<String> c = new ArrayList<>();
        c.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        c.add("-Xmx" + maxHeap);
        c.add("--add-modules");
        c.add("jdk.incubator.vector");
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add("org.concdvae.cli.Main");
        c.addAll(List.of(args));
        return c;
    }

    /** Runs {@code launcher + command(maxHeap, args)} (launcher may be empty, or e.g. mpirun -np 2) in {@code dir}. */
    public static Result run(List<String> launcher, Path dir, long timeoutSeconds, String maxHeap, String... args)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(launcher);
        full.addAll(command(maxHeap, args));
        Path out = Files.createTempFile(dir, "child", ".out"), err = Files.createTempFile(dir, "child", ".err");
        Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IllegalStateException("child did not finish in " + timeoutSeconds + " s: " + String.join(" ", full));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
