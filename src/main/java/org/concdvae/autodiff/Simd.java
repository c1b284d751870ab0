package org.concdvae.autodiff;

/**
 * Whether the float kernels use explicit SIMD through the JDK's Vector API ({@code jdk.incubator.vector}).
 *
 * <p>HotSpot's auto-vectoriser in JDK 17 leaves the hot loops of our kernels partly scalar: short rows (64 floats)
 * run through scalar pre- and post-loops, and the float→int step of the exponential is never vectorised. The Vector
 * API expresses the same arithmetic, in the same order, with whole vector registers. It is an incubator module, so it
 * is used only when the JVM was started with {@code --add-modules jdk.incubator.vector} (the {@code concdvae}
 * launcher and the test suite do) and reports native vectors of at least 128 bits; otherwise the plain Java loops run.
 * Both paths are deterministic; the tests compare them (identical bits where the summation order is the same).
 * {@code -Dconcdvae.simd=false} turns the Vector API path off.
 */
public final class Simd {
    private static final boolean AVAILABLE = detect();
    private static volatile boolean enabled = AVAILABLE;

    private Simd() {}

    private static boolean detect() {
        if (!Boolean.parseBoolean(System.getProperty("concdvae.simd", "true"))) return false;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        try {
            return SimdProbe.preferredBits() >= 128;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** Whether the Vector API path can run in this JVM. */
    public static boolean available() { return AVAILABLE; }

    /** Whether the kernels use the Vector API path now. */
    public static boolean enabled() { return enabled; }

    /** Switches the Vector API path on or off (tests compare both); on only where {@link #available()}. */
    public static void use(boolean on) { enabled = on && AVAILABLE; }

    /** One line for logs and run headers. */
    public static String describe() {
        return AVAILABLE ? (enabled ? "Vector API, " + SimdProbe.preferredBits() + "-bit" : "Vector API off") : "plain Java loops";
    }
}
