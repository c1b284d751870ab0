package org.concdvae.sample;

import org.concdvae.config.Config;
import org.concdvae.io.InvalidInputException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks of target values before sampling. A physically impossible value (negative band gap, space group outside
 * 1..230, fewer than 1 atom, a fractional atom count) is an error. A scalar value outside the range of its condition's
 * Gaussian expansion ({@code condition_min..condition_max}, the training range) is a warning, or an error when
 * {@code strict}: the condition embedding saturates there and the prior extrapolates.
 */
public final class TargetChecks {
    /** The sample flag of each condition that has one (the names of the shipped priors' conditions). */
    public static final Map<String, String> FLAGS = flags();

    private static Map<String, String> flags() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("formation_energy_per_atom", "--fe");
        m.put("band_gap", "--bg");
        m.put("crystal_system", "--cs");
        m.put("spacegroup", "--sg");
        m.put("e_above_hull", "--ehull");
        m.put("n_atom", "--natoms");
        m.put("formula", "--formula");
        return m;
    }

    private TargetChecks() {}

    /** How a condition is named to the user: its flag, or the --targets column when it has none. */
    public static String flag(String condition) {
        return FLAGS.getOrDefault(condition, "column '" + condition + "'");
    }

    /**
     * "needs --cs, --sg (or a --targets CSV with columns crystal_system, spacegroup)" for missing conditions.
     */
    public static String needs(List<String> missing) {
        List<String> f = new ArrayList<>();
        for (String m : missing) f.add(flag(m));
        return "needs " + String.join(", ", f) + " (or a --targets CSV with columns " + String.join(", ", missing) + ")";
    }

    /**
     * Checks one target; returns the warnings (one line each) and throws for impossible values or, with
     * {@code strict}, for out-of-range ones.
     *
     * @param where  how the target is named in messages ("" for the flags, "FILE row N: " for a CSV row)
     * @param values condition name → value (numbers; the formula as a string)
     * @param defs   the prior's condition definitions (ranges)
     */
    public static List<String> check(String where, Map<String, Object> values, List<Config.ConditionEmbedding> defs, boolean strict) {
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!(e.getValue() instanceof Number num)) continue;
            String name = e.getKey();
            double v = num.doubleValue();
            String who = where.isEmpty() ? flag(name) + " " + fmt(v) : where + name + " " + fmt(v);
            switch (name) {
                case "band_gap" -> { if (v < 0) throw new InvalidInputException(who + ": a band gap cannot be negative"); }
                case "spacegroup" -> {
                    if (v != Math.rint(v) || v < 1 || v > 230) throw new InvalidInputException(who + ": a space-group number is an integer 1-230");
                }
                case "n_atom" -> {
                    if (v != Math.rint(v) || v < 1) throw new InvalidInputException(who + ": an atom count is an integer of at least 1");
                }
                default -> { }
            }
            for (Config.ConditionEmbedding d : defs) {
                if (!name.equals(d.conditionName()) || !"scalar".equals(d.type()) || d.conditionMin() == null || d.conditionMax() == null) continue;
                if (v < d.conditionMin() || v > d.conditionMax()) {
                    String msg = who + " is outside the training range of " + name + ", " + fmt(d.conditionMin()) + " to " + fmt(d.conditionMax())
                            + " (the condition's Gaussian expansion): the model extrapolates";
                    if (strict) throw new InvalidInputException(msg + " (--strict-targets)");
                    warnings.add(msg);
                }
            }
        }
        return warnings;
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
