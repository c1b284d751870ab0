package org.concdvae.verify;

/**
 * One reference tensor compared with ours. {@code maxRel} is relative to the reference's scale,
 * {@code max|ours − ref| / max|ref|}, as the reference's float32-vs-float64 study reports it. An {@code input} entry
 * is a tensor the reference file stores as an input of the check (nothing of ours to compare); it passes.
 */
public record Comparison(String file, String name, double maxAbs, double maxRel, double maxRef, Tolerance tolerance,
                         boolean passed, boolean input, String note) {

    /** Compares two equally long arrays. */
    public static Comparison of(String file, String name, double[] ref, double[] ours, Tolerance tol) {
        if (ref.length != ours.length) {
            return failed(file, name, "size differs: reference " + ref.length + ", ours " + ours.length);
        }
        double maxAbs = 0, maxRef = 0;
        boolean nan = false;
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs(ref[i] - ours[i]);
            if (Double.isNaN(d)) nan = true;
            else maxAbs = Math.max(maxAbs, d);
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        if (nan) return new Comparison(file, name, Double.NaN, Double.NaN, maxRef, tol, false, false, "NaN in our values");
        double rel = maxRef > 0 ? maxAbs / maxRef : maxAbs;
        return new Comparison(file, name, maxAbs, rel, maxRef, tol, maxAbs <= tol.bound(maxRef), false, "");
    }

    /** A tensor the reference stores as an input of the check. */
    public static Comparison input(String file, String name, String note) {
        return new Comparison(file, name, 0, 0, 0, Tolerance.EXACT, true, true, note);
    }

    /** A tensor that could not be compared (a failure). */
    public static Comparison failed(String file, String name, String why) {
        return new Comparison(file, name, Double.NaN, Double.NaN, Double.NaN, Tolerance.EXACT, false, false, why);
    }

    /** One line: file:name, max abs error, max rel error, tolerance, PASS/FAIL. */
    public String line() {
        String status = passed ? "PASS" : "FAIL";
        String id = file + ":" + name;
        if (input) return String.format("%-56s %10s %10s  %-22s %s (input: %s)", id, "-", "-", "-", status, note);
        return String.format("%-56s %10.3e %10.3e  %-22s %s%s", id, maxAbs, maxRel, tolerance, status,
                note.isEmpty() ? "" : " (" + note + ")");
    }
}
