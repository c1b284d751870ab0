package org.concdvae.data;

import org.concdvae.config.Config;

import java.util.ArrayList;
import java.util.List;

/**
 * How one cached property ({@code data.prelo_prop}) is read: its kind (continuous, or categorical with N classes as
 * declared by a {@code class} condition embedding or predictor in the config), and, when the CSV has no column of that
 * name, how it is derived: {@code n_atom} = number of sites; {@code crystal_system} / {@code CS_type} from the
 * space-group number ({@link CrystalSystem}); {@code spacegroup} from {@code spacegroup.number}.
 */
public record PropertySpec(String name, int numClasses, boolean required) {
    /** Columns that may hold a space-group number, in order of preference. */
    public static final List<String> SPACE_GROUP_COLUMNS = List.of("spacegroup", "spacegroup.number");

    public boolean categorical() { return numClasses > 0; }

    /** True if the value can be computed when the column is missing. */
    public boolean derivable() {
        return name.equals("n_atom") || name.equals("crystal_system") || name.equals("CS_type") || name.equals("spacegroup");
    }

    /** The property specs of a configuration, in {@code prelo_prop} order. */
    public static List<PropertySpec> of(Config c) {
        List<PropertySpec> out = new ArrayList<>();
        for (String p : c.data().preloProp()) {
            out.add(new PropertySpec(p, classes(c, p), c.data().prop().contains(p)));
        }
        return out;
    }

    private static int classes(Config c, String name) {
        List<Config.ConditionEmbedding> emb = new ArrayList<>(c.model().conditionmodel().conditionEmbeddings());
        emb.addAll(c.prior().conditionmodel().conditionEmbeddings());
        for (Config.ConditionEmbedding e : emb) {
            if (e.conditionName().equals(name) && "class".equals(e.type())) return e.nType();
        }
        for (Config.ConditionPredict p : c.model().conditionpre().conditionPredict()) {
            if (p.conditionName().equals(name) && "class".equals(p.type())) return p.nType();
        }
        return 0;
    }
}
