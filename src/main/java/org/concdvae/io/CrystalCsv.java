package org.concdvae.io;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * A crystal table in the CDVAE / Con-CDVAE layout, read row by row (streaming, with every column available): RFC-4180
 * CSV with a header, a {@code cif} column holding a complete CIF text per row, an optional {@code material_id},
 * property columns, and possibly an unnamed pandas index column. The CIF text is returned as is ({@link
 * StructureSource} is the structures-only reader for analysis commands). File-level problems (missing file, not text, no header, no {@code cif} column, no rows, broken quoting)
 * are {@link InvalidInputException}s naming the file; per-row problems are left to the caller.
 */
public final class CrystalCsv implements Closeable {
    /** One data row; {@code row} is 1-based, header excluded. Short rows read missing columns as null. */
    public record Row(int row, String id, String cif, CSVRecord record) {
        /** The value of {@code column}, or null if the file has no such column. */
        public String get(String column) {
            return record.isMapped(column) && record.isSet(column) ? record.get(column) : null;
        }
    }

    private final Path file;
    private final CSVParser parser;
    private final Iterator<CSVRecord> it;
    private final List<String> header;
    private int row;

    private CrystalCsv(Path file, CSVParser parser) {
        this.file = file;
        this.parser = parser;
        this.header = parser.getHeaderNames();
        this.it = parser.iterator();
    }

    /** Opens and validates the header. */
    public static CrystalCsv open(Path file) {
        checkText(file);
        try {
            java.io.PushbackReader r = new java.io.PushbackReader(new java.io.BufferedReader(new java.io.InputStreamReader(
                    Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT))));
            int first = r.read();                      // a UTF-8 byte-order mark (Excel) is not part of the header
            if (first != -1 && first != '\uFEFF') r.unread(first);
            CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setAllowMissingColumnNames(true)
                    .setIgnoreEmptyLines(true).build().parse(r);
            CrystalCsv csv = new CrystalCsv(file, p);
            if (csv.header.isEmpty() || csv.header.stream().allMatch(String::isBlank)) {
                csv.close();
                throw new InvalidInputException(file + ": file is empty (expected a CSV header with a 'cif' column)");
            }
            if (!csv.header.contains("cif")) {
                csv.close();
                throw new InvalidInputException(file + ": no 'cif' column in the header (columns: " + abbreviate(csv.header) + ")");
            }
            return csv;
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file + ": bad CSV header: " + oneLine(e.getMessage()));
        } catch (UncheckedIOException e) {
            throw new InvalidInputException(file + ": " + ioMessage(e.getCause()));
        } catch (IOException e) {
            throw new InvalidInputException(file + ": " + ioMessage(e));
        }
    }

    /** Rejects missing, empty and binary files before parsing. */
    private static void checkText(Path file) {
        if (!Files.exists(file)) throw new InvalidInputException(file + ": file not found");
        if (Files.isDirectory(file)) throw new InvalidInputException(file + ": is a directory, expected a CSV file");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8192);
            if (head.length == 0) throw new InvalidInputException(file + ": file is empty (expected a CSV header with a 'cif' column)");
            for (byte b : head) {
                if (b == 0) throw new InvalidInputException(file + ": not a text CSV file (binary data)");
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": file not found");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage());
        }
    }

    public Path file() { return file; }

    public List<String> header() { return header; }

    public boolean hasColumn(String c) { return header.contains(c); }

    /** The next row, or null at the end of the file. */
    public Row next() {
        try {
            if (!it.hasNext()) return null;
            CSVRecord r = it.next();
            row++;
            String cif = r.isSet("cif") ? r.get("cif") : null;
            String id = header.contains("material_id") && r.isSet("material_id") ? r.get("material_id") : "";
            return new Row(row, id, cif, r);
        } catch (UncheckedIOException e) {
            throw new InvalidInputException(file + ", after row " + row + ": " + ioMessage(e.getCause()));
        } catch (IllegalStateException e) {
            throw new InvalidInputException(file + ", after row " + row + ": malformed CSV: " + oneLine(e.getMessage()));
        }
    }

    /** Number of data rows (a separate pass over the file). */
    public static int countRows(Path file) {
        try (CrystalCsv c = open(file)) {
            int n = 0;
            while (c.next() != null) n++;
            return n;
        }
    }

    private static String ioMessage(Throwable e) {
        if (e instanceof CharacterCodingException) return "not a UTF-8 text CSV file";
        return "malformed CSV: " + oneLine(e == null ? "" : e.getMessage());
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ').trim();
    }

    private static String abbreviate(List<String> cols) {
        String s = String.join(", ", cols);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException ignored) {
            // read-only file; nothing to recover
        }
    }
}
