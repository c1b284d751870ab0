package org.concdvae.data;

import org.concdvae.config.Config;
import org.concdvae.io.InvalidInputException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The training-time choice of properties: {@code concdvae preprocess} keeps a data set's numeric columns as they come,
 * and the model config picks its {@code data.prelo_prop} from them here, in config order, with the checks the config
 * implies: a {@code data.prop} property must exist (or be derivable: {@code n_atom} from the structure,
 * {@code crystal_system} / {@code CS_type} / {@code spacegroup} from a space-group column) and be a finite number, a
 * class property a class in 0..n-1. Rows that fail are dropped and counted in one warning per data set.
 */
public final class PropertySelection {
    private PropertySelection() {}

    /** The crystals with the config's properties, in {@code data.prelo_prop} order; {@code source} names the data in messages. */
    public static List<CrystalRecord> select(List<CrystalRecord> records, List<String> available, Config cfg, String source,
                                             Consumer<String> warn) {
        List<PropertySpec> specs = PropertySpec.of(cfg);
        int sg = -1;
        for (String c : PropertySpec.SPACE_GROUP_COLUMNS) if (sg < 0) sg = available.indexOf(c);
        int[] from = new int[specs.size()];
        for (int k = 0; k < specs.size(); k++) {
            PropertySpec p = specs.get(k);
            from[k] = available.indexOf(p.name());
            if (from[k] >= 0) continue;
            if (p.name().equals("n_atom")) from[k] = -2;
            else if (p.derivable() && sg >= 0) from[k] = -3;
            else if (p.required()) {
                throw new InvalidInputException(source + ": no property '" + p.name() + "' for data.prop (the data has "
                        + (available.isEmpty() ? "no numeric property columns" : String.join(", ", available))
                        + "); choose data.prop / data.prelo_prop among them");
            } else {
                warn.accept(source + ": no property '" + p.name() + "' (data.prelo_prop); the value is NaN");
                from[k] = -1;
            }
        }
        List<CrystalRecord> out = new ArrayList<>(records.size());
        Map<String, Integer> dropped = new LinkedHashMap<>();
        String first = null;
        for (CrystalRecord r : records) {
            double[] v = new double[specs.size()];
            String why = null;
            for (int k = 0; k < specs.size() && why == null; k++) {
                PropertySpec p = specs.get(k);
                double x = switch (from[k]) {
                    case -1 -> Double.NaN;
                    case -2 -> r.numAtoms();
                    case -3 -> derived(p, r.properties()[sg]);
                    default -> r.properties()[from[k]];
                };
                if (p.required() && !Double.isFinite(x)) why = p.name() + " is not a number";
                else if (p.categorical() && !Double.isNaN(x) && (x != Math.rint(x) || x < 0 || x >= p.numClasses())) {
                    why = p.name() + " = " + x + " is not a class in 0.." + (p.numClasses() - 1);
                }
                v[k] = x;
            }
            if (why != null) {
                dropped.merge(why.replaceAll(" = .*", " out of range"), 1, Integer::sum);
                if (first == null) first = r.file() + " row " + r.row() + (r.id().isEmpty() ? "" : " (" + r.id() + ")") + ": " + why;
                continue;
            }
            out.add(r.withProperties(v));
        }
        if (first != null) {
            warn.accept(source + ": " + (records.size() - out.size()) + " of " + records.size() + " crystals dropped for their properties "
                    + dropped + " (first: " + first + ")");
        }
        return out;
    }

    private static double derived(PropertySpec p, double spaceGroup) {
        if (!(spaceGroup == Math.rint(spaceGroup) && spaceGroup >= 1 && spaceGroup <= 230)) return Double.NaN;
        return p.name().equals("spacegroup") ? spaceGroup : CrystalSystem.code((int) spaceGroup);
    }
}
