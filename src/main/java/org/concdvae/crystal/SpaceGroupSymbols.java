package org.concdvae.crystal;

import org.concdvae.analysis.symmetry.HallSymbols;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The symmetry operations of a space group named in a CIF by Hermann-Mauguin symbol, Hall symbol or number, for
 * files that give no operation loop. Operations come from the 530 Hall settings the symmetry finder uses
 * ({@link HallSymbols}); this class only decides which setting a symbol means:
 * <ul>
 *   <li>spaces and underscores are ignored ({@code P 1 21/n 1} = {@code P121/n1}), letters after the lattice letter
 *       are read lower-case, and pre-1983 cubic symbols without the bar ({@code Fm3m}, {@code Pn3}) mean the
 *       barred group;</li>
 *   <li>full ({@code P 1 21/n 1}, {@code P 21/n 21/m 21/a}), short ({@code Pnma}, {@code Pbnm}) and monoclinic short
 *       symbols ({@code P21/n} = unique axis b, as the International Tables read them);</li>
 *   <li>a setting suffix {@code :1}/{@code :2} (origin choice), {@code :H}/{@code :R} (rhombohedral groups on
 *       hexagonal or rhombohedral axes), ICSD's trailing {@code S}/{@code Z} (origin choice 1/2) and {@code H}/{@code R},
 *       or a Hall table choice such as {@code :b1} or {@code :cab};</li>
 *   <li>without a suffix: origin choice 2 where a group has two, and for R groups the axes the cell has (hexagonal
 *       a = b, γ = 120° or rhombohedral a = b = c, α = β = γ; any other cell is an error);</li>
 *   <li>a number alone means the standard setting (origin choice 2, R by the cell as above).</li>
 * </ul>
 * The operations must also preserve the cell's metric (within 1%): a symbol whose setting does not fit the cell, e.g.
 * a unique-axis-b symbol on a cell with γ ≠ 90°, is an error instead of a structure built with the wrong operations.
 */
final class SpaceGroupSymbols {
    private SpaceGroupSymbols() {}

    /** Relative tolerance of the metric check R^T G R = G. */
    static final double METRIC_TOLERANCE = 1e-2;

    /** Lookup key (normalised symbol) to Hall numbers in table order. */
    private static final Map<String, List<Integer>> BY_SYMBOL = new LinkedHashMap<>();
    private static final Map<String, Integer> BY_HALL = new LinkedHashMap<>();
    private static final Pattern OLD_CUBIC = Pattern.compile("^([PFI][mnad])3");

    static {
        for (int h = 1; h <= 530; h++) {
            HallSymbols.SpaceGroupType t = HallSymbols.type(h);
            add(normalise(t.internationalFull()), h);
            if (t.number() >= 3 && t.number() <= 15) {
                // monoclinic short form: the full symbol without its '1' positions (P 1 21/n 1 -> P21/n); the
                // table's short symbol is the standard one for every monoclinic setting and says nothing of the axis
                add(normalise(t.internationalFull().replaceAll("(?<=\\s)1(?=\\s|$)", "")), h);
            } else {
                add(normalise(t.internationalShort()), h);
            }
            BY_HALL.putIfAbsent(hallKey(t.hallSymbol()), h);
        }
        // pre-2002 symbols of the five groups with an e glide (standard settings)
        String[][] old = {{"Abm2", "Aem2"}, {"Aba2", "Aea2"}, {"Cmca", "Cmce"}, {"Cmma", "Cmme"}, {"Ccca", "Ccce"}};
        for (String[] o : old) {
            for (int h : BY_SYMBOL.get(normalise(o[1]))) add(normalise(o[0]), h);
        }
    }

    private static void add(String key, int h) {
        List<Integer> l = BY_SYMBOL.computeIfAbsent(key, k -> new ArrayList<>());
        if (!l.contains(h)) l.add(h);
    }

    /** Spaces and underscores out, lattice letter upper case, the rest lower case, old cubic "m3" as "m-3". */
    static String normalise(String symbol) {
        String s = symbol.replaceAll("[\\s_]", "");
        if (s.isEmpty()) return s;
        s = s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
        Matcher m = OLD_CUBIC.matcher(s);
        return m.find() ? m.replaceFirst("$1-3") : s;
    }

    private static String hallKey(String hall) {
        return hall.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** A resolved setting: Hall number and its operations. */
    record Resolved(int hallNumber, int number, List<SymmetryOperation> operations) {
        String describe() {
            HallSymbols.SpaceGroupType t = HallSymbols.type(hallNumber);
            return t.internationalShort() + " (No. " + number + (t.choice().isEmpty() ? "" : ", setting " + t.choice())
                    + ", Hall '" + t.hallSymbol() + "')";
        }
    }

    /**
     * The setting a Hermann-Mauguin symbol names, checked against the cell.
     *
     * @throws IllegalArgumentException with the reason when the symbol is unknown, ambiguous or does not fit the cell
     */
    static Resolved fromHermannMauguin(String text, Lattice lattice) {
        String raw = text.trim();
        String suffix = null;
        int colon = raw.indexOf(':');
        if (colon >= 0) {
            suffix = raw.substring(colon + 1).trim();
            raw = raw.substring(0, colon).trim();
        } else {
            String[] tok = raw.split("\\s+");
            String last = tok[tok.length - 1];
            if (tok.length > 1 && last.matches("[HRSZ]")) {
                suffix = last;
                raw = raw.substring(0, raw.length() - 1).trim();
            }
        }
        if (raw.contains("(")) {
            throw new IllegalArgumentException("origin shifts or basis changes in parentheses are not supported");
        }
        String key = normalise(raw);
        List<Integer> cands = BY_SYMBOL.get(key);
        if (cands == null && suffix == null && key.length() > 2 && "hrsz".indexOf(key.charAt(key.length() - 1)) >= 0) {
            // a setting letter glued to the symbol, e.g. R-3mH (no H-M symbol ends in h, r, s or z)
            suffix = key.substring(key.length() - 1).toUpperCase(Locale.ROOT);
            cands = BY_SYMBOL.get(key.substring(0, key.length() - 1));
        }
        if (cands == null) throw new IllegalArgumentException("unknown Hermann-Mauguin symbol");
        return firstFitting(choose(cands, suffix, lattice), lattice);
    }

    /**
     * The first setting whose operations fit the cell: a symbol that several settings share (P2 with unique axis a,
     * b or c; an orthorhombic symbol in two origin choices) means the one the cell allows, in order of preference.
     */
    private static Resolved firstFitting(List<Integer> ordered, Lattice lattice) {
        IllegalArgumentException first = null;
        for (int h : ordered) {
            try {
                return resolve(h, lattice);
            } catch (IllegalArgumentException e) {
                if (first == null) first = e;
            }
        }
        throw first;
    }

    /** The setting a Hall symbol names (one of the 530 tabulated Hall symbols). */
    static Resolved fromHall(String text, Lattice lattice) {
        Integer h = BY_HALL.get(hallKey(text));
        if (h == null) throw new IllegalArgumentException("Hall symbol is not one of the 530 tabulated settings");
        return resolve(h, lattice);
    }

    /** The standard setting of a space-group number (origin choice 2; R groups on the cell's axes). */
    static Resolved fromNumber(int number, Lattice lattice) {
        if (number < 1 || number > 230) throw new IllegalArgumentException("space group number outside 1..230");
        List<Integer> cands = new ArrayList<>();
        for (int h = 1; h <= 530; h++) {
            HallSymbols.SpaceGroupType t = HallSymbols.type(h);
            if (t.number() != number) continue;
            String c = t.choice();
            if (c.isEmpty() || c.equals("1") || c.equals("2") || c.equals("H") || c.equals("R")
                    || h == HallSymbols.standardHallNumber(number)) {
                cands.add(h);
            }
        }
        return resolve(choose(cands, null, lattice).get(0), lattice);
    }

    /** The candidate settings in order of preference (see the class comment). */
    private static List<Integer> choose(List<Integer> cands, String suffix, Lattice lattice) {
        List<Integer> keep = new ArrayList<>();
        if (suffix != null) {
            String s = suffix.toUpperCase(Locale.ROOT);
            for (int h : cands) {
                String c = HallSymbols.type(h).choice();
                boolean ok = switch (s) {
                    case "1", "S" -> c.startsWith("1") || (c.isEmpty() && onlyOneOrigin(cands));
                    case "2", "Z" -> c.startsWith("2") || (c.isEmpty() && onlyOneOrigin(cands));
                    case "H", "R" -> c.equals(s);
                    default -> c.equalsIgnoreCase(suffix);
                };
                if (ok) keep.add(h);
            }
            if (keep.isEmpty()) throw new IllegalArgumentException("setting ':" + suffix + "' does not exist for this group");
            return keep;
        }
        boolean hasH = false, hasR = false, hasOrigin2 = false;
        for (int h : cands) {
            String c = HallSymbols.type(h).choice();
            hasH |= c.equals("H");
            hasR |= c.equals("R");
            hasOrigin2 |= c.startsWith("2");
        }
        if (hasH && hasR) {
            String axes = rhombohedralAxes(lattice);
            if (axes == null) {
                throw new IllegalArgumentException("rhombohedral group without ':H' or ':R' on a cell that is neither"
                        + " hexagonal nor rhombohedral");
            }
            for (int h : cands) if (HallSymbols.type(h).choice().equals(axes)) return List.of(h);
        }
        List<Integer> ordered = new ArrayList<>();
        if (hasOrigin2) {
            for (int h : cands) if (HallSymbols.type(h).choice().startsWith("2")) ordered.add(h);
        }
        for (int h : cands) if (!ordered.contains(h)) ordered.add(h);
        return ordered;
    }

    private static boolean onlyOneOrigin(List<Integer> cands) {
        for (int h : cands) {
            String c = HallSymbols.type(h).choice();
            if (c.startsWith("1") || c.startsWith("2")) return false;
        }
        return true;
    }

    /** "H" for a hexagonal-shaped cell, "R" for a rhombohedral-shaped one, else null. */
    private static String rhombohedralAxes(Lattice lattice) {
        double[] p = lattice.parameters();
        double tol = 1e-3;
        boolean ab = Math.abs(p[0] - p[1]) <= tol * p[0];
        if (ab && Math.abs(p[3] - 90) < 0.05 && Math.abs(p[4] - 90) < 0.05 && Math.abs(p[5] - 120) < 0.05) return "H";
        if (ab && Math.abs(p[0] - p[2]) <= tol * p[0] && Math.abs(p[3] - p[4]) < 0.05 && Math.abs(p[3] - p[5]) < 0.05) {
            return "R";
        }
        return null;
    }

    private static Resolved resolve(int hall, Lattice lattice) {
        HallSymbols.Operations o = HallSymbols.operations(hall);
        double[][] g = lattice.metric();
        double scale = 0;
        for (double[] row : g) for (double v : row) scale = Math.max(scale, Math.abs(v));
        List<SymmetryOperation> ops = new ArrayList<>(o.size());
        for (int i = 0; i < o.size(); i++) {
            int[][] r = o.rot()[i];
            // x' = R x preserves lengths iff R^T G R = G
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    double v = 0;
                    for (int k = 0; k < 3; k++) for (int l = 0; l < 3; l++) v += r[k][a] * g[k][l] * r[l][b];
                    if (Math.abs(v - g[a][b]) > METRIC_TOLERANCE * scale) {
                        HallSymbols.SpaceGroupType t = HallSymbols.type(hall);
                        throw new IllegalArgumentException("its operations (" + t.internationalFull()
                                + (t.choice().isEmpty() ? "" : ", setting " + t.choice())
                                + ") do not fit the cell parameters (wrong setting or unique axis?)");
                    }
                }
            }
            double[][] rot = new double[3][3];
            for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) rot[a][b] = r[a][b];
            ops.add(new SymmetryOperation(rot, o.trans()[i].clone()));
        }
        return new Resolved(hall, HallSymbols.type(hall).number(), List.copyOf(ops));
    }
}
