package org.concdvae.data;

import org.concdvae.config.Config;
import org.concdvae.io.CrystalCsv;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Element;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.NiggliReduction;
import org.concdvae.crystal.PrimitiveCell;
import org.concdvae.crystal.Structure;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.graph.GraphMethod;
import org.concdvae.graph.GraphMethods;
import org.concdvae.io.InvalidInputException;
import org.concdvae.util.Parallel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Turns CSV rows into {@link CrystalRecord}s as the official pipeline does (model.md §1, data_utils.process_one):
 * parse the CIF; optionally the primitive cell; Niggli reduction when {@code data.niggli}; rebuild the lattice from
 * its six parameters keeping fractional coordinates and species; read the cached properties; apply the row filters;
 * build the encoder graph with {@code data.graph_method}. A bad row becomes a {@link Rejection} (or, with
 * {@code strict}, an {@link InvalidInputException}); file-level problems always throw. Rows are processed in
 * parallel in chunks; output order is file order.
 */
public final class Preprocessor {
    private static final Logger log = LoggerFactory.getLogger(Preprocessor.class);
    private static final int CHUNK = 512;
    /**
     * Elements the model can embed, Z = 1..94 (the encoder's 95-row atom embedding; model.ConCdvae.VOCABULARY_MAX_Z,
     * which a test keeps equal): crystals with heavier elements are rejected here rather than failing in training.
     */
    public static final int VOCABULARY_MAX_Z = 94;

    /**
     * The crystals kept and the rows rejected from one file; {@code properties} names the records' property values
     * (the config's {@code data.prelo_prop}, or the file's numeric columns for {@link #asInFile}).
     */
    public record FileResult(Path file, int read, List<CrystalRecord> kept, List<Rejection> rejected, List<String> properties) {}

    /** Columns that are never properties: the structure, the id and an unnamed pandas index. */
    static final List<String> NOT_PROPERTIES = List.of("cif", "material_id", "", "Unnamed: 0");

    private final Config config;
    private final List<PropertySpec> props;
    private final GraphMethod graph;
    private final int threads;
    private final boolean strict;
    /** Keep every numeric column as it comes instead of the config's data.prelo_prop (see {@link #asInFile}). */
    private final boolean asInFile;

    public Preprocessor(Config config, int threads, boolean strict) {
        this(config, threads, strict, false);
    }

    /**
     * A preprocessor for {@code concdvae preprocess}: it keeps every column of the CSV that holds numbers (all but the
     * cif, id and index columns; text columns such as formulas are dropped) with its own name, a value that is empty or
     * not a number as NaN, and checks no property: the model config picks and checks its properties at training time
     * ({@link PropertySelection}). Only the structure settings of {@code config} (reduction, graph, filters) are used.
     */
    public static Preprocessor asInFile(Config config, int threads, boolean strict) {
        return new Preprocessor(config, threads, strict, true);
    }

    private Preprocessor(Config config, int threads, boolean strict, boolean asInFile) {
        this.asInFile = asInFile;
        this.config = config;
        this.props = asInFile ? List.of() : PropertySpec.of(config);
        this.graph = GraphMethods.create(config.data().graphMethod(),
                new GraphMethods.Params(config.model().encoder().cutoff(), config.model().encoder().maxNumNeighbors()));
        this.threads = threads;
        this.strict = strict;
    }

    /** Property names in record order ({@code data.prelo_prop}). */
    public List<String> propertyNames() {
        List<String> n = new ArrayList<>();
        for (PropertySpec p : props) n.add(p.name());
        return n;
    }

    /** Processes one CSV file; {@code onRow} is called once per row read (for progress). */
    public FileResult process(Path file, IntConsumer onRow) {
        List<CrystalRecord> kept = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        int read = 0;
        Columns cols;
        try (CrystalCsv csv = CrystalCsv.open(file)) {
            cols = columns(csv);
            String name = file.getFileName().toString();
            while (true) {
                List<CrystalCsv.Row> chunk = new ArrayList<>(CHUNK);
                CrystalCsv.Row r;
                while (chunk.size() < CHUNK && (r = csv.next()) != null) chunk.add(r);
                if (chunk.isEmpty()) break;
                Object[] out = new Object[chunk.size()];
                Parallel.forEach(chunk.size(), threads, i -> {
                    out[i] = processRow(name, chunk.get(i), cols);
                    if (onRow != null) onRow.accept(1);
                });
                for (Object o : out) {
                    if (o instanceof CrystalRecord c) {
                        kept.add(c);
                    } else {
                        Rejection rej = (Rejection) o;
                        if (strict) throw new InvalidInputException(rej.describe(file.toString()) + " (--strict)");
                        rejected.add(rej);
                    }
                }
                read += chunk.size();
            }
        }
        if (read == 0) throw new InvalidInputException(file + ": no data rows (only a header)");
        if (!asInFile) return new FileResult(file, read, kept, rejected, propertyNames());
        return numericOnly(new FileResult(file, read, kept, rejected, List.of(cols.column())));
    }

    /** Drops the columns without a single number among the kept rows (text columns such as formulas). */
    private static FileResult numericOnly(FileResult r) {
        int p = r.properties().size();
        List<Integer> keep = new ArrayList<>();
        for (int k = 0; k < p; k++) {
            for (CrystalRecord c : r.kept()) {
                if (!Double.isNaN(c.properties()[k])) {
                    keep.add(k);
                    break;
                }
            }
        }
        if (keep.size() == p) return r;
        List<String> names = new ArrayList<>();
        for (int k : keep) names.add(r.properties().get(k));
        List<CrystalRecord> out = new ArrayList<>(r.kept().size());
        for (CrystalRecord c : r.kept()) {
            double[] v = new double[keep.size()];
            for (int i = 0; i < v.length; i++) v[i] = c.properties()[keep.get(i)];
            out.add(c.withProperties(v));
        }
        return new FileResult(r.file(), r.read(), out, r.rejected(), names);
    }

    /** Which column feeds each property (null: derived or absent), and the property specs of this file. */
    private record Columns(String[] column, boolean[] derived, String spaceGroupColumn, List<PropertySpec> props) {}

    private Columns columns(CrystalCsv csv) {
        String sg = null;
        for (String c : PropertySpec.SPACE_GROUP_COLUMNS) if (sg == null && csv.hasColumn(c)) sg = c;
        List<PropertySpec> props = this.props;
        if (asInFile) {
            List<PropertySpec> all = new ArrayList<>();
            for (String c : csv.header()) if (!NOT_PROPERTIES.contains(c)) all.add(new PropertySpec(c, 0, false));
            props = all;
        }
        String[] col = new String[props.size()];
        boolean[] der = new boolean[props.size()];
        for (int k = 0; k < props.size(); k++) {
            PropertySpec p = props.get(k);
            if (csv.hasColumn(p.name())) {
                col[k] = p.name();
            } else if (!asInFile && p.derivable() && (p.name().equals("n_atom") || sg != null)) {
                der[k] = true;
            } else if (p.required()) {
                throw new InvalidInputException(csv.file() + ": no column '" + p.name() + "' for property data.prop "
                        + p.name() + (p.derivable() ? " (and no space-group column to derive it from)" : ""));
            } else {
                log.warn("{}: no column '{}' (data.prelo_prop); the value is stored as NaN", csv.file(), p.name());
            }
        }
        Config.Filter f = config.data().filter();
        if (f.maxEAboveHull() != null && !csv.hasColumn("e_above_hull")) {
            throw new InvalidInputException(csv.file() + ": data.filter.max_e_above_hull needs an 'e_above_hull' column");
        }
        if (f.maxBandGap() != null && !csv.hasColumn("band_gap")) {
            throw new InvalidInputException(csv.file() + ": data.filter.max_band_gap needs a 'band_gap' column");
        }
        return new Columns(col, der, sg, props);
    }

    /** One row: a CrystalRecord or a Rejection. Never throws for bad data. */
    private Object processRow(String file, CrystalCsv.Row row, Columns cols) {
        String id = row.id() == null ? "" : row.id();
        try {
            if (row.cif() == null || row.cif().isBlank()) return reject(file, row, "bad_cif: empty cif field");
            Structure s;
            try {
                s = CifReader.readOne(row.cif(), file + " row " + row.row());
            } catch (RuntimeException e) {
                return reject(file, row, "bad_cif: " + message(e));
            }
            for (int z : s.atomicNumbers()) {
                if (z > VOCABULARY_MAX_Z) {
                    return reject(file, row, "unsupported_element: " + Element.of(z).symbol() + " (Z = " + z
                            + ") is outside the model's element vocabulary Z = 1.." + VOCABULARY_MAX_Z);
                }
            }
            // properties
            List<PropertySpec> props = cols.props();
            double[] values = new double[props.size()];
            for (int k = 0; k < props.size(); k++) {
                PropertySpec p = props.get(k);
                double v;
                if (asInFile) {
                    Double x = number(row.get(cols.column()[k]));   // as it comes: the model config checks what it uses
                    v = x == null ? Double.NaN : x;
                } else if (cols.column()[k] != null) {
                    String text = row.get(cols.column()[k]);
                    if (text == null || text.isBlank()) return reject(file, row, "bad_property: " + p.name() + " is empty");
                    try {
                        v = Double.parseDouble(text.trim());
                    } catch (NumberFormatException e) {
                        return reject(file, row, "bad_property: " + p.name() + " = '" + abbreviate(text) + "' is not a number");
                    }
                    if (!Double.isFinite(v)) return reject(file, row, "bad_property: " + p.name() + " is " + text.trim());
                } else if (cols.derived()[k]) {
                    Object d = derive(p, s, row, cols);
                    if (d instanceof String why) return reject(file, row, why);
                    v = (Double) d;
                } else {
                    v = Double.NaN;
                }
                if (p.categorical() && !Double.isNaN(v) && (v != Math.rint(v) || v < 0 || v >= p.numClasses())) {
                    return reject(file, row, "bad_property: " + p.name() + " = " + v + " is not a class in 0.." + (p.numClasses() - 1));
                }
                values[k] = v;
            }
            // filters (paper §4.1 and max_atoms)
            Config.Filter f = config.data().filter();
            if (f.maxAtoms() != null && s.size() > f.maxAtoms()) {
                return reject(file, row, "too_many_atoms: " + s.size() + " sites > " + f.maxAtoms());
            }
            if (f.minNumberDensity() != null && !(s.size() / s.volume() > f.minNumberDensity())) {
                return reject(file, row, String.format(Locale.ROOT, "low_density: %.5f atoms/Å^3 <= %s", s.size() / s.volume(), f.minNumberDensity()));
            }
            if (f.maxEAboveHull() != null) {
                Double e = number(row.get("e_above_hull"));
                if (e == null) return reject(file, row, "bad_property: e_above_hull is not a number");
                if (!(e < f.maxEAboveHull())) return reject(file, row, "e_above_hull: " + e + " >= " + f.maxEAboveHull());
            }
            if (f.maxBandGap() != null) {
                Double g = number(row.get("band_gap"));
                if (g == null) return reject(file, row, "bad_property: band_gap is not a number");
                if (!(g < f.maxBandGap())) return reject(file, row, "band_gap: " + g + " >= " + f.maxBandGap());
            }
            Structure c;
            try {
                c = canonical(s);
            } catch (RuntimeException e) {
                return reject(file, row, "reduction_failed: " + message(e));
            }
            CrystalGraph g;
            try {
                g = graph.build(c);
            } catch (RuntimeException e) {
                return reject(file, row, "graph_failed: " + message(e));
            }
            double[] frac = new double[3 * c.size()];
            for (int i = 0; i < c.size(); i++) System.arraycopy(c.fracCoord(i), 0, frac, 3 * i, 3);
            double[] p = c.lattice().parameters();
            return new CrystalRecord(id, file, row.row(), c.atomicNumbers(), frac, new double[]{p[0], p[1], p[2]},
                    new double[]{p[3], p[4], p[5]}, values, g.source(), g.target(), g.images());
        } catch (RuntimeException e) {
            return reject(file, row, "error: " + message(e));
        }
    }

    /**
     * The crystal the model sees (model.md §1 steps 1–2): optional primitive cell, optional Niggli reduction, then
     * the lattice rebuilt from its six parameters with the fractional coordinates kept.
     */
    public Structure canonical(Structure s) {
        Structure r = s;
        if (config.data().primitive()) r = PrimitiveCell.find(r);
        if (config.data().niggli()) r = NiggliReduction.reducedStructure(r);
        double[] p = r.lattice().parameters();
        return r.withLatticeKeepingFractional(Lattice.fromParameters(p[0], p[1], p[2], p[3], p[4], p[5]));
    }

    private static Object derive(PropertySpec p, Structure s, CrystalCsv.Row row, Columns cols) {
        if (p.name().equals("n_atom")) return (double) s.size();
        String text = row.get(cols.spaceGroupColumn());
        Double sg = number(text);
        if (sg == null || sg != Math.rint(sg) || sg < 1 || sg > 230) {
            return "bad_property: " + cols.spaceGroupColumn() + " = '" + abbreviate(text == null ? "" : text) + "' is not a space-group number";
        }
        return p.name().equals("spacegroup") ? sg : (double) CrystalSystem.code(sg.intValue());
    }

    private static Double number(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            double v = Double.parseDouble(text.trim());
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Rejection reject(String file, CrystalCsv.Row row, String reason) {
        return new Rejection(file, row.row(), row.id() == null ? "" : row.id(), reason.replace('\n', ' ').replace('\r', ' '));
    }

    private static String message(RuntimeException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static String abbreviate(String s) {
        s = s.replace('\n', ' ').trim();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
