package org.concdvae.cli;

import org.concdvae.autodiff.Simd;
import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The pom's version, filled into version.properties at build time (so runs from classes know it too). */
public class VersionProvider implements IVersionProvider {
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) return v.trim();
            }
        } catch (IOException e) {
            // fall through: the version is informative only
        }
        return "dev";
    }

    @Override
    public String[] getVersion() {
        return new String[]{"concdvae " + version(), "Java " + System.getProperty("java.version"),
                "float kernels: " + Simd.describe()};
    }
}
