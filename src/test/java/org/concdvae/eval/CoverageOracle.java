package org.concdvae.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.Structure;
import org.concdvae.testutil.OracleStructures;
import org.concdvae.testutil.SharedData;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Readers of ../shared/oracles/coverage: the exact fingerprinted structures and the recorded values. */
public final class CoverageOracle {
    public static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Map<String, List<Map<String, String>>> CACHE = new ConcurrentHashMap<>();

    private CoverageOracle() {}

    public static Path file(String name) { return SharedData.path("oracles/coverage/" + name); }

    /** All rows of a CSV of the oracle as column → value maps (parsed once per JVM). */
    public static List<Map<String, String>> rows(String name) {
        Path p = file(name);
        return CACHE.computeIfAbsent(name, n -> {
            List<Map<String, String>> out = new ArrayList<>();
            try (Reader r = Files.newBufferedReader(p)) {
                for (CSVRecord rec : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                    out.add(rec.toMap());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return List.copyOf(out);
        });
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The oracle's {@code structure_json}: lattice matrix, species and fractional coordinates, as fingerprinted. */
    public static Structure structure(String structureJson) { return OracleStructures.of(json(structureJson)); }

    /** A JSON list of numbers (empty list → empty array). */
    public static double[] vector(String jsonList) {
        JsonNode a = json(jsonList);
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).isNull() ? Double.NaN : a.get(i).asDouble();
        return v;
    }
}
