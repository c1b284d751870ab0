package org.concdvae.crystal;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a VASP POSCAR or CONTCAR:
 * <ul>
 *   <li>comment line; scale (one factor, or a negative number = the cell volume in Å³, or three per-axis factors);
 *       three lattice vectors (rows, Å before scaling);</li>
 *   <li>VASP 5: a species line ({@code Fe O}, also POTCAR names such as {@code Fe_pv} or {@code Fe_pv/abc123}), then
 *       the counts;</li>
 *   <li>VASP 4 (counts without a species line): the species are taken from the names after the coordinates of every
 *       site (a fourth column or a {@code # Na1} comment, read with the CIF label rules), else from the comment line
 *       when it is exactly one element symbol per count; without either the file is refused, unless
 *       {@code vasp4Species} gives the symbols (see {@link #VASP4_SPECIES_ENV});</li>
 *   <li>an optional {@code Selective dynamics} line (the T/F flags are read and dropped); {@code Direct} or
 *       {@code Cartesian} ({@code C}/{@code K}, scaled by the scale factor as VASP does; any other word means
 *       direct, as in VASP); the positions. Velocity or predictor-corrector blocks after them (CONTCAR) are ignored:
 *       they are not part of the structure.</li>
 * </ul>
 * Sites come out in file order.
 */
public final class PoscarReader {
    private PoscarReader() {}

    /**
     * Environment variable naming the species of VASP 4 files that carry none: element symbols, one per count
     * ({@code "Na Co O"}), or {@code types} for stand-in elements by order (H, He, Li, ...), which keeps the
     * site types apart for symmetry and matching analyses but is not the real chemistry.
     */
    public static final String VASP4_SPECIES_ENV = "CONCDVAE_VASP4_SPECIES";

    /** Reads one POSCAR; {@code vasp4Species} as {@link #VASP4_SPECIES_ENV} (null: none). */
    public static Structure read(String text, String where, String vasp4Species) {
        if (text == null || text.isBlank()) throw new InvalidStructureException(where + ": empty POSCAR");
        if (text.indexOf('\0') >= 0) throw new InvalidStructureException(where + ": binary content (not a POSCAR file)");
        String[] lines = text.replace("\r\n", "\n").replace('\r', '\n').stripTrailing().split("\n", -1);
        int ln = 0;
        String comment = lines[0];
        ln = 1;
        double[] scale = numbers(line(lines, ln, where, "scale factor"), where, ln, "scale factor");
        if (scale.length != 1 && scale.length != 3) {
            throw err(where, ln, "scale factor line must hold 1 or 3 numbers, not " + scale.length);
        }
        ln++;
        double[][] m = new double[3][];
        for (int r = 0; r < 3; r++, ln++) {
            double[] v = numbers(line(lines, ln, where, "lattice vector " + (r + 1)), where, ln, "lattice vector " + (r + 1));
            if (v.length < 3) throw err(where, ln, "lattice vector " + (r + 1) + " needs 3 numbers");
            m[r] = new double[]{v[0], v[1], v[2]};
        }
        double det = det(m);
        if (!(Math.abs(det) > 1e-9)) throw err(where, 2, "lattice vectors are linearly dependent (zero volume)");
        double[] factor = new double[3];
        if (scale.length == 1) {
            double s = scale[0];
            if (s == 0) throw err(where, 1, "scale factor is 0");
            double f = s > 0 ? s : Math.cbrt(-s / Math.abs(det)); // negative: the target volume
            factor[0] = factor[1] = factor[2] = f;
        } else {
            for (int k = 0; k < 3; k++) {
                if (!(scale[k] > 0)) throw err(where, 1, "per-axis scale factors must be positive");
                factor[k] = scale[k];
            }
        }
        // three factors scale the Cartesian x, y, z components (VASP); one factor scales everything
        for (int r = 0; r < 3; r++) for (int k = 0; k < 3; k++) m[r][k] *= factor[k];

        String[] tok = tokens(line(lines, ln, where, "species or counts"));
        List<String> species = null;
        if (tok.length > 0 && !isInteger(tok[0])) {
            species = new ArrayList<>();
            for (String t : tok) {
                if (t.startsWith("#") || t.startsWith("!")) break; // a comment after the species
                species.add(t);
            }
            ln++;
            tok = tokens(line(lines, ln, where, "atom counts"));
        }
        int countsLine = ln;
        List<Integer> counts = new ArrayList<>();
        for (String t : tok) {
            if (t.startsWith("#") || t.startsWith("!")) break;
            if (!isInteger(t)) throw err(where, ln, "atom count '" + abbreviate(t) + "' is not an integer");
            int c = Integer.parseInt(t);
            if (c < 0) throw err(where, ln, "negative atom count " + c);
            counts.add(c);
        }
        if (counts.isEmpty()) throw err(where, ln, "no atom counts");
        if (species != null && species.size() != counts.size()) {
            throw err(where, ln, species.size() + " species but " + counts.size() + " atom counts");
        }
        int n = 0;
        for (int c : counts) n += c;
        if (n == 0) throw err(where, ln, "no atoms (all counts are 0)");
        ln++;
        String mode = line(lines, ln, where, "coordinate mode").trim();
        boolean selective = false;
        if (!mode.isEmpty() && (mode.charAt(0) == 'S' || mode.charAt(0) == 's')) {
            selective = true;
            ln++;
            mode = line(lines, ln, where, "coordinate mode").trim();
        }
        if (mode.isEmpty() || "+-.0123456789".indexOf(mode.charAt(0)) >= 0) {
            throw err(where, ln, "expected 'Direct' or 'Cartesian', found '" + abbreviate(mode) + "'");
        }
        boolean cartesian = "CcKk".indexOf(mode.charAt(0)) >= 0;
        ln++;
        double[][] pos = new double[n][];
        String[] names = new String[n];
        boolean allNamed = true;
        for (int i = 0; i < n; i++, ln++) {
            String raw = line(lines, ln, where, "position of site " + (i + 1) + " of " + n);
            String body = raw;
            String note = null;
            int hash = raw.indexOf('#');
            if (hash < 0) hash = raw.indexOf('!');
            if (hash >= 0) {
                body = raw.substring(0, hash);
                note = raw.substring(hash + 1).trim();
            }
            String[] t = tokens(body);
            if (t.length < 3) throw err(where, ln, "site " + (i + 1) + " needs 3 coordinates");
            double[] p = new double[3];
            for (int k = 0; k < 3; k++) p[k] = number(t[k], where, ln, "coordinate");
            int next = 3;
            if (selective) {
                if (t.length < 6) throw err(where, ln, "selective dynamics needs 3 T/F flags after the coordinates");
                for (int k = 3; k < 6; k++) {
                    if (!t[k].equalsIgnoreCase("T") && !t[k].equalsIgnoreCase("F")) {
                        throw err(where, ln, "selective dynamics flag '" + abbreviate(t[k]) + "' is not T or F");
                    }
                }
                next = 6;
            }
            String name = t.length > next ? t[next] : null; // a '#' comment is not a name (spglib writes site numbers)
            names[i] = name;
            if (name == null) allNamed = false;
            if (cartesian) for (int k = 0; k < 3; k++) p[k] *= factor[k];
            pos[i] = p;
        }
        int[] z = new int[n];
        if (species != null) {
            int[] zs = new int[species.size()];
            for (int k = 0; k < zs.length; k++) zs[k] = speciesSymbol(species.get(k), where, countsLine - 1);
            fill(z, counts, zs);
        } else {
            int[] zs = vasp4Species(comment, counts, names, allNamed, vasp4Species, where);
            fill(z, counts, zs);
        }
        Lattice lattice = Lattice.fromMatrix(m);
        if (!(lattice.volume() > CifReader.MIN_VOLUME)) throw err(where, 2, "cell has zero volume");
        return cartesian ? Structure.fromCartesian(lattice, z, pos) : new Structure(lattice, z, pos);
    }

    private static int[] vasp4Species(String comment, List<Integer> counts, String[] names, boolean allNamed,
                                      String given, String where) {
        int groups = counts.size();
        int[] named = allNamed ? namesPerGroup(counts, names, where) : null;
        if (named != null) return named;
        String[] c = tokens(comment);
        if (c.length == groups && allSymbols(c)) {
            int[] zs = new int[groups];
            for (int g = 0; g < groups; g++) zs[g] = Element.fromSymbol(c[g]).z();
            return zs;
        }
        if (given != null && !given.isBlank()) {
            String[] s = tokens(given);
            int[] zs = new int[groups];
            if (s.length == 1 && s[0].equalsIgnoreCase("types")) {
                if (groups > Element.MAX_Z) {
                    throw new InvalidStructureException(where + ": " + groups + " species are more than the " + Element.MAX_Z + " elements");
                }
                for (int g = 0; g < groups; g++) zs[g] = g + 1;
                return zs;
            }
            if (s.length != groups || !allSymbols(s)) {
                throw new InvalidStructureException(where + ": " + VASP4_SPECIES_ENV + " = '" + abbreviate(given)
                        + "' is not " + groups + " element symbols (or 'types')");
            }
            for (int g = 0; g < groups; g++) zs[g] = Element.fromSymbol(s[g]).z();
            return zs;
        }
        throw new InvalidStructureException(where + ": VASP 4 POSCAR without species: add the species line (e.g. 'Fe O')"
                + " above the counts, or set " + VASP4_SPECIES_ENV);
    }

    /** Element names in a fourth column, one element per count group; null when they are not all element names. */
    private static int[] namesPerGroup(List<Integer> counts, String[] names, String where) {
        int groups = counts.size();
        int[] zs = new int[groups];
        int i = 0;
        for (int g = 0; g < groups; g++) {
            int zg = 0;
            for (int k = 0; k < counts.get(g); k++, i++) {
                int zi;
                try {
                    zi = CifReader.element(new CifSyntax.Value(names[i], 0, true), false, where + ", site " + (i + 1));
                } catch (InvalidStructureException e) {
                    return null; // not element names: the other sources of species apply
                }
                if (zg != 0 && zi != zg) {
                    throw new InvalidStructureException(where + ": VASP 4 POSCAR whose site names mix elements"
                            + " within one count group (site " + (i + 1) + " '" + abbreviate(names[i]) + "')");
                }
                zg = zi;
            }
            zs[g] = zg;
        }
        return zs;
    }

    private static boolean allSymbols(String[] s) {
        for (String x : s) if (!Element.isSymbol(x)) return false;
        return s.length > 0;
    }

    /** A species-line entry: an element symbol, optionally with a POTCAR suffix ({@code Fe_pv}, {@code Fe/hash}). */
    private static int speciesSymbol(String s, String where, int line) {
        String sym = s.split("[_/.]", 2)[0];
        if (!Element.isSymbol(sym)) {
            throw err(where, line, "unknown element '" + abbreviate(s) + "' in the species line");
        }
        return Element.fromSymbol(sym).z();
    }

    private static void fill(int[] z, List<Integer> counts, int[] zs) {
        int i = 0;
        for (int g = 0; g < counts.size(); g++) for (int k = 0; k < counts.get(g); k++) z[i++] = zs[g];
    }

    private static String line(String[] lines, int ln, String where, String what) {
        if (ln >= lines.length) throw new InvalidStructureException(where + ": file ends before the " + what + " (line " + (ln + 1) + "; truncated?)");
        return lines[ln];
    }

    private static String[] tokens(String s) {
        String t = s.trim();
        return t.isEmpty() ? new String[0] : t.split("\\s+");
    }

    private static boolean isInteger(String s) {
        return s.matches("[+-]?\\d+");
    }

    private static double[] numbers(String s, String where, int ln, String what) {
        String body = s;
        int hash = body.indexOf('#');
        if (hash >= 0) body = body.substring(0, hash);
        int bang = body.indexOf('!');
        if (bang >= 0) body = body.substring(0, bang);
        String[] t = tokens(body);
        // lattice lines may carry trailing text; read the leading numbers
        List<Double> out = new ArrayList<>();
        for (String x : t) {
            try {
                out.add(parse(x));
            } catch (NumberFormatException e) {
                break;
            }
        }
        if (out.isEmpty()) throw err(where, ln, what + " '" + abbreviate(s.trim()) + "' is not a number");
        double[] r = new double[out.size()];
        for (int k = 0; k < r.length; k++) r[k] = out.get(k);
        return r;
    }

    private static double number(String s, String where, int ln, String what) {
        try {
            return parse(s);
        } catch (NumberFormatException e) {
            throw err(where, ln, what + " '" + abbreviate(s) + "' is not a number");
        }
    }

    /** A finite decimal number (Fortran's D exponent accepted). */
    private static double parse(String s) {
        String t = s.replace('D', 'E').replace('d', 'e');
        if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) throw new NumberFormatException(s);
        double v = Double.parseDouble(t);
        if (!Double.isFinite(v)) throw new NumberFormatException(s);
        return v;
    }

    private static double det(double[][] m) {
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }

    private static InvalidStructureException err(String where, int zeroBasedLine, String msg) {
        return new InvalidStructureException(where + ", line " + (zeroBasedLine + 1) + ": " + msg);
    }

    private static String abbreviate(String s) {
        return CifSyntax.abbreviate(s);
    }
}
