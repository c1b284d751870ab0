package org.concdvae.verify;

/**
 * Acceptance of a compared tensor: {@code max|ours − ref| ≤ atol + rtol·max|ref|} (reference/README.md,
 * "Verification and tolerances"). {@link #EXACT} is for integer tensors.
 */
public record Tolerance(double atol, double rtol) {
    public static final Tolerance EXACT = new Tolerance(0, 0);

    public double bound(double maxRef) { return atol + rtol * maxRef; }

    @Override
    public String toString() {
        if (atol == 0 && rtol == 0) return "exact";
        if (rtol == 0) return String.format("atol %.0e", atol);
        if (atol == 0) return String.format("rtol %.0e", rtol);
        return String.format("atol %.0e + rtol %.0e", atol, rtol);
    }
}
