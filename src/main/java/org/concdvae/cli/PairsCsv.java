package org.concdvae.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.io.InvalidInputException;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A CSV of structure pairs with columns id_a,cif_a,id_b,cif_b (the format of the matcher oracle). */
final class PairsCsv {
    private PairsCsv() {}

    /** One input row of a pairs CSV. */
    record PairRow(String idA, String cifA, String idB, String cifB, long line) {}

    static List<PairRow> read(Path file) throws IOException {
        List<PairRow> rows = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            for (String col : List.of("id_a", "cif_a", "id_b", "cif_b")) {
                if (!p.getHeaderMap().containsKey(col)) {
                    throw new InvalidInputException(file + ": missing column '" + col + "' (need id_a,cif_a,id_b,cif_b)");
                }
            }
            for (CSVRecord rec : p) {
                if (!rec.isConsistent()) throw new InvalidInputException(file + " row " + rec.getRecordNumber() + ": wrong number of fields");
                rows.add(new PairRow(rec.get("id_a"), rec.get("cif_a"), rec.get("id_b"), rec.get("cif_b"), rec.getRecordNumber()));
            }
        } catch (java.io.UncheckedIOException e) {
            throw new InvalidInputException(file + ": " + e.getCause().getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new InvalidInputException(file + ": not a valid CSV (" + e.getMessage() + ")");
        }
        if (rows.isEmpty()) throw new InvalidInputException(file + ": no pairs");
        return rows;
    }

}
