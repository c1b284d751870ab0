package org.concdvae.data;

import org.concdvae.io.AtomicFiles;
import org.concdvae.io.InvalidInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Standardiser of the scaled lattice (model.md §1): fit on the training split only, {@code mean = mean(s)},
 * {@code std = population std(s) + 1e-5}; {@code transform(x) = (x − mean)/std}. Saved as the official text file
 * ({@code lattice_scaler.txt}: line 2 = 6 means, line 4 = 6 stds, {@code %.8f}).
 */
public record LatticeScaler(double[] means, double[] stds) {
    public static final double EPSILON = 1e-5;

    /** Fits on the scaled lattices of {@code crystals}. */
    public static LatticeScaler fit(List<CrystalRecord> crystals) {
        if (crystals.isEmpty()) throw new IllegalArgumentException("cannot fit a lattice scaler on no crystals");
        double[] mean = new double[6], m2 = new double[6];
        int n = 0;
        for (CrystalRecord c : crystals) {           // Welford: stable for large data sets
            double[] s = c.scaledLattice();
            n++;
            for (int k = 0; k < 6; k++) {
                double d = s[k] - mean[k];
                mean[k] += d / n;
                m2[k] += d * (s[k] - mean[k]);
            }
        }
        double[] std = new double[6];
        for (int k = 0; k < 6; k++) std[k] = Math.sqrt(m2[k] / n) + EPSILON;
        return new LatticeScaler(mean, std);
    }

    public double[] transform(double[] x) {
        double[] r = new double[6];
        for (int k = 0; k < 6; k++) r[k] = (x[k] - means[k]) / stds[k];
        return r;
    }

    public double[] inverse(double[] x) {
        double[] r = new double[6];
        for (int k = 0; k < 6; k++) r[k] = x[k] * stds[k] + means[k];
        return r;
    }

    /** Writes the official text layout. */
    public void write(Path file) {
        StringBuilder sb = new StringBuilder("# means\n");
        append(sb, means);
        sb.append("# stds\n");
        append(sb, stds);
        AtomicFiles.writeString(file, sb.toString());
    }

    private static void append(StringBuilder sb, double[] v) {
        for (int k = 0; k < 6; k++) sb.append(k == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.8f", v[k]));
        sb.append('\n');
    }

    /** Reads the text layout written by {@link #write} or the official code. */
    public static LatticeScaler read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read lattice scaler: " + e.getMessage());
        }
        if (lines.size() < 4) throw new InvalidInputException(file + ": lattice scaler needs 4 lines (means label, 6 means, stds label, 6 stds)");
        return new LatticeScaler(six(file, lines.get(1), 2), six(file, lines.get(3), 4));
    }

    private static double[] six(Path file, String line, int lineNo) {
        String[] t = line.trim().replace("[", "").replace("]", "").replace(",", " ").trim().split("\\s+");
        if (t.length != 6) throw new InvalidInputException(file + ": line " + lineNo + ": expected 6 numbers, got " + t.length);
        double[] r = new double[6];
        for (int k = 0; k < 6; k++) {
            try {
                r[k] = Double.parseDouble(t[k]);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(file + ": line " + lineNo + ": '" + t[k] + "' is not a number");
            }
            if (!Double.isFinite(r[k])) throw new InvalidInputException(file + ": line " + lineNo + ": non-finite value");
        }
        return r;
    }
}
