package org.concdvae.dist;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Launches small MPI jobs of child JVMs on the test class path (mpirun of the system's MPI, e.g. Debian's
 * openmpi-bin, which CI installs). Tests that need one skip, with the reason, only when no mpirun is on the PATH.
 */
public final class MpiJobs {
    /** What a job left behind. */
    public record Result(int exitCode, String out, String err, boolean timedOut) {
        public String both() { return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err; }
    }

    private MpiJobs() {}

    /** The mpirun on the PATH, or null. */
    public static Path mpirun() { return onPath("mpirun"); }

    /** The first of {@code names} on the PATH, or null. */
    public static Path onPath(String... names) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String name : names) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) return p;
            }
        }
        return null;
    }

    /** Skips the calling test unless mpirun exists. */
    public static Path requireMpirun() {
        Path p = mpirun();
        Assumptions.assumeTrue(p != null, "no mpirun on the PATH (install Open MPI, e.g. Debian's openmpi-bin; .ci/run does)");
        return p;
    }

    /** A child JVM on the test class path running {@code mainClass} with {@code args}. */
    public static List<String> java(String mainClass, String... args) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.add("-Xmx768m");
        c.add("-XX:+UseSerialGC");
        c.add("-XX:TieredStopAtLevel=1");
        c.add("--add-modules");
        c.add("jdk.incubator.vector");
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add(mainClass);
        c.addAll(List.of(args));
        return c;
    }

    /** {@code mpirun -np n <command>}. */
    public static List<String> mpirun(int n, List<String> command) {
        List<String> c = new ArrayList<>();
        c.add(requireMpirun().toString());
        c.add("-np");
        c.add(String.valueOf(n));
        c.addAll(command);
        return c;
    }

    /**
     * {@code mpirun} with one command per rank (MPMD: {@code -np 1 a : -np 1 b}), for jobs whose ranks differ.
     */
    public static List<String> mpirunEach(List<List<String>> perRank) {
        List<String> c = new ArrayList<>();
        c.add(requireMpirun().toString());
        for (int r = 0; r < perRank.size(); r++) {
            if (r > 0) c.add(":");
            c.add("-np");
            c.add("1");
            c.addAll(perRank.get(r));
        }
        return c;
    }

    /** Starts a job in the test's working directory (relative paths mean the same); its output goes to files in {@code dir}. */
    public static Process start(List<String> command, Path dir, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("job.out").toFile()).redirectError(dir.resolve("job.err").toFile());
        Map<String, String> e = pb.environment();
        // Open MPI refuses root (CI runs as root) and more processes than cores unless told; MPICH ignores these.
        e.put("OMPI_ALLOW_RUN_AS_ROOT", "1");
        e.put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        e.put("OMPI_MCA_rmaps_base_oversubscribe", "1");
        // Containers often forbid the cross-memory-attach syscalls of Open MPI's shared-memory transport.
        e.put("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
        // The test JVM and other work share the cores: ranks bound to one core each wait for each other (distributed.md)
        e.put("OMPI_MCA_hwloc_base_binding_policy", "none");
        e.put("OMP_WAIT_POLICY", "PASSIVE");
        e.putAll(env);
        return pb.start();
    }

    /** Waits for a started job (killing it after {@code seconds}) and collects its output. */
    public static Result finish(Process p, Path dir, long seconds) throws IOException, InterruptedException {
        boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        return new Result(done ? p.exitValue() : -1, read(dir.resolve("job.out")), read(dir.resolve("job.err")), !done);
    }

    /** Runs a job to the end (at most {@code seconds}). */
    public static Result run(List<String> command, Path dir, Map<String, String> env, long seconds) throws IOException, InterruptedException {
        return finish(start(command, dir, env), dir, seconds);
    }

    private static String read(Path f) throws IOException {
        return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
    }
}
