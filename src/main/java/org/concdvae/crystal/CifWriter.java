package org.concdvae.crystal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes P1 CIF text in the layout of pymatgen's {@code CifWriter} (default settings, the format of every CIF in the
 * data sets): cell parameters and coordinates with 8 decimals (round-half-even on the exact binary value, as Python
 * formats), {@code _symmetry_space_group_name_H-M 'P 1'}, a one-operation symmetry loop and an atom-site loop with
 * type symbol, label, multiplicity, fractional x y z and occupancy, sites in structure order. pymatgen, ASE and VESTA
 * read it. This class only builds text; write files with {@code org.concdvae.io.AtomicFiles#writeString}.
 */
public final class CifWriter {
    /** pymatgen CifBlock.maxlen: loop rows are wrapped before this width. */
    private static final int MAX_LEN = 70;

    private CifWriter() {}

    /** One structure as a complete CIF; the block is named after its reduced formula, as pymatgen does. */
    public static String write(Structure s) {
        StringBuilder sb = new StringBuilder("# generated using concdvae\n");
        appendBlock(sb, s, s.composition().reducedFormula());
        return sb.toString();
    }

    /**
     * Several structures as one multi-block CIF, block {@code i} named {@code names.get(i)} (characters CIF does not
     * allow in a block name become '_'; repeated names get a numeric suffix so every block stays addressable).
     */
    public static String writeAll(List<Structure> structures, List<String> names) {
        if (structures.size() != names.size()) throw new IllegalArgumentException("one name per structure");
        StringBuilder sb = new StringBuilder("# generated using concdvae\n");
        Set<String> used = new HashSet<>();
        for (int i = 0; i < structures.size(); i++) {
            String base = blockName(names.get(i));
            String name = base;
            for (int k = 2; !used.add(name.toLowerCase(java.util.Locale.ROOT)); k++) name = base + "_" + k;
            if (i > 0) sb.append('\n');
            appendBlock(sb, structures.get(i), name);
        }
        return sb.toString();
    }

    /**
     * A structure in a space-group setting: {@code _symmetry_space_group_name_H-M} and {@code _symmetry_Int_Tables_number}
     * of the group, its operations in the symmetry loop and one site per orbit (the first in structure order) with its
     * multiplicity, so readers rebuild the whole cell by applying the operations (as pymatgen's {@code CifWriter(symprec=…)}
     * does). The structure must be invariant under {@code ops} (e.g. a refined conventional cell and the operations of
     * that cell); sites are matched within {@code 1e-3} in fractional coordinates.
     */
    public static String writeSymmetrized(Structure s, String hmSymbol, int number, List<SymmetryOperation> ops, String name) {
        StringBuilder sb = new StringBuilder("# generated using concdvae\n");
        Lattice lat = s.lattice();
        double[] p = lat.parameters();
        Composition comp = s.composition();
        sb.append("data_").append(blockName(name)).append('\n');
        scalar(sb, "_symmetry_space_group_name_H-M", hmSymbol);
        String[] cell = {"_cell_length_a", "_cell_length_b", "_cell_length_c", "_cell_angle_alpha", "_cell_angle_beta",
                "_cell_angle_gamma"};
        for (int k = 0; k < 6; k++) scalar(sb, cell[k], fixed8(p[k]));
        scalar(sb, "_symmetry_Int_Tables_number", String.valueOf(number));
        scalar(sb, "_chemical_formula_structural", comp.reducedFormula());
        scalar(sb, "_chemical_formula_sum", comp.formulaWithSpaces());
        scalar(sb, "_cell_volume", fixed8(lat.volume()));
        scalar(sb, "_cell_formula_units_Z", String.valueOf(comp.reducedFormulaUnits()));
        List<List<String>> opRows = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) opRows.add(List.of(String.valueOf(i + 1), ops.get(i).toXyz()));
        loop(sb, List.of("_symmetry_equiv_pos_site_id", "_symmetry_equiv_pos_as_xyz"), opRows);
        boolean[] covered = new boolean[s.size()];
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            if (covered[i]) continue;
            double[] f = s.fracCoord(i);
            int multiplicity = 0;
            for (SymmetryOperation op : ops) {
                double[] g = op.apply(f);
                for (int j = 0; j < s.size(); j++) {
                    if (covered[j] || s.atomicNumber(j) != s.atomicNumber(i)) continue;
                    double[] h = s.fracCoord(j);
                    boolean same = true;
                    for (int k = 0; k < 3 && same; k++) {
                        double d = g[k] - h[k];
                        same = Math.abs(d - Math.rint(d)) < 1e-3;
                    }
                    if (same) {
                        covered[j] = true;
                        multiplicity++;
                    }
                }
            }
            String sym = s.element(i).symbol();
            double[] w = {Structure.wrap(f[0]), Structure.wrap(f[1]), Structure.wrap(f[2])};
            rows.add(List.of(sym, sym + rows.size(), String.valueOf(Math.max(1, multiplicity)), fixed8(w[0]), fixed8(w[1]), fixed8(w[2]), "1"));
        }
        loop(sb, List.of("_atom_site_type_symbol", "_atom_site_label", "_atom_site_symmetry_multiplicity",
                "_atom_site_fract_x", "_atom_site_fract_y", "_atom_site_fract_z", "_atom_site_occupancy"), rows);
        return sb.toString();
    }

    static String blockName(String raw) {
        String s = raw == null ? "" : raw.strip().replaceAll("[\\s'\"#$;\\[\\]]", "_");
        return s.isEmpty() ? "structure" : s;
    }

    private static void appendBlock(StringBuilder sb, Structure s, String name) {
        Lattice lat = s.lattice();
        double[] p = lat.parameters();
        Composition comp = s.composition();
        sb.append("data_").append(name).append('\n');
        scalar(sb, "_symmetry_space_group_name_H-M", "P 1");
        String[] cell = {"_cell_length_a", "_cell_length_b", "_cell_length_c", "_cell_angle_alpha", "_cell_angle_beta",
                "_cell_angle_gamma"};
        for (int k = 0; k < 6; k++) scalar(sb, cell[k], fixed8(p[k]));
        scalar(sb, "_symmetry_Int_Tables_number", "1");
        scalar(sb, "_chemical_formula_structural", comp.reducedFormula());
        scalar(sb, "_chemical_formula_sum", comp.formulaWithSpaces());
        scalar(sb, "_cell_volume", fixed8(lat.volume()));
        scalar(sb, "_cell_formula_units_Z", String.valueOf(comp.reducedFormulaUnits()));
        List<String> tags = List.of("_symmetry_equiv_pos_site_id", "_symmetry_equiv_pos_as_xyz");
        loop(sb, tags, List.of(List.of("1", "x, y, z")));
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            double[] f = s.fracCoord(i);
            String sym = s.element(i).symbol();
            rows.add(List.of(sym, sym + i, "1", fixed8(f[0]), fixed8(f[1]), fixed8(f[2]), "1.0"));
        }
        loop(sb, List.of("_atom_site_type_symbol", "_atom_site_label", "_atom_site_symmetry_multiplicity",
                "_atom_site_fract_x", "_atom_site_fract_y", "_atom_site_fract_z", "_atom_site_occupancy"), rows);
    }

    private static void scalar(StringBuilder sb, String tag, String value) {
        String v = field(value);
        if (tag.length() + v.length() + 3 < MAX_LEN) sb.append(tag).append("   ").append(v).append('\n');
        else sb.append(tag).append('\n').append(v).append('\n');
    }

    private static void loop(StringBuilder sb, List<String> tags, List<List<String>> rows) {
        sb.append("loop_");
        for (String t : tags) sb.append("\n ").append(t);
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("\n");
            for (String raw : row) {
                String v = field(raw);
                if (line.length() + v.length() + 2 < MAX_LEN) {
                    line.append("  ").append(v);
                } else {
                    sb.append(line);
                    line = new StringBuilder("\n  ").append(v);
                }
            }
            sb.append(line);
        }
        sb.append('\n');
    }

    /** pymatgen CifBlock._format_field: quote values with blanks or a leading underscore. */
    private static String field(String raw) {
        String v = raw.strip();
        if (v.isEmpty()) return "\"\"";
        if (v.contains(" ") || v.charAt(0) == '_') {
            char q = v.indexOf('\'') >= 0 ? '"' : '\'';
            return q + v + q;
        }
        return v;
    }

    /** Python's {@code "{:.8f}".format(x)}: exact binary value rounded half-even, "-0.00000000" kept for negatives. */
    static String fixed8(double x) {
        if (!Double.isFinite(x)) throw new IllegalArgumentException("non-finite value " + x);
        boolean negative = x < 0 || (x == 0 && 1 / x < 0);
        double y = Math.abs(x) * 1e8;
        if (y < 1e14) {
            // fast path: x·1e8 is within 0.03 of the exact product here, so unless the fraction is close to one half
            // the rounding direction is certain; near a tie the exact decimal expansion below decides
            double fl = Math.floor(y);
            double frac = y - fl;
            if (Math.abs(frac - 0.5) > 0.05) {
                long r = (long) fl + (frac > 0.5 ? 1 : 0);
                StringBuilder sb = new StringBuilder(24);
                if (negative) sb.append('-');
                sb.append(r / 100_000_000L).append('.');
                String f = Long.toString(r % 100_000_000L);
                for (int i = f.length(); i < 8; i++) sb.append('0');
                return sb.append(f).toString();
            }
        }
        BigDecimal r = new BigDecimal(x).setScale(8, RoundingMode.HALF_EVEN);
        String t = r.toPlainString();
        if (negative && r.signum() == 0) t = "-" + t;
        return t;
    }

    /** Reference implementation of {@link #fixed8} (exact decimal expansion only), for tests. */
    static String fixed8Exact(double x) {
        BigDecimal r = new BigDecimal(x).setScale(8, RoundingMode.HALF_EVEN);
        String t = r.toPlainString();
        boolean negative = x < 0 || (x == 0 && 1 / x < 0);
        if (negative && r.signum() == 0) t = "-" + t;
        return t;
    }
}
