package org.concdvae.crystal;

import java.util.Arrays;
import java.util.Locale;

/**
 * A crystallographic symmetry operation on fractional coordinates, x' = R·x + t, as written in CIF
 * {@code _symmetry_equiv_pos_as_xyz} / {@code _space_group_symop_operation_xyz} (e.g. {@code -x+1/2, y, -z}).
 * Immutable.
 */
public final class SymmetryOperation {
    public static final SymmetryOperation IDENTITY =
            new SymmetryOperation(new double[][]{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, new double[3]);

    private final double[][] rotation;
    private final double[] translation;

    public SymmetryOperation(double[][] rotation, double[] translation) {
        this.rotation = new double[][]{rotation[0].clone(), rotation[1].clone(), rotation[2].clone()};
        this.translation = translation.clone();
    }

    /**
     * Parses a Jones-faithful string such as {@code x,y,z}, {@code -y+1/2, x-y, z+0.25} or {@code 1/2+X,-Y,Z}.
     * Accepts integer coefficients, fractions and decimals; throws {@link IllegalArgumentException} with the reason.
     */
    public static SymmetryOperation parse(String xyz) {
        String[] parts = xyz.trim().split(",");
        if (parts.length != 3) throw new IllegalArgumentException("needs three comma-separated components");
        double[][] r = new double[3][3];
        double[] t = new double[3];
        for (int row = 0; row < 3; row++) {
            String p = parts[row].replace(" ", "").toLowerCase(Locale.ROOT);
            if (p.isEmpty()) throw new IllegalArgumentException("component " + (row + 1) + " is empty");
            int i = 0;
            boolean any = false;
            while (i < p.length()) {
                double sign = 1;
                if (p.charAt(i) == '+' || p.charAt(i) == '-') {
                    sign = p.charAt(i) == '-' ? -1 : 1;
                    i++;
                } else if (any) {
                    // terms after the first need their sign ("x1" is not x+1)
                    throw new IllegalArgumentException("cannot read '" + parts[row].trim() + "'");
                }
                int start = i;
                while (i < p.length() && (Character.isDigit(p.charAt(i)) || p.charAt(i) == '.' || p.charAt(i) == '/')) i++;
                String num = p.substring(start, i);
                double coef = num.isEmpty() ? 1.0 : number(num);
                if (i < p.length() && p.charAt(i) == '*') i++;
                if (i < p.length() && (p.charAt(i) == 'x' || p.charAt(i) == 'y' || p.charAt(i) == 'z')) {
                    r[row][p.charAt(i) - 'x'] += sign * coef;
                    i++;
                    // allow "x/2"-style only as a number before the axis; anything else is rejected below
                } else if (!num.isEmpty()) {
                    t[row] += sign * coef;
                } else {
                    throw new IllegalArgumentException("cannot read '" + parts[row].trim() + "'");
                }
                any = true;
            }
            if (!any) throw new IllegalArgumentException("component " + (row + 1) + " is empty");
        }
        return new SymmetryOperation(r, t);
    }

    private static double number(String s) {
        try {
            int slash = s.indexOf('/');
            if (slash >= 0) {
                double a = Double.parseDouble(s.substring(0, slash));
                double b = Double.parseDouble(s.substring(slash + 1));
                if (b == 0) throw new IllegalArgumentException("division by zero in '" + s + "'");
                return a / b;
            }
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number '" + s + "'");
        }
    }

    /** R·f + t (not wrapped). */
    public double[] apply(double[] f) {
        double[] o = new double[3];
        for (int i = 0; i < 3; i++) {
            o[i] = rotation[i][0] * f[0] + rotation[i][1] * f[1] + rotation[i][2] * f[2] + translation[i];
        }
        return o;
    }

    public double[][] rotation() {
        return new double[][]{rotation[0].clone(), rotation[1].clone(), rotation[2].clone()};
    }

    public double[] translation() { return translation.clone(); }

    public boolean isIdentity() {
        return Arrays.deepEquals(rotation, IDENTITY.rotation) && translation[0] == 0 && translation[1] == 0
                && translation[2] == 0;
    }

    /**
     * The operation as a CIF {@code _symmetry_equiv_pos_as_xyz} string, e.g. {@code -y+1/2, x, z}: integer
     * coefficients, translations as fractions with denominator up to 12 when exact (else decimals).
     */
    public String toXyz() {
        StringBuilder sb = new StringBuilder();
        String[] axes = {"x", "y", "z"};
        for (int r = 0; r < 3; r++) {
            if (r > 0) sb.append(", ");
            StringBuilder c = new StringBuilder();
            for (int k = 0; k < 3; k++) {
                double v = rotation[r][k];
                if (v == 0) continue;
                long iv = Math.round(v);
                String mag = Math.abs(v - iv) < 1e-9 ? (Math.abs(iv) == 1 ? "" : String.valueOf(Math.abs(iv))) : fraction(Math.abs(v));
                c.append(v < 0 ? "-" : c.length() == 0 ? "" : "+").append(mag).append(axes[k]);
            }
            double t = translation[r];
            if (Math.abs(t) > 1e-9) c.append(t < 0 ? "-" : c.length() == 0 ? "" : "+").append(fraction(Math.abs(t)));
            sb.append(c.length() == 0 ? "0" : c);
        }
        return sb.toString();
    }

    private static String fraction(double v) {
        for (int d = 1; d <= 12; d++) {
            long n = Math.round(v * d);
            if (Math.abs(v * d - n) < 1e-6) return d == 1 ? String.valueOf(n) : n + "/" + d;
        }
        return String.format(Locale.ROOT, "%.8f", v);
    }

    @Override
    public String toString() {
        return "SymmetryOperation" + Arrays.deepToString(rotation) + "+" + Arrays.toString(translation);
    }
}
