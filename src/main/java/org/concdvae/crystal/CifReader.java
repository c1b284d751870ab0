package org.concdvae.crystal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads crystal structures from CIF text the way pymatgen 2022.11.7's {@code CifParser} (defaults,
 * {@code primitive=False}) does, for ordered crystals:
 * <ul>
 *   <li>fractional coordinates within relative 1e-4 of 1/3 or 2/3 become exactly 1/3 or 2/3;</li>
 *   <li>numbers may carry uncertainties, {@code 1.234(5)};</li>
 *   <li>the asymmetric unit is expanded with the listed symmetry operations, images wrapped with {@code x - floor(x)}
 *       and merged when every fractional component agrees within 1e-4 (periodically);</li>
 *   <li>the sites come out sorted stably by (Pauling electronegativity, symbol), pymatgen's
 *       {@code get_sorted_structure()} order, which the graph oracles depend on.</li>
 * </ul>
 * Partial occupancy, mixed or duplicate sites, missing or impossible cells, unreadable numbers and unknown elements
 * are rejected with a one-line {@link InvalidStructureException} naming the source, block and line.
 */
public final class CifReader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CifReader.class);
    /** pymatgen CifParser {@code site_tolerance}: fractional distance under which two positions coincide. */
    public static final double SITE_TOLERANCE = 1e-4;
    /** Relative distance to 1/3 or 2/3 under which a coordinate is snapped (pymatgen {@code _sanitize_data}). */
    public static final double THIRDS_TOLERANCE = 1e-4;
    /** An occupancy counts as full when within this of 1 (ordered crystals only). */
    public static final double OCCUPANCY_TOLERANCE = 1e-4;
    /** Smallest accepted cell volume, Å³. */
    public static final double MIN_VOLUME = 1e-6;

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern UNCERTAINTY = Pattern.compile("\\(\\d*\\)?$");
    private static final String[] SYMOP_TAGS = {"_symmetry_equiv_pos_as_xyz", "_space_group_symop_operation_xyz"};
    private static final String[] SPACE_GROUP_TAGS = {"_space_group_name_h-m_alt", "_symmetry_space_group_name_h-m",
            "_symmetry_space_group_name_h_m", "_space_group_name_h-m"};
    private static final String[] HALL_TAGS = {"_space_group_name_hall", "_symmetry_space_group_name_hall"};
    private static final String[] SPACE_GROUP_NUMBER_TAGS = {"_space_group_it_number", "_symmetry_int_tables_number"};

    private CifReader() {}

    /**
     * All structures in the text, one per {@code data_} block that describes a crystal. Blocks with neither a cell
     * nor atom sites (e.g. a {@code data_global} block with publication data) are skipped. The first bad block
     * aborts with its error; use {@link #readBlocks} to keep the good blocks of a partly bad file.
     *
     * @param sourceName names the input in error messages (a file name, or "file.csv row 12")
     */
    public static List<Structure> readAll(String text, String sourceName) {
        List<Structure> out = new ArrayList<>();
        for (Block b : readBlocks(text, sourceName)) {
            if (b.error() != null) throw new InvalidStructureException(b.error());
            out.add(b.structure());
        }
        return out;
    }

    /** One crystal block of a CIF: its name and either the structure or the one-line reason it was rejected. */
    public record Block(String name, Structure structure, String error) {
        public boolean ok() { return error == null; }
    }

    /**
     * Every crystal block with its own outcome. Problems of the file as a whole (empty, binary, CIF syntax, no
     * crystal block at all) are thrown as {@link InvalidStructureException}.
     */
    public static List<Block> readBlocks(String text, String sourceName) {
        String where = sourceName == null || sourceName.isBlank() ? "CIF" : sourceName;
        checkText(text, where);
        List<CifSyntax.Block> blocks = CifSyntax.parse(text, where);
        if (blocks.isEmpty()) throw new InvalidStructureException(where + ": no data_ block found (not a CIF file?)");
        List<Block> out = new ArrayList<>();
        for (CifSyntax.Block b : blocks) {
            if (b.syntaxError != null) {
                if (describesCrystal(b)) {
                    out.add(new Block(b.name, null, b.syntaxError));
                } else {
                    // e.g. a powder-pattern block with a broken loop: nothing of the crystal is lost
                    LOG.warn("{}: skipped block '{}', which has no cell or atom sites and is malformed: {}", where,
                            b.name, b.syntaxError);
                }
                continue;
            }
            if (!describesCrystal(b)) continue;
            try {
                out.add(new Block(b.name, toStructure(b, where), null));
            } catch (InvalidStructureException e) {
                out.add(new Block(b.name, null, e.getMessage()));
            }
        }
        if (out.isEmpty()) {
            CifSyntax.Block b = blocks.get(0);
            throw new InvalidStructureException(where + ", block '" + b.name + "', line " + b.line
                    + ": no cell and no _atom_site loop (no crystal structure in this CIF)");
        }
        return out;
    }

    /** The structure of the first block that describes a crystal. */
    public static Structure readOne(String text, String sourceName) {
        return readAll(text, sourceName).get(0);
    }

    private static boolean describesCrystal(CifSyntax.Block b) {
        if (b.skippedCrystalTags) return true;
        for (String tag : b.columns.keySet()) if (CifSyntax.isCrystalTag(tag)) return true;
        return false;
    }

    private static void checkText(String text, String where) {
        if (text == null || text.isBlank()) throw new InvalidStructureException(where + ": empty CIF input");
        int control = 0;
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') line++;
            if (c == 0 || c == '\uFFFD') {
                throw new InvalidStructureException(where + ", line " + line
                        + ": binary or non-text content (not a CIF file)");
            }
            if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') || c == 0x7F) control++;
        }
        if (control > 0 && control * 100 > text.length()) {
            throw new InvalidStructureException(where + ": binary or non-text content (" + control
                    + " control characters; not a CIF file)");
        }
    }

    private static Structure toStructure(CifSyntax.Block b, String src) {
        String where = src + ", block '" + b.name + "'";
        refuseSuperspace(b, where);
        Lattice lattice = lattice(b, where);
        List<SymmetryOperation> ops = symmetryOperations(b, lattice, where);

        CifSyntax.Column xs = b.get("_atom_site_fract_x");
        if (xs == null) {
            if (b.has("_atom_site_cartn_x")) {
                throw new InvalidStructureException(where + ", line " + b.get("_atom_site_cartn_x").line()
                        + ": only Cartesian atom sites (_atom_site_Cartn_x); fractional coordinates are required");
            }
            throw new InvalidStructureException(where + ", line " + b.line
                    + ": no _atom_site_fract_x/y/z loop (no atoms)");
        }
        CifSyntax.Column ys = required(b, "_atom_site_fract_y", where);
        CifSyntax.Column zs = required(b, "_atom_site_fract_z", where);
        CifSyntax.Column types = b.get("_atom_site_type_symbol");
        CifSyntax.Column labels = b.get("_atom_site_label");
        CifSyntax.Column occs = b.get("_atom_site_occupancy");
        CifSyntax.Column hydrogens = b.get("_atom_site_attached_hydrogens");
        if (types == null && labels == null) {
            throw new InvalidStructureException(where + ", line " + xs.line()
                    + ": atom sites have neither _atom_site_type_symbol nor _atom_site_label");
        }
        int rows = xs.values().size();
        for (CifSyntax.Column c : new CifSyntax.Column[]{ys, zs, types, labels, occs, hydrogens}) {
            if (c != null && c.values().size() != rows) {
                throw new InvalidStructureException(where + ", line " + c.line() + ": " + c.tag() + " has "
                        + c.values().size() + " values but _atom_site_fract_x has " + rows);
            }
        }

        // rows of the asymmetric unit (pymatgen: coord_to_species), skipping zero-occupancy sites as pymatgen does
        List<Row> asym = new ArrayList<>();
        PeriodicGrid<Row> seenRows = new PeriodicGrid<>();
        for (int r = 0; r < rows; r++) {
            CifSyntax.Value xv = xs.values().get(r);
            String label = labels != null ? labels.values().get(r).text() : types.values().get(r).text();
            String at = where + ", line " + xv.line() + ", atom site '" + CifSyntax.abbreviate(label) + "'";
            int z = types != null ? element(types.values().get(r), true, at) : element(labels.values().get(r), false, at);
            if (hydrogens != null && !hydrogens.values().get(r).isPlaceholder()
                    && number(hydrogens.values().get(r), "_atom_site_attached_hydrogens", at) != 0) {
                throw new InvalidStructureException(at + ": " + hydrogens.values().get(r).text()
                        + " implicit hydrogen atoms (_atom_site_attached_hydrogens) that are not in the atom list");
            }
            double occ = 1.0;
            if (occs != null && !occs.values().get(r).isPlaceholder()) {
                occ = number(occs.values().get(r), "occupancy", at);
                if (occ < 0) throw new InvalidStructureException(at + ": negative occupancy " + occ);
                if (occ == 0) continue;
                if (occ < 1 - OCCUPANCY_TOLERANCE) {
                    throw new InvalidStructureException(at + ": partial occupancy " + occs.values().get(r).text()
                            + " (only ordered, fully occupied sites are supported)");
                }
                if (occ > 1 + OCCUPANCY_TOLERANCE) {
                    throw new InvalidStructureException(at + ": occupancy " + occs.values().get(r).text() + " exceeds 1");
                }
            }
            double[] f = {coordinate(xv, "x", at), coordinate(ys.values().get(r), "y", at),
                    coordinate(zs.values().get(r), "z", at)};
            // pymatgen get_matching_coord: a row on (a symmetry image of) an earlier row's position merges with it,
            // which for an ordered crystal means a duplicate or mixed-species site
            for (SymmetryOperation op : ops) {
                Row prev = seenRows.find(op.apply(f));
                if (prev != null) {
                    throw new InvalidStructureException(at + ": same position as atom site '"
                            + CifSyntax.abbreviate(prev.label) + "' (line " + prev.line
                            + "): duplicate or mixed-species site");
                }
            }
            Row row = new Row(z, f, label, xv.line());
            asym.add(row);
            seenRows.add(f, row);
        }
        if (asym.isEmpty()) {
            throw new InvalidStructureException(where + ", line " + xs.line() + ": no atoms (the atom site loop is empty"
                    + (rows > 0 ? " or every occupancy is 0)" : ")"));
        }

        // expand each species' rows with the symmetry operations (pymatgen _unique_coords; species groups in its
        // Composition order, i.e. descending element order), then sort stably as Structure.get_sorted_structure does
        List<Integer> speciesOrder = new ArrayList<>();
        for (Row r : asym) if (!speciesOrder.contains(r.z)) speciesOrder.add(r.z);
        speciesOrder.sort(Composition.ELECTRONEGATIVITY_ORDER.reversed());
        List<double[]> coords = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        for (int z : speciesOrder) {
            List<double[]> group = new ArrayList<>();
            PeriodicGrid<double[]> seen = new PeriodicGrid<>();
            for (Row r : asym) {
                if (r.z != z) continue;
                for (SymmetryOperation op : ops) {
                    double[] c = op.apply(r.frac);
                    for (int k = 0; k < 3; k++) c[k] = c[k] - Math.floor(c[k]);
                    if (seen.find(c) == null) {
                        group.add(c);
                        seen.add(c, c);
                    }
                }
            }
            for (double[] c : group) {
                coords.add(c);
                numbers.add(z);
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < numbers.size(); i++) order.add(i);
        PythonSort.sort(order, (i, j) -> siteLess(numbers.get(i), numbers.get(j)),
                Comparator.comparing(numbers::get, Composition.ELECTRONEGATIVITY_ORDER));
        int[] zarr = new int[order.size()];
        double[][] farr = new double[order.size()][];
        for (int k = 0; k < order.size(); k++) {
            zarr[k] = numbers.get(order.get(k));
            farr[k] = coords.get(order.get(k));
        }
        return new Structure(lattice, zarr, farr);
    }

    /** pymatgen Site.__lt__: by electronegativity when the values differ (false whenever one is NaN), else by symbol. */
    private static boolean siteLess(int za, int zb) {
        double x1 = Element.of(za).electronegativity(), x2 = Element.of(zb).electronegativity();
        if (x1 != x2) return x1 < x2;
        return Element.of(za).symbol().compareTo(Element.of(zb).symbol()) < 0;
    }

    private record Row(int z, double[] frac, String label, int line) {}

    /**
     * Positions bucketed on a periodic 1024³ grid of the unit cell, so "is there a stored position within
     * {@link #SITE_TOLERANCE}" looks at 27 buckets instead of every site (large P1 cells stay linear).
     */
    private static final class PeriodicGrid<T> {
        private static final int G = 1024; // bucket width 1/1024 > 2 × SITE_TOLERANCE
        private final java.util.HashMap<Long, List<Object[]>> buckets = new java.util.HashMap<>();

        private static int cell(double x) {
            double w = x - Math.floor(x);
            int c = (int) (w * G);
            return c >= G ? G - 1 : c;
        }

        private static long key(int i, int j, int k) {
            return ((long) Math.floorMod(i, G) * G + Math.floorMod(j, G)) * G + Math.floorMod(k, G);
        }

        void add(double[] f, T payload) {
            buckets.computeIfAbsent(key(cell(f[0]), cell(f[1]), cell(f[2])), q -> new ArrayList<>())
                    .add(new Object[]{f, payload});
        }

        @SuppressWarnings("unchecked")
        T find(double[] f) {
            int ci = cell(f[0]), cj = cell(f[1]), ck = cell(f[2]);
            for (int di = -1; di <= 1; di++) {
                for (int dj = -1; dj <= 1; dj++) {
                    for (int dk = -1; dk <= 1; dk++) {
                        List<Object[]> b = buckets.get(key(ci + di, cj + dj, ck + dk));
                        if (b == null) continue;
                        for (Object[] e : b) if (samePeriodic((double[]) e[0], f)) return (T) e[1];
                    }
                }
            }
            return null;
        }
    }

    /** pymatgen find_in_coord_list_pbc: every component of the difference, minus its nearest integer, below tol. */
    private static boolean samePeriodic(double[] a, double[] b) {
        for (int k = 0; k < 3; k++) {
            double d = a[k] - b[k];
            d -= Math.rint(d);
            if (!(Math.abs(d) < SITE_TOLERANCE)) return false;
        }
        return true;
    }

    private static CifSyntax.Column required(CifSyntax.Block b, String tag, String where) {
        CifSyntax.Column c = b.get(tag);
        if (c == null) throw new InvalidStructureException(where + ": missing " + tag);
        return c;
    }

    private static Lattice lattice(CifSyntax.Block b, String where) {
        String[] names = {"a", "b", "c", "alpha", "beta", "gamma"};
        double[] p = new double[6];
        for (int k = 0; k < 6; k++) {
            String tag = (k < 3 ? "_cell_length_" : "_cell_angle_") + names[k];
            CifSyntax.Value v = b.first(tag);
            if (v == null || v.isPlaceholder()) {
                throw new InvalidStructureException(where + ", line " + b.line + ": missing cell parameter " + tag);
            }
            p[k] = number(v, tag, where + ", line " + v.line());
            if (k < 3 && !(p[k] > 0)) {
                throw new InvalidStructureException(where + ", line " + v.line() + ": cell length " + names[k] + " = "
                        + v.text() + " must be positive");
            }
            if (k >= 3 && !(p[k] > 0 && p[k] < 180)) {
                throw new InvalidStructureException(where + ", line " + v.line() + ": cell angle " + names[k] + " = "
                        + v.text() + " must lie strictly between 0 and 180 degrees");
            }
        }
        double ca = Math.cos(Math.toRadians(p[3])), cb = Math.cos(Math.toRadians(p[4])), cg = Math.cos(Math.toRadians(p[5]));
        double factor = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg;
        double volume = p[0] * p[1] * p[2] * Math.sqrt(Math.max(factor, 0));
        // factor = (V / abc)²; below 1e-12 the three axes are coplanar to within ~1e-4 degrees
        if (!(factor > 1e-12) || !(volume > MIN_VOLUME)) {
            throw new InvalidStructureException(String.format(Locale.ROOT,
                    "%s, line %d: cell angles alpha=%s beta=%s gamma=%s with lengths %s %s %s give %s volume",
                    where, b.line, fmt(p[3]), fmt(p[4]), fmt(p[5]), fmt(p[0]), fmt(p[1]), fmt(p[2]),
                    factor < -1e-12 ? "an impossible (negative squared)" : "zero"));
        }
        Lattice lat = Lattice.fromParameters(p[0], p[1], p[2], p[3], p[4], p[5]);
        if (!(lat.volume() > MIN_VOLUME)) {
            throw new InvalidStructureException(where + ", line " + b.line + ": cell has zero volume");
        }
        return lat;
    }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.6g", v); }

    /**
     * Tag prefixes of modulated (superspace) structures: cell wave vectors, superspace groups and Fourier terms of
     * the atom sites. Reading such a block as a plain crystal would give the average structure without saying so.
     */
    private static final String[] SUPERSPACE_TAGS = {"_cell_modulation_dimension", "_cell_wave_vector",
            "_cell_subsystem", "_space_group_ssg", "_space_group_symop_ssg", "_space_group_symop_magn_ssg",
            "_atom_site_fourier", "_atom_site_displace_fourier", "_atom_site_occ_fourier",
            "_atom_site_moment_fourier", "_atom_site_displace_special_func", "_atom_site_occ_special_func"};

    private static void refuseSuperspace(CifSyntax.Block b, String where) {
        for (CifSyntax.Column c : b.columns.values()) {
            for (String prefix : SUPERSPACE_TAGS) {
                if (!c.tag().startsWith(prefix)) continue;
                if (c.tag().equals("_cell_modulation_dimension") && !c.values().isEmpty()
                        && c.values().get(0).text().trim().equals("0")) {
                    continue;
                }
                throw new InvalidStructureException(where + ", line " + c.line() + ": incommensurate (superspace) "
                        + "structure (" + c.tag() + "); modulated structures are not supported");
            }
        }
    }

    private static final String[] MAGNETIC_OPERATION_TAGS = {"_space_group_symop_magn_operation_xyz"};
    private static final String[] MAGNETIC_CENTERING_TAGS = {"_space_group_symop_magn_centering_xyz"};
    private static final String[] MAGNETIC_GROUP_TAGS = {"_space_group_magn_name_bns", "_space_group_magn_number_bns",
            "_space_group_magn_name_og", "_space_group_magn_number_og"};

    private static List<SymmetryOperation> symmetryOperations(CifSyntax.Block b, Lattice lattice, String where) {
        CifSyntax.Column magn = firstColumn(b, MAGNETIC_OPERATION_TAGS);
        if (magn != null) {
            // magCIF: spatial parts of the operations times the centring translations, as pymatgen combines them
            List<SymmetryOperation> ops = magneticOperations(magn, where);
            CifSyntax.Column centring = firstColumn(b, MAGNETIC_CENTERING_TAGS);
            if (centring == null) return ops;
            List<SymmetryOperation> centrings = magneticOperations(centring, where);
            List<SymmetryOperation> all = new ArrayList<>();
            for (SymmetryOperation op : ops) {
                for (SymmetryOperation c : centrings) {
                    double[] t = op.translation();
                    double[] ct = c.translation();
                    double[][] r = op.rotation();
                    double[][] cr = c.rotation();
                    // x -> R_op x + t_op + t_c; a centring operation is a pure translation
                    if (!java.util.Arrays.deepEquals(cr, SymmetryOperation.IDENTITY.rotation())) {
                        throw new InvalidStructureException(where + ", line " + centring.line()
                                + ": magnetic centring operation with a rotation part is not a centring translation");
                    }
                    for (int k = 0; k < 3; k++) t[k] = t[k] + ct[k] - Math.floor(t[k] + ct[k]);
                    all.add(new SymmetryOperation(r, t));
                }
            }
            return all;
        }
        for (String tag : MAGNETIC_GROUP_TAGS) {
            CifSyntax.Value v = b.first(tag);
            if (v != null && !v.isPlaceholder()) {
                throw new InvalidStructureException(where + ", line " + v.line() + ": magnetic space group "
                        + CifSyntax.abbreviate(v.text()) + " without _space_group_symop_magn_operation.xyz operations"
                        + " (magnetic groups by name or number alone are not supported)");
            }
        }
        for (String tag : SYMOP_TAGS) {
            CifSyntax.Column c = b.get(tag);
            if (c == null || c.values().isEmpty()) continue;
            List<SymmetryOperation> ops = new ArrayList<>();
            for (CifSyntax.Value v : c.values()) {
                try {
                    ops.add(SymmetryOperation.parse(v.text()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidStructureException(where + ", line " + v.line() + ": bad symmetry operation '"
                            + CifSyntax.abbreviate(v.text()) + "' (" + e.getMessage() + ")");
                }
            }
            return ops;
        }
        return operationsFromSpaceGroup(b, lattice, where);
    }

    private static CifSyntax.Column firstColumn(CifSyntax.Block b, String[] tags) {
        for (String tag : tags) {
            CifSyntax.Column c = b.get(tag);
            if (c != null && !c.values().isEmpty()) return c;
        }
        return null;
    }

    /** magCIF operations {@code x,y,z,+1}: the spatial part; the time-reversal sign must be +1 or -1 and is dropped. */
    private static List<SymmetryOperation> magneticOperations(CifSyntax.Column c, String where) {
        List<SymmetryOperation> ops = new ArrayList<>();
        for (CifSyntax.Value v : c.values()) {
            String text = v.text().trim();
            int comma = text.lastIndexOf(',');
            String spatial = text;
            if (text.split(",").length == 4) {
                String tr = text.substring(comma + 1).trim();
                if (!tr.matches("[+-]?1")) {
                    throw new InvalidStructureException(where + ", line " + v.line() + ": bad magnetic symmetry operation '"
                            + CifSyntax.abbreviate(text) + "' (time reversal must be +1 or -1)");
                }
                spatial = text.substring(0, comma);
            }
            try {
                ops.add(SymmetryOperation.parse(spatial));
            } catch (IllegalArgumentException e) {
                throw new InvalidStructureException(where + ", line " + v.line() + ": bad magnetic symmetry operation '"
                        + CifSyntax.abbreviate(text) + "' (" + e.getMessage() + ")");
            }
        }
        return ops;
    }

    /**
     * No operation loop: the operations of the space group the block names (Hall symbol, then Hermann-Mauguin symbol,
     * then number; they must agree), or P1 when it names none, as pymatgen defaults.
     */
    private static List<SymmetryOperation> operationsFromSpaceGroup(CifSyntax.Block b, Lattice lattice, String where) {
        SpaceGroupSymbols.Resolved sg = null;
        String from = null;
        for (String tag : HALL_TAGS) {
            CifSyntax.Value v = b.first(tag);
            if (v == null || v.isPlaceholder() || sg != null) continue;
            sg = resolve(() -> SpaceGroupSymbols.fromHall(v.text(), lattice), "Hall symbol", v, where);
            from = "Hall symbol '" + v.text().trim() + "'";
        }
        for (String tag : SPACE_GROUP_TAGS) {
            CifSyntax.Value v = b.first(tag);
            if (v == null || v.isPlaceholder()) continue;
            SpaceGroupSymbols.Resolved r = resolve(() -> SpaceGroupSymbols.fromHermannMauguin(v.text(), lattice),
                    "space group", v, where);
            if (sg == null) {
                sg = r;
                from = "space group '" + v.text().trim() + "'";
            } else if (sg.number() != r.number()) {
                throw new InvalidStructureException(where + ", line " + v.line() + ": space group '"
                        + CifSyntax.abbreviate(v.text()) + "' (No. " + r.number() + ") contradicts " + from
                        + " (No. " + sg.number() + ")");
            }
        }
        for (String tag : SPACE_GROUP_NUMBER_TAGS) {
            CifSyntax.Value v = b.first(tag);
            if (v == null || v.isPlaceholder()) continue;
            int n;
            try {
                n = Integer.parseInt(v.text().trim());
            } catch (NumberFormatException e) {
                throw new InvalidStructureException(where + ", line " + v.line() + ": space group number '"
                        + CifSyntax.abbreviate(v.text()) + "' is not an integer");
            }
            if (sg == null) {
                sg = resolve(() -> SpaceGroupSymbols.fromNumber(n, lattice), "space group number", v, where);
                from = "space group number " + n;
            } else if (sg.number() != n) {
                throw new InvalidStructureException(where + ", line " + v.line() + ": space group number " + n
                        + " contradicts " + from + " (No. " + sg.number() + ")");
            }
        }
        if (sg == null) return List.of(SymmetryOperation.IDENTITY);
        if (sg.number() > 1) LOG.debug("{}: no operation loop; operations of {}", where, sg.describe());
        return sg.operations();
    }

    private static SpaceGroupSymbols.Resolved resolve(java.util.function.Supplier<SpaceGroupSymbols.Resolved> f,
                                                      String what, CifSyntax.Value v, String where) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidStructureException(where + ", line " + v.line() + ": " + what + " '"
                    + CifSyntax.abbreviate(v.text()) + "' (no operation loop): " + e.getMessage());
        }
    }

    /** A CIF number: optional trailing standard uncertainty in parentheses, e.g. {@code 5.4307(2)}. */
    static double parseNumber(String text) {
        String s = UNCERTAINTY.matcher(text.trim()).replaceFirst("");
        if (!NUMBER.matcher(s).matches()) throw new NumberFormatException(text);
        return Double.parseDouble(s);
    }

    private static double number(CifSyntax.Value v, String what, String at) {
        try {
            double x = parseNumber(v.text());
            if (!Double.isFinite(x)) {
                throw new InvalidStructureException(at + ": " + what + " '" + CifSyntax.abbreviate(v.text())
                        + "' is out of range");
            }
            return x;
        } catch (NumberFormatException e) {
            throw new InvalidStructureException(at + ": " + what + " '" + CifSyntax.abbreviate(v.text())
                    + "' is not a number");
        }
    }

    private static double coordinate(CifSyntax.Value v, String axis, String at) {
        if (!v.quoted() && v.text().equals(".")) return 0; // pymatgen str2float: '.' (inapplicable) reads as 0
        if (v.isPlaceholder()) {
            throw new InvalidStructureException(at + ": fractional coordinate " + axis + " is missing ('" + v.text() + "')");
        }
        double f = number(v, "fractional coordinate " + axis, at);
        // pymatgen CifParser._sanitize_data: finite-precision thirds become exact
        if (Math.abs(1 - f / (1.0 / 3.0)) < THIRDS_TOLERANCE) f = 1.0 / 3.0;
        if (Math.abs(1 - f / (2.0 / 3.0)) < THIRDS_TOLERANCE) f = 2.0 / 3.0;
        return f;
    }

    /**
     * The element of an atom site, from its type symbol (e.g. {@code Fe}, {@code Fe2+}, {@code O2-}, {@code CA}) or,
     * without one, from its label ({@code Fe1}, {@code O2a}, {@code Ca}). pymatgen's rules: a few special labels first
     * ({@code Wat}/{@code wat} water and {@code Ow} water oxygen give O, {@code Hw} gives H), then the first two
     * letters if they form an element, else the first letter. Where pymatgen guesses, this is an error naming the
     * label: a label whose first two letters read either way because the second is upper case ({@code CA1}: Ca or C?),
     * group labels ({@code OH}, {@code OH2}, {@code NO3}, which pymatgen drops or reads as N alone) and {@code T}
     * (tritium or a zeolite's tetrahedral site?). Deuterium {@code D} is hydrogen (pymatgen: a dummy species).
     */
    static int element(CifSyntax.Value v, boolean typeSymbol, String at) {
        String s = v.text().trim();
        String what = typeSymbol ? "type symbol" : "label";
        if (v.isPlaceholder() || s.isEmpty()) {
            throw new InvalidStructureException(at + ": " + what + " '" + s + "' names no element");
        }
        if (s.startsWith("OH") || s.startsWith("NO3")) {
            throw new InvalidStructureException(at + ": " + what + " '" + CifSyntax.abbreviate(s)
                    + "' names a group of atoms, not one element (give _atom_site_type_symbol)");
        }
        if (s.startsWith("Wat") || s.startsWith("wat") || s.startsWith("Ow")) return 8;
        if (s.startsWith("Hw")) return 1;
        boolean twoLetters = s.length() >= 2 && Character.isLetter(s.charAt(0)) && Character.isLetter(s.charAt(1));
        if (twoLetters) {
            String two = title(s.substring(0, 2));
            if (Element.isSymbol(two)) {
                String one = s.substring(0, 1).toUpperCase(Locale.ROOT);
                if (!typeSymbol && Character.isUpperCase(s.charAt(1)) && Element.isSymbol(one)) {
                    throw new InvalidStructureException(at + ": ambiguous label '" + CifSyntax.abbreviate(s) + "' ("
                            + two + " or " + one + "?); give _atom_site_type_symbol");
                }
                return Element.fromSymbol(two).z();
            }
        }
        if (!s.isEmpty() && Character.isLetter(s.charAt(0))) {
            String one = s.substring(0, 1).toUpperCase(Locale.ROOT);
            if (one.equals("D")) return 1;
            if (one.equals("T")) {
                throw new InvalidStructureException(at + ": ambiguous " + what + " '" + CifSyntax.abbreviate(s)
                        + "' (tritium or a tetrahedral site?); give the element in _atom_site_type_symbol");
            }
            if (Element.isSymbol(one)) return Element.fromSymbol(one).z();
        }
        throw new InvalidStructureException(at + ": unknown element " + (typeSymbol ? "" : "in label ") + "'"
                + CifSyntax.abbreviate(s) + "'");
    }

    private static String title(String s) {
        return s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
    }
}
