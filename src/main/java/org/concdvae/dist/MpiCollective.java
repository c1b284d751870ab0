package org.concdvae.dist;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import org.concdvae.io.InvalidInputException;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The job's processes through the system's MPI library, bound at run time with JNA (no compiled glue).
 *
 * <p>Two ABIs exist. Open MPI's handles ({@code MPI_COMM_WORLD}, {@code MPI_FLOAT}, {@code MPI_SUM}, ...) are the
 * addresses of exported globals ({@code ompi_mpi_comm_world}, ...); the MPICH family (MPICH, Intel MPI, Cray MPICH,
 * MVAPICH) shares one ABI whose handles are fixed ints from its {@code mpi.h}. The loaded library decides: it is Open
 * MPI when it exports {@code ompi_mpi_comm_world}.
 *
 * <p>Threads: MPI is initialised with plain {@code MPI_Init} (thread level single), so every MPI call must come from
 * the thread that initialised it, the main thread; a call from any other thread is a bug and fails at once. The
 * exceptions are {@link #close()} from the shutdown hook, which runs after the main thread has stopped calling MPI,
 * and the watchdog, which ends the process without calling MPI. Replicas and worker threads never touch MPI: their
 * results are combined on the main thread first.
 *
 * <p>Hangs: if a rank dies while the others wait in a collective, mpirun and srun end the job; as a second line of
 * defence (MPICH launched with cleanup disabled, or a rank stuck outside MPI) a watchdog ends this process with one
 * {@code error:} line when a single collective has waited longer than {@code CONCDVAE_MPI_TIMEOUT} seconds (default
 * 3600, 0 disables), and the launcher then ends the rest of the job.
 */
public final class MpiCollective implements Collective {
    /** Seconds a single collective may wait before the watchdog ends the process (0: never). */
    public static final String TIMEOUT_VARIABLE = "CONCDVAE_MPI_TIMEOUT";
    private static final int RTLD_NOW = 0x2, RTLD_GLOBAL = 0x100;
    /** Elements per MPI call: counts are C ints, and the staging buffers stay small (64 MiB of floats). */
    static final int CHUNK = 1 << 24;

    private final NativeLibrary lib;
    private final String path;
    private final boolean openMpi;
    private final Object comm, floatType, doubleType, byteType, intType, sum;
    private final Thread owner;
    private final int rank, size;
    private final String version;
    private boolean finalized;
    private volatile String waitingIn;
    private volatile long waitingSince;

    private MpiCollective(NativeLibrary lib, MpiLaunch launch, long timeoutSeconds) {
        this.lib = lib;
        this.path = lib.getFile() == null ? lib.getName() : lib.getFile().getPath();
        this.openMpi = exports(lib, "ompi_mpi_comm_world");
        if (openMpi) {
            comm = lib.getGlobalVariableAddress("ompi_mpi_comm_world");
            floatType = lib.getGlobalVariableAddress("ompi_mpi_float");
            doubleType = lib.getGlobalVariableAddress("ompi_mpi_double");
            byteType = lib.getGlobalVariableAddress("ompi_mpi_byte");
            intType = lib.getGlobalVariableAddress("ompi_mpi_int");
            sum = lib.getGlobalVariableAddress("ompi_mpi_op_sum");
        } else {
            // MPICH's mpi.h: MPI_COMM_WORLD, MPI_FLOAT, MPI_DOUBLE, MPI_BYTE, MPI_INT, MPI_SUM.
            comm = 0x44000000;
            floatType = 0x4c00040a;
            doubleType = 0x4c00080b;
            byteType = 0x4c00010d;
            intType = 0x4c000405;
            sum = 0x58000003;
        }
        this.owner = Thread.currentThread();
        Memory flag = new Memory(4);
        check("MPI_Initialized", call("MPI_Initialized", flag));
        if (flag.getInt(0) == 0) check("MPI_Init", call("MPI_Init", null, null));
        Memory n = new Memory(4);
        check("MPI_Comm_size", call("MPI_Comm_size", comm, n));
        this.size = n.getInt(0);
        check("MPI_Comm_rank", call("MPI_Comm_rank", comm, n));
        this.rank = n.getInt(0);
        this.version = libraryVersion();
        if (timeoutSeconds > 0) startWatchdog(timeoutSeconds);
    }

    /**
     * Loads the MPI library the launch asks for and initialises MPI. A missing or unloadable library, or a library
     * that sees a different job than the launcher started, is an {@link InvalidInputException} saying what to do.
     */
    static MpiCollective open(MpiLaunch launch, Map<String, String> env) {
        javaSafeTransports();
        NativeLibrary lib = null;
        String lastError = null;
        for (String name : launch.libraries()) {
            try {
                // RTLD_GLOBAL: Open MPI's plugins (and some MPICH builds' netmods) resolve libmpi's symbols at dlopen.
                lib = NativeLibrary.getInstance(name, Map.of(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_GLOBAL));
                if (!exports(lib, "MPI_Allreduce")) {
                    lastError = name + " has no MPI_Allreduce (not an MPI library)";
                    lib = null;
                    continue;
                }
                break;
            } catch (UnsatisfiedLinkError e) {
                lastError = firstLine(e.getMessage());
            }
        }
        if (lib == null) {
            throw new InvalidInputException("launched by MPI (" + launch.launcher() + ") but no MPI library could be loaded (looked for "
                    + String.join(", ", launch.libraries()) + (lastError == null ? "" : "; " + lastError)
                    + "); load the MPI module the job was launched with, or set " + MpiLaunch.LIBRARY_VARIABLE + " to the path of its libmpi.so");
        }
        MpiCollective c = new MpiCollective(lib, launch, timeout(env));
        if (launch.sizeKnown() && c.size != launch.size()) {
            throw new InvalidInputException("the launcher started " + launch.size() + " processes (" + launch.launcher() + "), but "
                    + c.version + " (" + c.path + ") sees a job of " + c.size + ": the launcher and the MPI library belong to different "
                    + "MPI installations (use that library's mpirun, srun --mpi=pmix or pmi2, or set " + MpiLaunch.LIBRARY_VARIABLE + ")");
        }
        return c;
    }

    /**
     * UCX (the transport of MPICH's ch4:ucx and of Open MPI on InfiniBand) installs a SIGSEGV handler that reports
     * and kills the process; the JVM raises SIGSEGV on purpose (implicit null checks, safepoint polls), so with that
     * handler a JVM rank crashes at random. Unless the user set it, UCX is told to leave the signals alone, in the
     * process environment where UCX reads it at MPI_Init.
     */
    private static void javaSafeTransports() {
        try {
            NativeLibrary.getInstance("c").getFunction("setenv").invokeInt(new Object[] {"UCX_ERROR_SIGNALS", "", 0});
        } catch (UnsatisfiedLinkError e) {
            // no C library by that name: nothing to configure
        }
    }

    @Override public int rank() { return rank; }

    @Override public int size() { return size; }

    @Override
    public void allreduceSum(float[] data) {
        int chunk = Math.min(Math.max(data.length, 1), CHUNK);
        Memory send = new Memory(4L * chunk), recv = new Memory(4L * chunk);
        for (int off = 0; off < data.length; off += chunk) {
            int n = Math.min(chunk, data.length - off);
            send.write(0, data, off, n);
            collective("MPI_Allreduce", send, recv, n, floatType, sum, comm);
            recv.read(0, data, off, n);
        }
    }

    @Override
    public void allreduceSum(double[] data) {
        int chunk = Math.min(Math.max(data.length, 1), CHUNK);
        Memory send = new Memory(8L * chunk), recv = new Memory(8L * chunk);
        for (int off = 0; off < data.length; off += chunk) {
            int n = Math.min(chunk, data.length - off);
            send.write(0, data, off, n);
            collective("MPI_Allreduce", send, recv, n, doubleType, sum, comm);
            recv.read(0, data, off, n);
        }
    }

    @Override
    public byte[] broadcast(byte[] rootData) {
        if (rank == 0 && rootData == null) throw new IllegalArgumentException("broadcast: rank 0 must give the data");
        Memory len = new Memory(8);
        len.setLong(0, rank == 0 ? rootData.length : 0);
        collective("MPI_Bcast", len, 8, byteType, 0, comm);
        long n = len.getLong(0);
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("broadcast of " + n + " bytes (at most 2 GiB)");
        byte[] out = rank == 0 ? rootData : new byte[(int) n];
        int chunk = (int) Math.min(Math.max(n, 1), CHUNK * 4L);
        Memory buf = new Memory(chunk);
        for (int off = 0; off < n; off += chunk) {
            int k = (int) Math.min(chunk, n - off);
            if (rank == 0) buf.write(0, out, off, k);
            collective("MPI_Bcast", buf, k, byteType, 0, comm);
            if (rank != 0) buf.read(0, out, off, k);
        }
        return out;
    }

    @Override
    public byte[][] allgather(byte[] mine) {
        Memory one = new Memory(4), lengths = new Memory(4L * size);
        one.setInt(0, mine.length);
        collective("MPI_Allgather", one, 1, intType, lengths, 1, intType, comm);
        int[] counts = lengths.getIntArray(0, size);
        int[] displs = new int[size];
        long total = 0;
        for (int r = 0; r < size; r++) {
            displs[r] = (int) total;
            total += counts[r];
            if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("allgather of more than 2 GiB");
        }
        Memory send = new Memory(Math.max(mine.length, 1)), recv = new Memory(Math.max(total, 1));
        if (mine.length > 0) send.write(0, mine, 0, mine.length);
        collective("MPI_Allgatherv", send, mine.length, byteType, recv, counts, displs, byteType, comm);
        byte[][] out = new byte[size][];
        for (int r = 0; r < size; r++) out[r] = recv.getByteArray(displs[r], counts[r]);
        return out;
    }

    @Override
    public void barrier() { collective("MPI_Barrier", comm); }

    @Override
    public void abort(int exitCode) {
        System.out.flush();
        System.err.flush();
        synchronized (this) {
            if (!finalized) call("MPI_Abort", comm, exitCode);
        }
        Runtime.getRuntime().halt(exitCode);   // MPI_Abort does not return; this is for a finalized or broken library
    }

    @Override
    public String library() { return version; }

    /** The loaded library file (for messages and run records). */
    public String libraryPath() { return path; }

    /** Whether the loaded library has Open MPI's ABI (else the MPICH ABI). */
    public boolean isOpenMpi() { return openMpi; }

    @Override
    public synchronized void close() {
        if (finalized) return;
        // The shutdown hook of a rank being ended (SIGTERM from the launcher) while its main thread still waits in a
        // collective: MPI_Finalize would wait for that call; leave the ending to the launcher.
        if (Thread.currentThread() != owner && waitingIn != null) return;
        finalized = true;
        Memory flag = new Memory(4);
        call("MPI_Finalized", flag);
        if (flag.getInt(0) == 0) check("MPI_Finalize", call("MPI_Finalize"));
    }

    /** One collective call, from the owning thread, timed by the watchdog and checked. */
    private void collective(String name, Object... args) {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(name + " called from thread '" + Thread.currentThread().getName()
                    + "'; MPI is initialised for one thread ('" + owner.getName() + "') and only it may call MPI");
        }
        if (finalized) throw new IllegalStateException(name + " after MPI_Finalize");
        waitingSince = System.nanoTime();
        waitingIn = name;
        int rc;
        try {
            rc = call(name, args);
        } finally {
            waitingIn = null;
        }
        check(name, rc);
    }

    private int call(String name, Object... args) {
        Function f = lib.getFunction(name);
        return f.invokeInt(args);
    }

    private void check(String name, int rc) {
        if (rc == 0) return;
        String text = "error code " + rc;
        try {
            Memory s = new Memory(8192), len = new Memory(4);
            if (call("MPI_Error_string", rc, s, len) == 0) text = s.getString(0, "UTF-8").trim() + " (" + rc + ")";
        } catch (RuntimeException | UnsatisfiedLinkError ignored) {
            // the code alone is still a clear message
        }
        throw new IllegalStateException(name + " failed on rank " + rank + ": " + text);
    }

    private String libraryVersion() {
        try {
            Memory s = new Memory(8192), len = new Memory(4);
            s.setByte(0, (byte) 0);
            check("MPI_Get_library_version", call("MPI_Get_library_version", s, len));
            return shortVersion(s.getString(0, "UTF-8"));
        } catch (UnsatisfiedLinkError e) {   // an MPI-2 library: no MPI_Get_library_version
            return openMpi ? "Open MPI" : "MPICH ABI";
        }
    }

    /** "Open MPI v4.1.4, package: ..." -> "Open MPI v4.1.4"; "MPICH Version:\t4.0.2\n..." -> "MPICH 4.0.2". */
    static String shortVersion(String full) {
        String first = full.strip().lines().findFirst().orElse("").strip();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.*?)\\s+Version:\\s*(\\S+).*$").matcher(first);
        if (m.matches()) return m.group(1) + " " + m.group(2);
        int comma = first.indexOf(',');
        String s = comma > 0 ? first.substring(0, comma) : first;
        return s.isEmpty() ? "unknown MPI" : s.replaceAll("\\s+", " ");
    }

    private void startWatchdog(long seconds) {
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(Math.min(5000, seconds * 1000 / 4 + 1));
                } catch (InterruptedException e) {
                    return;
                }
                String in = waitingIn;
                long waited = (System.nanoTime() - waitingSince) / 1_000_000_000L;
                if (in != null && waited >= seconds) {
                    System.err.printf(Locale.ROOT, "error: rank %d: waited %d s in %s for the other ranks; one of them has stopped "
                            + "(see its messages); ending the job (%s sets the limit)%n", rank, waited, in, TIMEOUT_VARIABLE);
                    System.err.flush();
                    // No MPI call from this thread; the launcher ends the other ranks when this one exits.
                    Runtime.getRuntime().halt(1);
                }
            }
        }, "mpi-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private static long timeout(Map<String, String> env) {
        String v = env.get(TIMEOUT_VARIABLE);
        if (v == null || v.isBlank()) return 3600;
        try {
            long s = Long.parseLong(v.trim());
            if (s < 0) throw new NumberFormatException();
            return s;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(TIMEOUT_VARIABLE + "='" + v + "' must be a number of seconds (0: no limit)");
        }
    }

    private static boolean exports(NativeLibrary lib, String symbol) {
        try {
            lib.getGlobalVariableAddress(symbol);
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.strip().lines().findFirst().orElse("");
    }
}
