package org.concdvae.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** I/O failures become "PATH: reason" messages. */
class IoErrorsTest {
    @Test
    void diskFullNamesTheFileBeingWritten(@TempDir Path tmp) {
        Path target = tmp.resolve("samples.csv");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw new IOException("No space left on device");
        }));
        assertInstanceOf(FileSystemException.class, e);
        assertEquals(target + ": No space left on device", IoErrors.describe(e, null));
        assertFalse(Files.exists(target));
        try (var s = Files.list(tmp)) {
            assertEquals(0, s.count(), "temporary file left behind");
        } catch (IOException x) {
            fail(x);
        }
    }

    @Test
    void aFileWhereADirectoryShouldBeSaysSo(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("DIR"), "x");
        IOException e = assertThrows(IOException.class, () -> Files.createDirectories(file));
        assertInstanceOf(FileAlreadyExistsException.class, e);
        assertEquals(file + ": is a file, not a directory", IoErrors.describe(e, null));
        // writing into it names the path and the reason too
        e = assertThrows(IOException.class, () -> AtomicFiles.write(file.resolve("run.json"), out -> {}));
        assertTrue(IoErrors.describe(e, null).startsWith(file.toString()), IoErrors.describe(e, null));
        assertTrue(IoErrors.describe(e, null).contains("is a file, not a directory"), IoErrors.describe(e, null));
    }

    @Test
    void plainExceptionsGetTheContextPath() {
        assertEquals("d/x: boom", IoErrors.describe(new IOException("boom"), Path.of("d/x")));
    }
}
