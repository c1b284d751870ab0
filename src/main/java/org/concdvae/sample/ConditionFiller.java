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
 * within {@code tolerate/2 · (condition_max − condition_min)}; formula excluded), {@link Mode#RANDOM} HEAD's uniform
 * rows. A missing {@code formula} is taken as the row's formula string.
 */
public final class ConditionFiller {
    public enum Mode { FILTERED, RANDOM }

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
        this.missing = new ArrayList<>();
        for (Config.ConditionEmbedding c : conditions) if (!target.containsKey(c.conditionName())) missing.add(c.conditionName());
        List<Map<String, Object>> keep = new ArrayList<>();
        for (Map<String, Object> r : table) {
            boolean ok = true;
            for (String m : missing) ok &= r.get(m) != null;
            if (ok && mode == Mode.FILTERED) {
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
            throw new InvalidInputException(source + ": no reference row " + (mode == Mode.FILTERED ? "matches the given properties " + target
                    + " (tolerance " + tolerate + " of each range) and " : "") + "has values for " + missing);
        }
        this.rows = keep;
    }

    /** Conditions that are filled from the table. */
    public List<String> missing() { return missing; }

    /** Reference rows that can be drawn. */
    public int candidates() { return rows.size(); }

    /** {@code count} complete condition maps: the target plus, per missing property, the value of a random row. */
    public List<Map<String, Object>> draw(int count, Random rng) {
        List<Map<String, Object>> out = new ArrayList<>(count);
        for (int j = 0; j < count; j++) {
            Map<String, Object> m = new LinkedHashMap<>(target);
            for (String p : missing) m.put(p, rows.get(rng.nextInt(rows.size())).get(p));
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
