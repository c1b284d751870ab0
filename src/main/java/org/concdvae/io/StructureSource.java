package org.concdvae.io;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.ExtXyzReader;
import org.concdvae.crystal.PoscarReader;
import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Structure;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads structures with ids from what users point commands at. The format comes from the file name:
 * <ul>
 *   <li>a CIF file ({@code *.cif}, magnetic {@code *.mcif}): one entry per crystal {@code data_} block; id = file stem,
 *       or {@code stem#block} when the file has several;</li>
 *   <li>a VASP POSCAR/CONTCAR ({@code POSCAR*}, {@code CONTCAR*}, {@code *.vasp}, {@code *.poscar}): one entry; id =
 *       the part after {@code POSCAR}/{@code CONTCAR} and a separator ({@code CONTCAR_0012} → {@code 0012}), the
 *       stem of {@code *.vasp}/{@code *.poscar}, else the name. VASP 4 files without species: see
 *       {@link PoscarReader#VASP4_SPECIES_ENV};</li>
 *   <li>an extended XYZ file ({@code *.xyz}, {@code *.extxyz}): one entry per frame; id = stem, or {@code stem#k}
 *       (k from 1) when the file has several frames;</li>
 *   <li>another name: read as CIF when the text has a {@code data_} block, else an error asking for a known
 *       name; a name that fits two formats ({@code POSCAR.cif}) is an error;</li>
 *   <li>a directory: every file in it (not recursive) with one of the names above except CSV, sorted by name, each
 *       as above; and every subdirectory holding a {@code CONTCAR} (else a {@code POSCAR}), id = the subdirectory
 *       name (the usual layout of DFT relaxations);</li>
 *   <li>a CSV file (RFC 4180, multi-line quoted fields) with a {@code cif} column: id from the {@code id} or
 *       {@code material_id} column, else the 1-based data row number. A header starting with a bare comma (an unnamed
 *       pandas index) is fine.</li>
 * </ul>
 * {@link #read} keeps going past bad structures and returns their one-line reasons as entries so callers can report
 * them; {@link #readStrict} stops at the first one. Unreadable files, a CSV without a {@code cif} column or an empty
 * directory are always an {@link InvalidInputException}.
 */
public final class StructureSource {
    private StructureSource() {}

    /** Help text for command options that take a structure input (keeps every command's wording the same). */
    public static final String INPUT_DESCRIPTION = "CIF/mCIF file (one structure per data_ block), VASP POSCAR/CONTCAR "
            + "(POSCAR*, CONTCAR*, *.vasp), extended XYZ (*.xyz, *.extxyz; one structure per frame), a directory of "
            + "such files (and of subdirectories with a CONTCAR), or a CSV file with a 'cif' column (ids from its 'id' "
            + "or 'material_id' column, else the row number).";

    /** The structure formats, as told by file names. */
    enum Format { CIF, CSV, POSCAR, XYZ }

    /** One structure of the input, or the reason it could not be read. {@code origin} names file (and row). */
    public record Entry(String id, Structure structure, String error, String origin) {
        public boolean ok() { return error == null; }

        /** The structure; throws {@link InvalidStructureException} with the reason when this entry is bad. */
        public Structure require() {
            if (error != null) throw new InvalidStructureException(error);
            return structure;
        }
    }

    /** All entries; bad structures become entries with an error message. */
    public static List<Entry> read(Path path) {
        if (!Files.exists(path)) throw new InvalidInputException("input not found: " + path);
        if (Files.isDirectory(path)) return readDirectory(path);
        Format f = format(path);
        if (f == null) {
            String text = readText(path);
            if (!text.contains("data_")) {
                throw new InvalidInputException(path + ": cannot tell the structure format from the name; use *.cif, "
                        + "*.mcif, *.csv, POSCAR*/CONTCAR*/*.vasp/*.poscar or *.xyz/*.extxyz");
            }
            return readCifFile(path);
        }
        return readFile(path, f, null);
    }

    /** The format a file name stands for, null when it names none; a name that fits two is an error. */
    static Format format(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Format byExtension = null;
        if (name.endsWith(".cif") || name.endsWith(".mcif")) byExtension = Format.CIF;
        else if (name.endsWith(".csv")) byExtension = Format.CSV;
        else if (name.endsWith(".xyz") || name.endsWith(".extxyz")) byExtension = Format.XYZ;
        else if (name.endsWith(".vasp") || name.endsWith(".poscar")) byExtension = Format.POSCAR;
        boolean vaspName = name.startsWith("poscar") || name.startsWith("contcar");
        if (vaspName && byExtension != null && byExtension != Format.POSCAR) {
            throw new InvalidInputException(file + ": ambiguous name (a VASP POSCAR/CONTCAR name with a "
                    + byExtension.name() + " extension); rename it");
        }
        return vaspName ? Format.POSCAR : byExtension;
    }

    private static List<Entry> readFile(Path file, Format f, String id) {
        return switch (f) {
            case CSV -> readCsv(file);
            case CIF -> readCifFile(file);
            case POSCAR -> readPoscar(file, id);
            case XYZ -> readXyz(file);
        };
    }

    private static List<Entry> readPoscar(Path file, String id) {
        String origin = file.toString();
        String entryId = id != null ? id : poscarId(file);
        try {
            Structure s = PoscarReader.read(readText(file), origin, System.getenv(PoscarReader.VASP4_SPECIES_ENV));
            return List.of(new Entry(entryId, s, null, origin));
        } catch (InvalidStructureException e) {
            return List.of(new Entry(entryId, null, e.getMessage(), origin));
        }
    }

    /** CONTCAR_0012 → 0012, POSCAR-195 → 195, x.vasp → x, POSCAR → POSCAR. */
    static String poscarId(Path file) {
        String n = file.getFileName().toString();
        String lower = n.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".vasp") || lower.endsWith(".poscar")) return n.substring(0, n.lastIndexOf('.'));
        for (String p : new String[]{"poscar", "contcar"}) {
            if (lower.startsWith(p) && n.length() > p.length() + 1 && "-_.".indexOf(n.charAt(p.length())) >= 0) {
                return n.substring(p.length() + 1);
            }
        }
        return n;
    }

    private static List<Entry> readXyz(Path file) {
        String stem = stem(file);
        String origin = file.toString();
        List<ExtXyzReader.Frame> frames;
        try {
            frames = ExtXyzReader.read(readText(file), origin);
        } catch (InvalidStructureException e) {
            return List.of(new Entry(stem, null, e.getMessage(), origin));
        }
        List<Entry> out = new ArrayList<>();
        for (ExtXyzReader.Frame fr : frames) {
            String id = frames.size() == 1 ? stem : stem + "#" + fr.index();
            out.add(new Entry(id, fr.structure(), fr.error(), origin));
        }
        return out;
    }

    /** All entries; the first bad structure aborts with its one-line message. */
    public static List<Entry> readStrict(Path path) {
        List<Entry> all = read(path);
        for (Entry e : all) e.require();
        return all;
    }

    /** Only the good entries' structures, in order (convenience for callers that report errors separately). */
    public static List<Entry> good(List<Entry> entries) {
        return entries.stream().filter(Entry::ok).toList();
    }

    private static List<Entry> readDirectory(Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    Format f = format(p);
                    if (f != null && f != Format.CSV) files.add(p);
                } else if (Files.isDirectory(p) && (Files.isRegularFile(p.resolve("CONTCAR"))
                        || Files.isRegularFile(p.resolve("POSCAR")))) {
                    files.add(p);
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException("cannot list directory " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new InvalidInputException("no structure files (*.cif, *.mcif, POSCAR*, CONTCAR*, *.vasp, *.poscar, "
                    + "*.xyz, *.extxyz) in directory " + dir);
        }
        files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        List<Entry> out = new ArrayList<>();
        for (Path f : files) {
            if (Files.isDirectory(f)) {
                Path c = Files.isRegularFile(f.resolve("CONTCAR")) ? f.resolve("CONTCAR") : f.resolve("POSCAR");
                out.addAll(readPoscar(c, f.getFileName().toString()));
            } else {
                out.addAll(readFile(f, format(f), null));
            }
        }
        return out;
    }

    private static List<Entry> readCifFile(Path file) {
        String stem = stem(file);
        String origin = file.toString();
        String text = readText(file);
        List<CifReader.Block> blocks;
        try {
            blocks = CifReader.readBlocks(text, origin);
        } catch (InvalidStructureException e) {
            return List.of(new Entry(stem, null, e.getMessage(), origin));
        }
        List<Entry> out = new ArrayList<>();
        for (CifReader.Block b : blocks) {
            String id = blocks.size() == 1 ? stem : stem + "#" + b.name();
            out.add(new Entry(id, b.structure(), b.error(), origin));
        }
        return out;
    }

    private static List<Entry> readCsv(Path file) {
        String text = readText(file);
        if (text.startsWith("\uFEFF")) text = text.substring(1); // byte-order mark from spreadsheet exports
        if (text.isBlank()) throw new InvalidInputException(file + ": empty file");
        CSVFormat fmt = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
                .setAllowMissingColumnNames(true).setIgnoreEmptyLines(true).build();
        List<Entry> out = new ArrayList<>();
        try (Reader r = new StringReader(text); CSVParser parser = fmt.parse(r)) {
            Map<String, Integer> header = parser.getHeaderMap();
            if (header == null || !header.containsKey("cif")) {
                throw new InvalidInputException(file + ": no 'cif' column (columns: "
                        + (header == null ? "none" : String.join(", ", header.keySet())) + ")");
            }
            String idColumn = header.containsKey("id") ? "id" : header.containsKey("material_id") ? "material_id" : null;
            int row = 0;
            for (CSVRecord rec : parser) {
                row++;
                String origin = file + " row " + row;
                if (!rec.isConsistent() && rec.size() <= header.get("cif")) {
                    out.add(new Entry(String.valueOf(row), null, origin + ": has " + rec.size()
                            + " fields, no 'cif' value (truncated row?)", origin));
                    continue;
                }
                String id = idColumn != null && rec.isSet(idColumn) && !rec.get(idColumn).isBlank()
                        ? rec.get(idColumn).trim() : String.valueOf(row);
                String where = origin + " (id " + id + ")";
                try {
                    Structure s = CifReader.readOne(rec.get("cif"), where);
                    out.add(new Entry(id, s, null, origin));
                } catch (InvalidStructureException e) {
                    out.add(new Entry(id, null, e.getMessage(), origin));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidInputException(file + ": not a readable CSV file (" + oneLine(e.getMessage()) + ")", e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Commons CSV reports malformed quoting and duplicate header names this way
            throw new InvalidInputException(file + ": malformed CSV (" + oneLine(e.getMessage()) + ")", e);
        }
        if (out.isEmpty()) throw new InvalidInputException(file + ": CSV has a header but no rows");
        return Collections.unmodifiableList(out);
    }

    /**
     * File text: UTF-8, or ISO-8859-1 when the bytes are not valid UTF-8 (older CIFs with accented author names).
     * Binary content survives the decoding as control characters, which the CIF reader rejects.
     */
    public static String readText(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + ": " + oneLine(e.getMessage()), e);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
