package org.concdvae.cli;

import org.concdvae.autodiff.Simd;
import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest (falls back to "dev" when run from classes). */
public class VersionProvider implements IVersionProvider {
    public static String version() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[]{"concdvae " + version(), "Java " + System.getProperty("java.version"),
                "float kernels: " + Simd.describe()};
    }
}
