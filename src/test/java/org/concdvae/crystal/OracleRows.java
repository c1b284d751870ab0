package org.concdvae.crystal;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.testutil.SharedData;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Rows of ../shared/oracles/geometry.csv, read once per test JVM. */
final class OracleRows {
    private OracleRows() {}

    private static List<CSVRecord> geometry;
    private static List<Structure> geometryStructures;

    static synchronized List<CSVRecord> geometry() throws IOException {
        if (geometry == null) geometry = read(SharedData.path("oracles/geometry.csv"));
        return geometry;
    }

    /** The geometry.csv CIFs parsed once per test JVM, in row order. */
    static synchronized List<Structure> geometryStructures() throws IOException {
        if (geometryStructures == null) {
            List<Structure> out = new ArrayList<>();
            for (CSVRecord r : geometry()) out.add(CifReader.readOne(r.get("cif"), r.get("id")));
            geometryStructures = List.copyOf(out);
        }
        return geometryStructures;
    }

    static List<CSVRecord> read(Path p) throws IOException {
        try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            return new ArrayList<>(CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build()
                    .parse(r).getRecords());
        }
    }

    /** |actual - expected| within rel·|expected| plus half a unit of the oracle's last printed decimal. */
    static boolean close(double actual, String expectedText, double rel) {
        double expected = Double.parseDouble(expectedText);
        int dot = expectedText.indexOf('.');
        int decimals = dot < 0 ? 0 : expectedText.length() - dot - 1;
        double halfUlp = 0.5 * Math.pow(10, -decimals) * (1 + 1e-9);
        return Math.abs(actual - expected) <= rel * Math.abs(expected) + halfUlp;
    }
}
