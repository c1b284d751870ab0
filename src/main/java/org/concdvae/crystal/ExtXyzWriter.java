package org.concdvae.crystal;

import java.util.Locale;
import java.util.Map;

/**
 * Extended XYZ frames as ASE reads them ({@code ase.io.read(f, index=':')}): the atom count, a comment line
 * {@code Lattice="ax ay az bx by bz cx cy cz" Properties=species:S:1:pos:R:3 pbc="T T T"} followed by the frame's
 * info as {@code key=value} pairs (numbers bare, strings in double quotes), then one line per site: symbol and
 * Cartesian position (Å). Several frames in one file form a trajectory. This class only builds text; write files with
 * {@code org.concdvae.io.AtomicFiles#writeString}.
 */
public final class ExtXyzWriter {
    private ExtXyzWriter() {}

    /** One frame of {@code s}; {@code info} values are Numbers (written bare) or anything else (written as quoted strings). */
    public static String frame(Structure s, Map<String, ?> info) {
        StringBuilder sb = new StringBuilder();
        append(sb, s, info);
        return sb.toString();
    }

    /** Appends one frame of {@code s} to {@code sb}. */
    public static void append(StringBuilder sb, Structure s, Map<String, ?> info) {
        double[][] m = s.lattice().matrix();
        sb.append(s.size()).append('\n');
        sb.append("Lattice=\"");
        for (int r = 0; r < 3; r++) for (int k = 0; k < 3; k++) sb.append(r + k == 0 ? "" : " ").append(num(m[r][k]));
        sb.append("\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"");
        for (Map.Entry<String, ?> e : info.entrySet()) {
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) throw new IllegalArgumentException("extxyz key '" + e.getKey() + "'");
            sb.append(' ').append(e.getKey()).append('=');
            Object v = e.getValue();
            if (v instanceof Integer || v instanceof Long) sb.append(v);
            else if (v instanceof Number n) sb.append(num(n.doubleValue()));
            else sb.append('"').append(String.valueOf(v).replace('"', '\'').replace('\n', ' ').replace('\r', ' ')).append('"');
        }
        sb.append('\n');
        double[][] cart = s.cartCoords();
        for (int i = 0; i < s.size(); i++) {
            sb.append(s.element(i).symbol());
            for (int k = 0; k < 3; k++) sb.append(' ').append(num(cart[i][k]));
            sb.append('\n');
        }
    }

    /** Eight significant digits, locale-independent. */
    static String num(double x) { return String.format(Locale.ROOT, "%.8g", x); }
}
