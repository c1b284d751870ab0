package org.concdvae.analysis.symmetry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The 530 Hall settings of the 230 space-group types (resource {@code hall_settings.tsv}, numbered as in spglib) and
 * the generation of each setting's operations from its Hall symbol (S. R. Hall, Acta Cryst. A37, 517 (1981);
 * International Tables Vol. B, Sect. 1.4, Tables A1.4.2.x). Translations are handled exactly in twelfths.
 */
public final class HallSymbols {
    /** One Hall setting: the space-group type it belongs to and its symbols. */
    public record SpaceGroupType(int hallNumber, int number, String schoenflies, String hallSymbol,
                                 String internationalFull, String internationalShort, String choice,
                                 int pointGroupNumber) {}

    /** Operations of one setting in its conventional basis: rotations and translations (fractions of 1). */
    public record Operations(int[][][] rot, double[][] trans, int[][] trans12) {
        public int size() { return rot.length; }
    }

    private static final SpaceGroupType[] TYPES = load();
    private static final Operations[] OPS = new Operations[TYPES.length];
    /** First (standard) Hall number of each space-group number 1..230, spglib's spacegroup_to_hall_number. */
    private static final int[] STANDARD = new int[231];

    static {
        for (int h = TYPES.length - 1; h >= 1; h--) STANDARD[TYPES[h].number()] = h;
    }

    private HallSymbols() {}

    /** Setting 1..530. */
    public static SpaceGroupType type(int hallNumber) {
        if (hallNumber < 1 || hallNumber > 530) throw new IllegalArgumentException("Hall number out of range: " + hallNumber);
        return TYPES[hallNumber];
    }

    /** The standard (first) setting of a space-group number 1..230. */
    public static int standardHallNumber(int spaceGroupNumber) {
        if (spaceGroupNumber < 1 || spaceGroupNumber > 230) throw new IllegalArgumentException("space group out of range: " + spaceGroupNumber);
        return STANDARD[spaceGroupNumber];
    }

    /**
     * All operations of a setting (including centring translations), generated from the Hall symbol. Shared arrays:
     * callers must not modify them.
     */
    public static synchronized Operations operations(int hallNumber) {
        Operations o = OPS[hallNumber];
        if (o == null) {
            o = generate(TYPES[hallNumber].hallSymbol());
            OPS[hallNumber] = o;
        }
        return o;
    }

    private static SpaceGroupType[] load() {
        SpaceGroupType[] t = new SpaceGroupType[531];
        try (InputStream in = HallSymbols.class.getResourceAsStream("hall_settings.tsv")) {
            if (in == null) throw new IllegalStateException("resource hall_settings.tsv missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t", -1);
                int h = Integer.parseInt(f[0]);
                t[h] = new SpaceGroupType(h, Integer.parseInt(f[1]), f[2], f[3], f[4], f[5], f[6], Integer.parseInt(f[7]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int h = 1; h <= 530; h++) if (t[h] == null) throw new IllegalStateException("Hall setting " + h + " missing");
        return t;
    }

    // ---- Hall symbol -> operations ----

    private static final int[][] R1 = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    // principal axes x, y, z for N = 2, 3, 4, 6 (ITB Table A1.4.2.4)
    private static final int[][][][] PRINCIPAL = {
            { // x
                    {{1, 0, 0}, {0, -1, 0}, {0, 0, -1}},
                    {{1, 0, 0}, {0, 0, -1}, {0, 1, -1}},
                    {{1, 0, 0}, {0, 0, -1}, {0, 1, 0}},
                    {{1, 0, 0}, {0, 1, -1}, {0, 1, 0}}},
            { // y
                    {{-1, 0, 0}, {0, 1, 0}, {0, 0, -1}},
                    {{-1, 0, 1}, {0, 1, 0}, {-1, 0, 0}},
                    {{0, 0, 1}, {0, 1, 0}, {-1, 0, 0}},
                    {{0, 0, 1}, {0, 1, 0}, {-1, 0, 1}}},
            { // z
                    {{-1, 0, 0}, {0, -1, 0}, {0, 0, 1}},
                    {{0, -1, 0}, {1, -1, 0}, {0, 0, 1}},
                    {{0, -1, 0}, {1, 0, 0}, {0, 0, 1}},
                    {{1, -1, 0}, {1, 0, 0}, {0, 0, 1}}}};
    // face-diagonal two-fold axes, ' and ", relative to the preceding axis x, y, z
    private static final int[][][] PRIME = {
            {{-1, 0, 0}, {0, 0, -1}, {0, -1, 0}},
            {{0, 0, -1}, {0, -1, 0}, {-1, 0, 0}},
            {{0, -1, 0}, {-1, 0, 0}, {0, 0, -1}}};
    private static final int[][][] DPRIME = {
            {{-1, 0, 0}, {0, 0, 1}, {0, 1, 0}},
            {{0, 0, 1}, {0, -1, 0}, {1, 0, 0}},
            {{0, 1, 0}, {1, 0, 0}, {0, 0, -1}}};
    private static final int[][] BODY3 = {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}};

    private static int orderIndex(int n) {
        return switch (n) {
            case 2 -> 0;
            case 3 -> 1;
            case 4 -> 2;
            case 6 -> 3;
            default -> -1;
        };
    }

    static Operations generate(String symbol) {
        String s = symbol.trim();
        String shiftPart = null;
        int paren = s.indexOf('(');
        if (paren >= 0) {
            shiftPart = s.substring(paren + 1, s.indexOf(')')).trim();
            s = s.substring(0, paren).trim();
        }
        String[] tok = s.split("\\s+");
        List<int[][]> genRot = new ArrayList<>();
        List<int[]> genTr = new ArrayList<>();
        // lattice symbol
        String lat = tok[0];
        boolean centro = lat.startsWith("-");
        char lc = lat.charAt(centro ? 1 : 0);
        List<int[]> centring = new ArrayList<>();
        centring.add(new int[]{0, 0, 0});
        switch (lc) {
            case 'P' -> { }
            case 'A' -> centring.add(new int[]{0, 6, 6});
            case 'B' -> centring.add(new int[]{6, 0, 6});
            case 'C' -> centring.add(new int[]{6, 6, 0});
            case 'I' -> centring.add(new int[]{6, 6, 6});
            case 'R' -> { centring.add(new int[]{8, 4, 4}); centring.add(new int[]{4, 8, 8}); }
            case 'F' -> { centring.add(new int[]{0, 6, 6}); centring.add(new int[]{6, 0, 6}); centring.add(new int[]{6, 6, 0}); }
            default -> throw new IllegalArgumentException("bad lattice symbol in Hall symbol " + symbol);
        }
        if (centro) {
            genRot.add(new int[][]{{-1, 0, 0}, {0, -1, 0}, {0, 0, -1}});
            genTr.add(new int[]{0, 0, 0});
        }
        int prevN = 0, prevAxis = 2;
        for (int k = 1; k < tok.length; k++) {
            String m = tok[k];
            int p = 0;
            boolean improper = false;
            if (m.charAt(p) == '-') { improper = true; p++; }
            int n = m.charAt(p++) - '0';
            // screw digit(s) directly after N
            int screw = 0;
            if (p < m.length() && Character.isDigit(m.charAt(p))) screw = m.charAt(p++) - '0';
            char axisSym = 0;
            if (p < m.length() && "xyz'\"=*".indexOf(m.charAt(p)) >= 0) axisSym = m.charAt(p++);
            String trans = m.substring(p);
            int[][] r;
            int axis; // principal axis index for screws; -1 for non-principal
            if (n == 1) {
                r = R1;
                axis = -1;
            } else {
                if (axisSym == 0) {
                    if (k == 1) axisSym = 'z';
                    else if (k == 2 && n == 2) axisSym = (prevN == 2 || prevN == 4) ? 'x' : (prevN == 3 || prevN == 6) ? '\'' : 'x';
                    else if (n == 3) axisSym = '*';
                    else axisSym = 'z';
                }
                switch (axisSym) {
                    case 'x' -> { r = PRINCIPAL[0][orderIndex(n)]; axis = 0; }
                    case 'y' -> { r = PRINCIPAL[1][orderIndex(n)]; axis = 1; }
                    case 'z' -> { r = PRINCIPAL[2][orderIndex(n)]; axis = 2; }
                    case '\'' -> { r = PRIME[prevAxis]; axis = -1; }
                    case '"', '=' -> { r = DPRIME[prevAxis]; axis = -1; }
                    case '*' -> { r = BODY3; axis = -1; }
                    default -> throw new IllegalArgumentException("bad axis in Hall symbol " + symbol);
                }
            }
            int[] t = new int[3];
            if (screw != 0 && axis >= 0) t[axis] += 12 * screw / n;
            for (char c : trans.toCharArray()) {
                switch (c) {
                    case 'a' -> t[0] += 6;
                    case 'b' -> t[1] += 6;
                    case 'c' -> t[2] += 6;
                    case 'n' -> { t[0] += 6; t[1] += 6; t[2] += 6; }
                    case 'u' -> t[0] += 3;
                    case 'v' -> t[1] += 3;
                    case 'w' -> t[2] += 3;
                    case 'd' -> { t[0] += 3; t[1] += 3; t[2] += 3; }
                    default -> throw new IllegalArgumentException("bad translation '" + c + "' in Hall symbol " + symbol);
                }
            }
            int[][] rr = Mat.copy(r);
            if (improper) for (int[] row : rr) for (int j = 0; j < 3; j++) row[j] = -row[j];
            genRot.add(rr);
            genTr.add(t);
            prevN = n;
            if (axis >= 0) prevAxis = axis;
        }
        // close the group: operations (R, t) with t in twelfths mod 12
        List<int[][]> rots = new ArrayList<>();
        List<int[]> trs = new ArrayList<>();
        rots.add(Mat.copy(R1));
        trs.add(new int[3]);
        for (int it = 0; it < 64; it++) {
            int before = rots.size();
            for (int g = 0; g < genRot.size(); g++) {
                for (int i = 0; i < rots.size(); i++) {
                    int[][] nr = Mat.mul(genRot.get(g), rots.get(i));
                    int[] nt = Mat.mulv(genRot.get(g), trs.get(i));
                    for (int j = 0; j < 3; j++) nt[j] = Math.floorMod(nt[j] + genTr.get(g)[j], 12);
                    if (indexOf(rots, nr) < 0) {
                        rots.add(nr);
                        trs.add(nt);
                    }
                }
            }
            if (rots.size() == before) break;
        }
        // origin shift (change-of-basis vector in twelfths): t' = t + (I - R) v
        int[] v = new int[3];
        if (shiftPart != null) {
            String[] f = shiftPart.split("\\s+");
            for (int j = 0; j < 3; j++) v[j] = Integer.parseInt(f[j]);
        }
        int n = rots.size();
        int mult = centring.size();
        int[][][] rot = new int[n * mult][][];
        int[][] t12 = new int[n * mult][];
        for (int c = 0; c < mult; c++) {
            for (int i = 0; i < n; i++) {
                int[][] r = rots.get(i);
                int[] rv = Mat.mulv(r, v);
                int[] t = new int[3];
                for (int j = 0; j < 3; j++) t[j] = Math.floorMod(trs.get(i)[j] - rv[j] + v[j] + centring.get(c)[j], 12);
                rot[c * n + i] = r;
                t12[c * n + i] = t;
            }
        }
        double[][] tr = new double[n * mult][3];
        for (int i = 0; i < n * mult; i++) for (int j = 0; j < 3; j++) tr[i][j] = t12[i][j] / 12.0;
        return new Operations(rot, tr, t12);
    }

    private static int indexOf(List<int[][]> list, int[][] r) {
        for (int i = 0; i < list.size(); i++) if (Mat.eq(list.get(i), r)) return i;
        return -1;
    }
}
