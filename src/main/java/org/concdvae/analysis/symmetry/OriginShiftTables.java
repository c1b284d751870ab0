package org.concdvae.analysis.symmetry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Generator sets and generalised inverses used to solve for the origin shift when matching a Hall setting
 * (resource {@code origin_shift_generators.tsv}: spglib 2.0.2's tables, so that the shift — and therefore the
 * near-tolerance verdicts — are the same as spglib's).
 */
final class OriginShiftTables {
    record Entry(int[][][] generators, double[][] vspu) {}

    private static final Map<String, List<Entry>> TABLES = load();

    private OriginShiftTables() {}

    private static Map<String, List<Entry>> load() {
        Map<String, List<Entry>> m = new HashMap<>();
        try (InputStream in = OriginShiftTables.class.getResourceAsStream("origin_shift_generators.tsv")) {
            if (in == null) throw new IllegalStateException("resource origin_shift_generators.tsv missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                String[] g = f[3].trim().split("\\s+");
                String[] v = f[4].trim().split("\\s+");
                int[][][] gens = new int[3][3][3];
                for (int k = 0; k < 27; k++) gens[k / 9][(k % 9) / 3][k % 3] = Integer.parseInt(g[k]);
                double[][] vspu = new double[3][9];
                for (int k = 0; k < 27; k++) vspu[k / 9][k % 9] = Double.parseDouble(v[k]);
                m.computeIfAbsent(f[0] + "/" + f[1], x -> new ArrayList<>()).add(new Entry(gens, vspu));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    private static boolean isRhombohedral(int hall) {
        return hall == 433 || hall == 434 || hall == 436 || hall == 437 || hall == 444 || hall == 445
                || (hall >= 450 && hall <= 453) || (hall >= 458 && hall <= 461);
    }

    private static boolean isRhombohedralHexagonalAxes(int hall) {
        return hall == 433 || hall == 436 || hall == 444 || hall == 450 || hall == 452 || hall == 458 || hall == 460;
    }

    private static String letter(SpacegroupSearch.Centering c) {
        return switch (c) {
            case PRIMITIVE -> "P";
            case BODY -> "I";
            case FACE -> "F";
            case A_FACE -> "A";
            case B_FACE -> "B";
            case C_FACE -> "C";
            case R_CENTER -> "R";
        };
    }

    private static final Map<Long, List<Entry>> BY_SETTING = new java.util.concurrent.ConcurrentHashMap<>();

    /** Generator sets to try for a Hall setting and centring, in spglib's order; null if none apply. */
    static List<Entry> forSetting(int hall, SpacegroupSearch.Centering centering) {
        long key = hall * 16L + centering.ordinal();
        List<Entry> e = BY_SETTING.get(key);
        if (e == null) {
            e = lookup(hall, centering);
            BY_SETTING.put(key, e == null ? List.of() : e);
        }
        return e == null || e.isEmpty() ? null : e;
    }

    private static List<Entry> lookup(int hall, SpacegroupSearch.Centering centering) {
        String key;
        if (hall >= 489) key = "cubic/" + letter(centering);
        else if (hall >= 462) key = "hexa/P";
        else if (hall >= 430) {
            if (isRhombohedral(hall)) key = isRhombohedralHexagonalAxes(hall) ? "rhombo_h/R" : "rhombo_p/P";
            else key = "trigo/P";
        } else if (hall >= 349) key = "tetra/" + letter(centering);
        else if (hall >= 108) key = "ortho/" + letter(centering);
        else if (hall >= 3) key = "monocli/" + letter(centering);
        else key = "tricli/P";
        return TABLES.get(key);
    }

    /** Centring whose primitive basis the translations are reduced to (spglib passes P for these families). */
    static SpacegroupSearch.Centering centringForDw(int hall, SpacegroupSearch.Centering centering) {
        if (hall <= 2 || (hall >= 430 && hall <= 488 && !isRhombohedralHexagonalAxes(hall))) {
            return SpacegroupSearch.Centering.PRIMITIVE;
        }
        return centering;
    }
}
