package org.concdvae.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.config.Config;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.InvalidInputException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The preprocessed-data cache of one split: a versioned binary file that records the preprocessing settings it was
 * built with and ends with a SHA-256 of everything before it. Layout (big-endian, {@link DataOutputStream}):
 * <pre>
 *   "CDVGRAPH" | int format version | string settings JSON | 32-byte SHA-256 of the settings
 *   | string split | int P, P property names | int B | B crystals | 32-byte SHA-256 of all preceding bytes | "CDVGEND."
 *   crystal: string id, string file, int row, int n, n atomic numbers, 3n frac coords, 3 lengths, 3 angles,
 *            P property values, int E, E sources, E targets, 3E images
 * </pre>
 * Loading a cache built by another format version or with other settings, or a truncated / corrupt file, is an
 * {@link InvalidInputException} that says what to do (rerun {@code concdvae preprocess}).
 */
public final class CrystalCache {
    /** 2: properties are the CSV's numeric columns as they come, no longer the config's data.prelo_prop. */
    public static final int FORMAT_VERSION = 2;
    private static final byte[] MAGIC = "CDVGRAPH".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "CDVGEND.".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_STRING = 1 << 22;
    private static final int MAX_ATOMS = 1 << 20;
    private static final int MAX_EDGES = 1 << 26;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A loaded cache. */
    public record Contents(String split, List<String> properties, String settings, List<CrystalRecord> crystals) {}

    private CrystalCache() {}

    /**
     * The preprocessing settings a cache depends on, as canonical JSON: reduction, graph method and its parameters,
     * and filters. Two configs with equal settings produce identical caches from the same CSV.
     */
    public static String settings(Config c) {
        Config.Data d = c.data();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("niggli", d.niggli());
        m.put("primitive", d.primitive());
        m.put("graph_method", d.graphMethod());
        if (d.graphMethod().equals("radius")) {
            m.put("graph_cutoff", c.model().encoder().cutoff());
            m.put("graph_max_neighbors", c.model().encoder().maxNumNeighbors());
        }
        // no property list: the cache keeps the data set's numeric columns as they come (PropertySelection)
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("min_number_density", d.filter().minNumberDensity());
        f.put("max_e_above_hull", d.filter().maxEAboveHull());
        f.put("max_band_gap", d.filter().maxBandGap());
        f.put("max_atoms", d.filter().maxAtoms());
        m.put("filter", f);
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a cache atomically. */
    public static void write(Path file, String split, List<String> properties, String settings, List<CrystalRecord> crystals)
            throws IOException {
        AtomicFiles.write(file, raw -> {
            MessageDigest sha = sha256();
            DataOutputStream out = new DataOutputStream(new DigestOutputStream(new BufferedOutputStream(raw, 1 << 16), sha));
            out.write(MAGIC);
            out.writeInt(FORMAT_VERSION);
            writeString(out, settings);
            out.write(sha256().digest(settings.getBytes(StandardCharsets.UTF_8)));
            writeString(out, split);
            out.writeInt(properties.size());
            for (String p : properties) writeString(out, p);
            out.writeInt(crystals.size());
            for (CrystalRecord c : crystals) {
                if (c.properties().length != properties.size()) throw new IllegalArgumentException("property count differs");
                writeString(out, c.id());
                writeString(out, c.file());
                out.writeInt(c.row());
                out.writeInt(c.numAtoms());
                for (int z : c.atomTypes()) out.writeInt(z);
                for (double x : c.fracCoords()) out.writeDouble(x);
                for (double x : c.lengths()) out.writeDouble(x);
                for (double x : c.angles()) out.writeDouble(x);
                for (double x : c.properties()) out.writeDouble(x);
                out.writeInt(c.numEdges());
                for (int x : c.edgeSource()) out.writeInt(x);
                for (int x : c.edgeTarget()) out.writeInt(x);
                for (int x : c.edgeImages()) out.writeInt(x);
            }
            out.flush();
            byte[] digest = sha.digest();
            DataOutputStream tail = new DataOutputStream(raw);
            tail.write(digest);
            tail.write(END);
            tail.flush();
        });
    }

    /**
     * Reads and verifies a cache. {@code expectedSettings} (from {@link #settings(Config)}) may be null to accept
     * any settings.
     */
    public static Contents read(Path file, String expectedSettings) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            MessageDigest sha = sha256();
            DataInputStream in = new DataInputStream(new DigestInputStream(raw, sha));
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) throw corrupt(file, "not a concdvae graph cache");
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new InvalidInputException(file + ": cache format version " + version + ", this build reads version "
                        + FORMAT_VERSION + "; rerun 'concdvae preprocess'");
            }
            String settings = readString(in, file);
            byte[] hash = new byte[32];
            in.readFully(hash);
            if (!Arrays.equals(hash, sha256().digest(settings.getBytes(StandardCharsets.UTF_8)))) {
                throw corrupt(file, "settings checksum mismatch");
            }
            if (expectedSettings != null && !expectedSettings.equals(settings)) {
                throw new InvalidInputException(file + ": stale cache, built with other preprocessing settings ("
                        + difference(settings, expectedSettings) + "); rerun 'concdvae preprocess'");
            }
            String split = readString(in, file);
            int np = bounded(in.readInt(), 10_000, file, "property count");
            List<String> props = new ArrayList<>(np);
            for (int p = 0; p < np; p++) props.add(readString(in, file));
            int nc = bounded(in.readInt(), Integer.MAX_VALUE - 8, file, "crystal count");
            List<CrystalRecord> crystals = new ArrayList<>(Math.min(nc, 1 << 20));
            for (int c = 0; c < nc; c++) {
                String id = readString(in, file), src = readString(in, file);
                int row = in.readInt();
                int n = bounded(in.readInt(), MAX_ATOMS, file, "atom count");
                int[] z = readInts(in, n);
                double[] frac = readDoubles(in, 3 * n), len = readDoubles(in, 3), ang = readDoubles(in, 3);
                double[] prop = readDoubles(in, np);
                int e = bounded(in.readInt(), MAX_EDGES, file, "edge count");
                int[] s = readInts(in, e), t = readInts(in, e), img = readInts(in, 3 * e);
                for (int q = 0; q < e; q++) {
                    if (s[q] < 0 || s[q] >= n || t[q] < 0 || t[q] >= n) throw corrupt(file, "edge index out of range in crystal " + c);
                }
                crystals.add(new CrystalRecord(id, src, row, z, frac, len, ang, prop, s, t, img));
            }
            byte[] digest = sha.digest();
            byte[] stored = new byte[32];
            DataInputStream tail = new DataInputStream(raw);
            tail.readFully(stored);
            if (!Arrays.equals(digest, stored)) throw corrupt(file, "checksum mismatch");
            byte[] end = new byte[END.length];
            tail.readFully(end);
            if (!Arrays.equals(end, END) || raw.read() != -1) throw corrupt(file, "unexpected bytes at the end");
            return new Contents(split, props, settings, crystals);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": cache not found; run 'concdvae preprocess' first");
        } catch (EOFException e) {
            throw new InvalidInputException(file + ": cache is truncated; rerun 'concdvae preprocess'");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read cache: " + e.getMessage());
        }
    }

    private static String difference(String have, String want) {
        try {
            JsonNode a = JSON.readTree(have), b = JSON.readTree(want);
            List<String> diff = new ArrayList<>();
            diffKeys("", a, b, diff);
            return diff.isEmpty() ? "settings differ" : String.join(", ", diff);
        } catch (IOException e) {
            return "settings differ";
        }
    }

    private static void diffKeys(String prefix, JsonNode a, JsonNode b, List<String> out) {
        if (a.isObject() && b.isObject()) {
            java.util.Set<String> keys = new java.util.LinkedHashSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                JsonNode x = a.path(k), y = b.path(k);
                diffKeys(prefix + k + ".", x, y, out);
            }
            return;
        }
        if (!a.equals(b)) {
            String key = prefix.substring(0, Math.max(0, prefix.length() - 1));
            out.add("data." + key + ": cache " + a + ", config " + b);
        }
    }

    private static InvalidInputException corrupt(Path file, String why) {
        return new InvalidInputException(file + ": corrupt cache (" + why + "); rerun 'concdvae preprocess'");
    }

    private static int bounded(int v, int max, Path file, String what) {
        if (v < 0 || v > max) throw corrupt(file, what + " " + v + " out of range");
        return v;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in, Path file) throws IOException {
        int n = bounded(in.readInt(), MAX_STRING, file, "string length");
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static int[] readInts(DataInputStream in, int n) throws IOException {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = in.readInt();
        return r;
    }

    private static double[] readDoubles(DataInputStream in, int n) throws IOException {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) r[i] = in.readDouble();
        return r;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
