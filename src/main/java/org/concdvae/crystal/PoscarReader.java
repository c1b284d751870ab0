package org.concdvae.crystal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads VASP POSCAR/CONTCAR text in the VASP 5 layout ({@link PoscarWriter}'s and what pymatgen and ASE write): comment,
 * scale (a negative value is the cell volume), three lattice rows, element symbols, counts, optional
 * {@code Selective dynamics}, {@code Direct} or {@code Cartesian}, one site per line (extra columns ignored). VASP 4
 * files without the symbols line are rejected, since the species would have to come from a POTCAR.
 */
public final class PoscarReader {
    private PoscarReader() {}

    /** @throws InvalidStructureException naming {@code source} and the line for anything that cannot be read */
    public static Structure read(String text, String source) {
        String[] lines = text.replace("\r", "").split("\n");
        int[] at = {1};
        try {
            double scale = Double.parseDouble(token(lines, at, source)[0]);
            double[][] m = new double[3][3];
            for (int r = 0; r < 3; r++) {
                String[] t = token(lines, at, source);
                for (int k = 0; k < 3; k++) m[r][k] = Double.parseDouble(t[k]);
            }
            String[] symbols = token(lines, at, source);
            if (symbols[0].matches("[0-9]+")) {
                throw new InvalidStructureException(source + ": VASP 4 POSCAR without an element line; add the symbols line (VASP 5)");
            }
            String[] countText = token(lines, at, source);
            if (countText.length < symbols.length) throw new InvalidStructureException(source + ": " + symbols.length + " elements but " + countText.length + " counts");
            String mode = token(lines, at, source)[0].toLowerCase(Locale.ROOT);
            if (mode.startsWith("s")) mode = token(lines, at, source)[0].toLowerCase(Locale.ROOT);
            boolean cartesian = mode.startsWith("c") || mode.startsWith("k");
            if (!cartesian && !mode.startsWith("d")) throw new InvalidStructureException(source + " line " + at[0] + ": expected Direct or Cartesian, got '" + mode + "'");
            double f = scale;
            if (scale < 0) {
                double vol = Math.abs(Lattice.fromMatrix(m).volume());
                f = Math.cbrt(-scale / vol);
            }
            for (double[] row : m) for (int k = 0; k < 3; k++) row[k] *= f;
            Lattice lat = Lattice.fromMatrix(m);
            List<Integer> z = new ArrayList<>();
            List<double[]> xyz = new ArrayList<>();
            for (int e = 0; e < symbols.length; e++) {
                String sym = symbols[e].split("[/_]")[0];
                if (!Element.isSymbol(sym)) throw new InvalidStructureException(source + ": unknown element '" + symbols[e] + "'");
                int n = Integer.parseInt(countText[e]);
                for (int i = 0; i < n; i++) {
                    String[] t = token(lines, at, source);
                    double[] c = {Double.parseDouble(t[0]), Double.parseDouble(t[1]), Double.parseDouble(t[2])};
                    if (cartesian) {
                        for (int k = 0; k < 3; k++) c[k] *= f;
                        c = lat.toFractional(c);
                    }
                    z.add(Element.fromSymbol(sym).z());
                    xyz.add(c);
                }
            }
            return new Structure(lat, z.stream().mapToInt(Integer::intValue).toArray(), xyz.toArray(new double[0][]));
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new InvalidStructureException(source + " line " + at[0] + ": cannot read a POSCAR value (" + e.getMessage() + ")");
        }
    }

    /** The blank-separated fields of the next line (line numbers 1-based in messages). */
    private static String[] token(String[] lines, int[] at, String source) {
        if (at[0] >= lines.length) throw new InvalidStructureException(source + ": POSCAR ends early (line " + (at[0] + 1) + ")");
        String[] t = lines[at[0]++].trim().split("\\s+");
        if (t.length == 0 || t[0].isEmpty()) throw new InvalidStructureException(source + " line " + at[0] + ": empty line inside the POSCAR");
        return t;
    }
}
