package org.concdvae.io;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Exclusive use of an output directory by one run: an OS file lock ({@link FileChannel#tryLock}) on a lock file in the
 * directory, whose text names the holder (pid, host, command, start time) for the message a second run prints.
 * The OS drops the lock when its process dies, so a lock file that still names a holder but is not locked was left by
 * a killed run: it is taken over with a warning. A clean exit empties the file (it is not deleted: deleting a lock
 * file lets two later runs lock two different files). Take the lock in the process that writes (rank 0 of a
 * multi-process run), before any work, through {@link #acquire}.
 */
public final class OutputLock implements AutoCloseable {
    /** The lock file of a directory written by one command. */
    public static final String DEFAULT_NAME = ".concdvae.lock";

    private final Path dir;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean createdDir;

    private OutputLock(Path dir, Path file, FileChannel channel, FileLock lock, boolean createdDir) {
        this.dir = dir;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.createdDir = createdDir;
    }

    /** Locks {@code dir} with the default lock file; see {@link #acquire(Path, String, String, String, Consumer)}. */
    public static OutputLock acquire(Path dir, String flag, String command, Consumer<String> warn) {
        return acquire(dir, DEFAULT_NAME, flag, command, warn);
    }

    /**
     * Checks that {@code dir} can be an output directory ({@link #checkWritable}), creates it, and locks it through the
     * lock file {@code lockName}. {@code flag} names the option that gave the directory in messages (e.g. "--out");
     * {@code command} is recorded for the message of a second run. Fails with an {@link InvalidInputException} naming
     * the holder when another live run holds the lock; {@code warn} receives the note when a stale lock is taken over.
     */
    public static OutputLock acquire(Path dir, String lockName, String flag, String command, Consumer<String> warn) {
        checkWritable(dir, flag);
        boolean created = !Files.exists(dir);
        Path file = dir.resolve(lockName);
        FileChannel ch = null;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very process (another command in the same JVM)
            }
            if (lock == null) {
                ch.close();
                throw new InvalidInputException(dir + " is in use by another concdvae run (" + describe(read(file))
                        + "); wait for it to finish or choose another " + flag);
            }
            Map<String, String> previous = read(file);
            if (previous.containsKey("pid")) {
                if (sameHost(previous) && alive(previous) && !String.valueOf(ProcessHandle.current().pid()).equals(previous.get("pid"))) {
                    // the file system does not enforce the lock (some network mounts) but the holder is still running
                    lock.release();
                    ch.close();
                    throw new InvalidInputException(dir + " is in use by another concdvae run (" + describe(previous)
                            + "); wait for it to finish or choose another " + flag);
                }
                warn.accept("took over the stale lock of " + dir + " left by a run that is no longer running ("
                        + describe(previous) + "); its outputs may be incomplete (use --resume where the command offers it)");
            }
            String text = "pid=" + ProcessHandle.current().pid() + "\nhost=" + host() + "\nstarted="
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\ncommand=" + oneLine(command) + "\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            return new OutputLock(dir, file, ch, lock, created);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new InvalidInputException(IoErrors.describe(e, dir));
        }
    }

    /**
     * Fails early, before any work, unless {@code dir} is or can become a writable directory: it must not be a file,
     * and its nearest existing ancestor must be a writable directory (so 'mkdir -p' would succeed).
     */
    public static void checkWritable(Path dir, String flag) {
        Path p = dir.toAbsolutePath().normalize();
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw new InvalidInputException(dir + ": " + flag + " is a file, not a directory");
        }
        Path existing = p;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) throw new InvalidInputException(dir + ": " + flag + " has no existing parent directory");
        if (!Files.isDirectory(existing)) {
            throw new InvalidInputException(dir + ": cannot create " + flag + ": " + existing + " is a file, not a directory");
        }
        if (!Files.isWritable(existing)) {
            String why = readOnlyFileSystem(existing) ? "read-only file system" : "permission denied";
            throw new InvalidInputException(existing.equals(p) ? dir + ": " + flag + " is not writable (" + why + ")"
                    : dir + ": cannot create " + flag + ": " + existing + " is not writable (" + why + ")");
        }
    }

    private static boolean readOnlyFileSystem(Path p) {
        try {
            return Files.getFileStore(p).isReadOnly();
        } catch (IOException e) {
            return false;
        }
    }

    /** Releases the lock; the lock file is emptied, or removed with the directory if this run created it for nothing. */
    @Override
    public void close() {
        try {
            if (createdDir && onlyLockFileIn(dir)) {
                Files.deleteIfExists(file);
                lock.release();
                channel.close();
                Files.deleteIfExists(dir);
                return;
            }
            channel.truncate(0);
            lock.release();
        } catch (IOException e) {
            // releasing is best effort: the OS drops the lock when the process ends
        } finally {
            closeQuietly(channel);
        }
    }

    private boolean onlyLockFileIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.allMatch(file::equals);
        }
    }

    /** The holder named in a lock file: key=value lines. */
    static Map<String, String> read(Path file) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int i = line.indexOf('=');
                if (i > 0) m.put(line.substring(0, i), line.substring(i + 1));
            }
        } catch (IOException e) {
            // unreadable holder details: the message says so
        }
        return m;
    }

    static String describe(Map<String, String> h) {
        if (!h.containsKey("pid")) return "holder not recorded yet";
        return "pid " + h.get("pid") + " on " + h.getOrDefault("host", "?") + ", started " + h.getOrDefault("started", "?")
                + (h.containsKey("command") ? ", command: " + h.get("command") : "");
    }

    private static boolean sameHost(Map<String, String> h) {
        return host().equals(h.get("host"));
    }

    private static boolean alive(Map<String, String> h) {
        try {
            return ProcessHandle.of(Long.parseLong(h.get("pid"))).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The kernel's host name where readable (the same for every process of the host), else the resolver's. */
    static String host() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
            if (!h.isEmpty()) return h;
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }
}
