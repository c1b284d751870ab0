package org.concdvae.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ./concdvae launcher, run in a copy of the project layout with stand-in 'mvn' and 'java' commands: it rebuilds
 * when a source file is newer than the jar (a stale jar after 'git pull' would run old code), not otherwise, and its
 * build output carries no ANSI escapes. The version comes from the pom.
 */
class LauncherTest {
    @Test
    void rebuildsWhenSourcesAreNewerAndStripsColours(@TempDir Path tmp) throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.copy(Path.of("concdvae"), project.resolve("concdvae"));
        Files.setPosixFilePermissions(project.resolve("concdvae"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path source = Files.createDirectories(project.resolve("src/main/java")).resolve("A.java");
        Files.writeString(source, "class A {}");
        Files.writeString(project.resolve("pom.xml"), "<project/>");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path log = tmp.resolve("mvn.log");
        // maven 3.8 prints colour codes even in batch mode; the stand-in does the same and "builds" the jar
        script(bin.resolve("mvn"), "#!/bin/sh\necho \"$@\" >> " + log + "\nprintf '\\033[0m\\033[1mBUILD\\033[m\\n'\n"
                + "mkdir -p target && touch target/concdvae.jar\n");
        script(bin.resolve("java"), "#!/bin/sh\necho ran\n");

        String first = run(project, bin);
        assertTrue(first.contains("building") && first.contains("first use"), first);
        assertFalse(first.contains("\u001b"), "ANSI escape in: " + first);
        assertTrue(first.contains("BUILD"), first);
        assertTrue(Files.readString(log).contains("-Dstyle.color=never"), Files.readString(log));

        Path jar = project.resolve("target/concdvae.jar");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(60)));
        Files.setLastModifiedTime(project.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(60)));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(30)));
        String second = run(project, bin);
        assertFalse(second.contains("building"), "rebuilt although up to date: " + second);

        Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
        String third = run(project, bin);
        assertTrue(third.contains("building") && third.contains("sources changed"), third);
        assertEquals(2, Files.readAllLines(log).size());
    }

    @Test
    void versionIsThePomVersion() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        int a = pom.indexOf("<version>", pom.indexOf("<artifactId>concdvae</artifactId>"));
        String version = pom.substring(a + "<version>".length(), pom.indexOf("</version>", a));
        assertEquals(version, VersionProvider.version());
        assertEquals("concdvae " + version, new VersionProvider().getVersion()[0]);
    }

    private static void script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String run(Path project, Path bin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", project.resolve("concdvae").toString(), "--version").redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ran"), out);
        return out;
    }
}
