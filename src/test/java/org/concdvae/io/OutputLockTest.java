package org.concdvae.io;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** One run per output directory: holders named, stale locks taken over, bad directories refused before any work. */
class OutputLockTest {
    @Test
    void secondRunIsRefusedAndNamesTheHolder(@TempDir Path tmp) {
        Path dir = tmp.resolve("out");
        List<String> warnings = new ArrayList<>();
        try (OutputLock first = OutputLock.acquire(dir, "--out", "sample --out out", warnings::add)) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> OutputLock.acquire(dir, "--out", "sample --out out --fe -1", warnings::add));
            String m = e.getMessage();
            assertTrue(m.contains(dir + " is in use by another concdvae run"), m);
            assertTrue(m.contains("pid " + ProcessHandle.current().pid()), m);
            assertTrue(m.contains(OutputLock.host()), m);
            assertTrue(m.contains("command: sample --out out"), m);
            assertTrue(m.contains("choose another --out"), m);
            assertFalse(m.contains("\n"));
        }
        assertTrue(warnings.isEmpty(), warnings.toString());
        // released: the next run gets it without a warning, and the lock file no longer names anybody
        try (OutputLock again = OutputLock.acquire(dir, "--out", "x", warnings::add)) {
            assertTrue(warnings.isEmpty(), warnings.toString());
        }
        assertTrue(OutputLock.read(dir.resolve(OutputLock.DEFAULT_NAME)).isEmpty());
    }

    @Test
    void staleLockOfAKilledRunIsTakenOverWithAWarning(@TempDir Path tmp) throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long dead = p.pid();
        Path dir = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(dir.resolve(OutputLock.DEFAULT_NAME), "pid=" + dead + "\nhost=" + OutputLock.host()
                + "\nstarted=2026-01-01T00:00:00Z\ncommand=train-step1 --out out\n");
        List<String> warnings = new ArrayList<>();
        try (OutputLock lock = OutputLock.acquire(dir, "--out", "train-step1 --out out --resume", warnings::add)) {
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).contains("stale lock"), warnings.get(0));
            assertTrue(warnings.get(0).contains("pid " + dead), warnings.get(0));
            assertEquals(String.valueOf(ProcessHandle.current().pid()), OutputLock.read(dir.resolve(OutputLock.DEFAULT_NAME)).get("pid"));
        }
    }

    @Test
    void liveHolderOnThisHostIsRespectedWhereTheFileSystemIgnoresLocks(@TempDir Path tmp) throws IOException {
        // a lock file naming a running process of this host but not locked (a file system without lock support)
        Path dir = Files.createDirectories(tmp.resolve("out"));
        long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        Files.writeString(dir.resolve(OutputLock.DEFAULT_NAME), "pid=" + live + "\nhost=" + OutputLock.host() + "\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> OutputLock.acquire(dir, "--out", "x", w -> {}));
        assertTrue(e.getMessage().contains("pid " + live), e.getMessage());
    }

    @Test
    void badOutputDirectoriesFailBeforeAnyWork(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> OutputLock.acquire(file, "--out", "x", w -> {}));
        assertEquals(file + ": --out is a file, not a directory", e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> OutputLock.acquire(file.resolve("sub"), "--out", "x", w -> {}));
        assertTrue(e.getMessage().contains(file + " is a file, not a directory"), e.getMessage());
        assertEquals("x", Files.readString(file));
    }

    @Test
    void readOnlyFileSystemIsNamed() {
        // /sys is mounted read-only in containers and on many hosts; access rights do not stop root, a read-only mount does
        Path ro = Path.of("/sys/concdvae-test-out");
        Assumptions.assumeTrue(Files.isDirectory(ro.getParent()) && !Files.isWritable(ro.getParent()), "no read-only directory here");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> OutputLock.acquire(ro, "--out", "x", w -> {}));
        assertTrue(e.getMessage().contains("not writable"), e.getMessage());
    }

    @Test
    void aDirectoryCreatedForNothingIsRemovedAgain(@TempDir Path tmp) {
        Path dir = tmp.resolve("a/b");
        OutputLock.acquire(dir, "--out", "x", w -> {}).close();
        assertFalse(Files.exists(dir));
    }
}
