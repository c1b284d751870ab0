package org.concdvae.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.StructureSource;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Generated crystals to evaluate: a directory of CIF files (id = file stem) with an optional {@code samples.csv}
 * (column {@code id}; target group from {@code target_group}, else {@code label}, else {@code targets}; target values
 * from the columns {@code band_gap}, {@code formation_energy_per_atom}, {@code crystal_system}, or from a
 * {@code targets} cell holding a JSON object or {@code key=value} pairs). A directory without CIFs is read from the
 * {@code cif} column of its samples.csv. Samples without metadata form the group "all".
 */
public record SampleSet(List<StructureSource.Entry> entries, Map<String, String> groups, Map<String, Map<String, String>> targets) {
    public static final String SAMPLES_CSV = "samples.csv";
    public static final List<String> TARGET_COLUMNS = List.of(PropertyEvaluator.BAND_GAP, PropertyEvaluator.FORMATION_ENERGY, "crystal_system");

    public String group(String id) { return groups.getOrDefault(id, Metric.ALL); }

    public Map<String, String> targets(String id) { return targets.getOrDefault(id, Map.of()); }

    public static SampleSet read(Path dir) {
        if (!Files.isDirectory(dir)) throw new InvalidInputException("--samples must be a directory of CIF files: " + dir);
        Path csv = dir.resolve(SAMPLES_CSV);
        boolean hasCifs;
        try (Stream<Path> s = Files.list(dir)) {
            hasCifs = s.anyMatch(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".cif"));
        } catch (IOException e) {
            throw new InvalidInputException("cannot list " + dir + ": " + e.getMessage());
        }
        List<StructureSource.Entry> entries;
        if (hasCifs) entries = StructureSource.read(dir);
        else if (Files.isRegularFile(csv)) entries = StructureSource.read(csv);
        else throw new InvalidInputException(dir + ": no *.cif files and no " + SAMPLES_CSV);
        Map<String, String> groups = new HashMap<>();
        Map<String, Map<String, String>> targets = new HashMap<>();
        if (Files.isRegularFile(csv)) readMetadata(csv, groups, targets);
        return new SampleSet(entries, groups, targets);
    }

    private static void readMetadata(Path csv, Map<String, String> groups, Map<String, Map<String, String>> targets) {
        try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
             CSVParser in = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setAllowMissingColumnNames(true)
                     .setIgnoreEmptyLines(true).build().parse(r)) {
            List<String> header = in.getHeaderNames();
            if (!header.contains("id")) throw new InvalidInputException(csv + ": needs an 'id' column to attach targets to the CIF files");
            String groupColumn = Stream.of("target_group", "label", "targets").filter(header::contains).findFirst().orElse(null);
            for (CSVRecord rec : in) {
                int row = (int) rec.getRecordNumber();
                String id = cell(rec, "id");
                Map<String, String> t = new LinkedHashMap<>();
                if (header.contains("targets")) t.putAll(parseTargets(csv, row, cell(rec, "targets")));
                for (String c : TARGET_COLUMNS) {
                    if (!cell(rec, c).isBlank()) t.put(c, cell(rec, c).trim());
                }
                targets.put(id, t);
                String g = groupColumn == null ? "" : cell(rec, groupColumn).trim();
                if (g.isEmpty() && !t.isEmpty()) g = String.join(", ", t.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
                groups.put(id, g.isEmpty() ? Metric.ALL : g);
            }
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw new InvalidInputException(csv + ": cannot read: " + e.getMessage());
        }
    }

    private static String cell(CSVRecord r, String column) {
        return r.isMapped(column) && r.isSet(column) ? r.get(column) : "";
    }

    /** A targets cell: a JSON object ({@code {"band_gap": 3}}) or {@code key=value} pairs split by ';', ',' or spaces. */
    static Map<String, String> parseTargets(Path csv, int row, String cell) {
        Map<String, String> out = new LinkedHashMap<>();
        String s = cell == null ? "" : cell.trim();
        if (s.isEmpty()) return out;
        if (s.startsWith("{")) {
            try {
                JsonNode n = new ObjectMapper().readTree(s);
                n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
                return out;
            } catch (IOException e) {
                throw new InvalidInputException(csv + " row " + row + ": targets is not valid JSON: " + e.getMessage());
            }
        }
        List<String> bad = new ArrayList<>();
        for (String part : s.split("[;,\\s]+")) {
            int eq = part.indexOf('=');
            if (eq <= 0) bad.add(part);
            else out.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
        if (!bad.isEmpty()) throw new InvalidInputException(csv + " row " + row + ": targets cell '" + s + "' is not key=value pairs");
        return out;
    }
}
