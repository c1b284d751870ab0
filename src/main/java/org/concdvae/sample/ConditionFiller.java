package org.concdvae.sample;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.config.Config;
import org.concdvae.io.InvalidInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The 'less' strategy (generation.md §2): conditions the prior needs but the target does not give are taken from rows
 * of a reference table (the training CSV of the full data set), independently per missing property and per latent.
 * {@link Mode#FILTERED} is the paper-era rule (rows whose given properties match the target: classes equal, scalars
 * within {@code tolerate/2 · (condition_max − condition_min)}; formula excluded; each missing property from its own
 * random matching row, v1 {@code use_one = 'False'}), {@link Mode#ONE_ROW} the same matching rows with one row
 * supplying every missing property of a latent (v1 {@code use_one = 'True'}; crystal system, space group and atom count
 * then come from one real crystal and never contradict each other), {@link Mode#RANDOM} HEAD's uniform rows (any row,
 * each missing property from its own row: HEAD's shipped {@code use_one: true}). A missing {@code formula} is taken as
 * the row's formula string.
 */
public final class ConditionFiller {
    public enum Mode {
        FILTERED("paper", "filtered_rows"), ONE_ROW("one-row", "one_row"), RANDOM("random", "random_rows");

        /** The {@code --less-fill} name and the {@code gen.less_mode} name. */
        public final String flag, config;

        Mode(String flag, String config) {
            this.flag = flag;
            this.config = config;
        }

        /** By {@code --less-fill} name (one-row, paper, random) or {@code gen.less_mode} name (one_row, filtered_rows, random_rows). */
        public static Mode parse(String name, String where) {
            for (Mode m : values()) if (m.flag.equals(name) || m.config.equals(name)) return m;
            throw new InvalidInputException(where + " must be one-row, paper or random (gen.less_mode: one_row, filtered_rows, random_rows); got '" + name + "'");
        }
    }

    private final Mode mode;

    private final List<Map<String, Object>> rows;
    private final List<String> missing;
    private final Map<String, Object> target;

    /**
     * @param table      the reference rows (property name → number, formula → string)
     * @param conditions the prior's condition definitions
     * @param target     the given conditions
     */
    public ConditionFiller(List<Map<String, Object>> table, List<Config.ConditionEmbedding> conditions, Map<String, Object> target,
                           Mode mode, double tolerate, String source) {
        this.target = target;
        this.mode = mode;
        this.missing = new ArrayList<>();
        for (Config.ConditionEmbedding c : conditions) if (!target.containsKey(c.conditionName())) missing.add(c.conditionName());
        List<Map<String, Object>> keep = new ArrayList<>();
        for (Map<String, Object> r : table) {
            boolean ok = true;
            for (String m : missing) ok &= r.get(m) != null;
            if (ok && mode != Mode.RANDOM) {
                for (Config.ConditionEmbedding c : conditions) {
                    Object want = target.get(c.conditionName());
                    if (want == null || c.conditionName().equals("formula") || !(want instanceof Number w)) continue;
                    Object have = r.get(c.conditionName());
                    if (!(have instanceof Number h)) { ok = false; break; }
                    if ("class".equals(c.type())) ok &= (int) h.doubleValue() == (int) w.doubleValue();
                    else if ("scalar".equals(c.type())) {
                        ok &= Math.abs(h.doubleValue() - w.doubleValue()) <= tolerate / 2 * (c.conditionMax() - c.conditionMin());
                    }
                    if (!ok) break;
                }
            }
            if (ok) keep.add(r);
        }
        if (!missing.isEmpty() && keep.isEmpty()) {
            throw new InvalidInputException(source + ": no reference row " + (mode != Mode.RANDOM ? "matches the given properties " + target
                    + " (--less-tolerance " + tolerate + " of each range; a larger one admits more rows) and " : "") + "has values for " + missing);
        }
        this.rows = keep;
    }

    /** Conditions that are filled from the table. */
    public List<String> missing() { return missing; }

    /** Reference rows that can be drawn. */
    public int candidates() { return rows.size(); }

    /** The reference rows that can be drawn, in table order. */
    public List<Map<String, Object>> rows() { return java.util.Collections.unmodifiableList(rows); }

    public Mode mode() { return mode; }

    /**
     * {@code count} complete condition maps: the target plus, per missing property, the value of a random row
     * ({@link Mode#ONE_ROW}: one random row for all missing properties of a map).
     */
    public List<Map<String, Object>> draw(int count, Random rng) {
        List<Map<String, Object>> out = new ArrayList<>(count);
        for (int j = 0; j < count; j++) {
            Map<String, Object> m = new LinkedHashMap<>(target);
            Map<String, Object> one = mode == Mode.ONE_ROW ? rows.get(rng.nextInt(rows.size())) : null;
            for (String p : missing) m.put(p, (one != null ? one : rows.get(rng.nextInt(rows.size()))).get(p));
            out.add(m);
        }
        return out;
    }

    /** Reads a CSV reference table: the named columns as numbers ('formula' as text); empty or non-numeric cells are absent. */
    public static List<Map<String, Object>> readTable(Path csv, List<String> columns) {
        List<Map<String, Object>> rows = new ArrayList<>();
        CSVFormat f = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
        try (CSVParser p = CSVParser.parse(csv, StandardCharsets.UTF_8, f)) {
            for (CSVRecord r : p) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (String c : columns) {
                    if (!r.isMapped(c) || !r.isSet(c)) continue;
                    String v = r.get(c).trim();
                    if (v.isEmpty()) continue;
                    if (c.equals("formula")) m.put(c, v);
                    else {
                        try {
                            m.put(c, Double.parseDouble(v));
                        } catch (NumberFormatException e) {
                            // not a number: treated as absent
                        }
                    }
                }
                rows.add(m);
            }
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw new InvalidInputException(csv + ": cannot read the reference table (" + e.getMessage() + ")");
        }
        if (rows.isEmpty()) throw new InvalidInputException(csv + ": the reference table has no rows");
        return rows;
    }
}
