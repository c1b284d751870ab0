package org.concdvae.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {
    @Test
    void failedWriteLeavesNeitherTargetNorTemporaryFile(@TempDir Path dir) {
        Path target = dir.resolve("out.csv");
        assertThrows(IOException.class, () -> AtomicFiles.writeText(target, w -> {
            w.write("half a row");
            throw new IOException("disk full");
        }));
        assertEquals(0, dir.toFile().list().length);
    }

    @Test
    void failedRewriteKeepsThePreviousContent(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("out.csv");
        AtomicFiles.writeString(target, "old\n");
        assertThrows(IOException.class, () -> AtomicFiles.writeText(target, w -> {
            w.write("new");
            throw new IOException("interrupted");
        }));
        assertEquals("old\n", Files.readString(target));
        assertEquals(1, dir.toFile().list().length);
    }

    @Test
    void newFilesAreReadableByOthersAndRewritesKeepPermissions(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("sample.cif");
        AtomicFiles.writeString(target, "data_x\n");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-r--"));
        AtomicFiles.writeString(target, "data_y\n");
        assertEquals("rw-rw-r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals("data_y\n", Files.readString(target));
    }
}
