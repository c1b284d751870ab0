package org.concdvae.eval;

import org.concdvae.analysis.CrystalNNFingerprint;
import org.concdvae.crystal.Structure;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.StructureSource;
import org.concdvae.util.Parallel;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The fingerprints of CDVAE's coverage metrics for many crystals: the CrystalNN "ops" structure fingerprint and the
 * raw Magpie composition fingerprint, computed in parallel. A crystal that cannot be read or fingerprinted gets
 * {@link Coverage.Fingerprint#FAILED} (CDVAE sets both fingerprints to None when featurisation raises).
 *
 * <p>Reference sets are cached beside their input ({@code <file>.coverage-fp}, or {@code .coverage-fp} inside an input
 * directory): a versioned binary file keyed by the SHA-256 of the crystals read and of the Magpie tables, ending with a
 * SHA-256 of its contents. A cache built from other crystals, other tables or by another format version, or a
 * corrupt one, is not used and is rebuilt.
 */
public final class CoverageFingerprints {
    /** Bump when the fingerprint definition or the file layout changes. */
    public static final int FORMAT_VERSION = 1;
    public static final String CACHE_SUFFIX = ".coverage-fp";
    private static final byte[] MAGIC = "CDVCOVFP".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "CDVCEND.".getBytes(StandardCharsets.US_ASCII);

    private final CrystalNNFingerprint structure = new CrystalNNFingerprint();
    private final MagpieFingerprint magpie;

    public CoverageFingerprints(MagpieFingerprint magpie) {
        if (magpie == null) throw new IllegalArgumentException("Magpie tables required");
        this.magpie = magpie;
    }

    /** Both fingerprints of one crystal, or FAILED if either cannot be computed. */
    public Coverage.Fingerprint of(Structure s) {
        try {
            return new Coverage.Fingerprint(structure.structure(s), magpie.featurize(s.atomicNumbers()));
        } catch (RuntimeException e) {
            return Coverage.Fingerprint.FAILED;
        }
    }

    /** Fingerprints of all entries in input order; {@code tick} runs once per entry. */
    public List<Coverage.Fingerprint> all(List<StructureSource.Entry> entries, int threads, Runnable tick) {
        Coverage.Fingerprint[] out = new Coverage.Fingerprint[entries.size()];
        Parallel.forEach(entries.size(), threads, i -> {
            StructureSource.Entry e = entries.get(i);
            out[i] = e.ok() ? of(e.structure()) : Coverage.Fingerprint.FAILED;
            tick.run();
        });
        return Arrays.asList(out);
    }

    /** Where the fingerprints of the crystals read from {@code source} are cached. */
    public static Path cacheFile(Path source) {
        Path abs = source.toAbsolutePath();
        return Files.isDirectory(abs) ? abs.resolve(CACHE_SUFFIX) : abs.resolveSibling(abs.getFileName() + CACHE_SUFFIX);
    }

    /** The outcome of {@link #cached}: the fingerprints and whether they came from the cache. */
    public record Cached(List<Coverage.Fingerprint> fingerprints, boolean fromCache, Path file, String warning) {}

    /**
     * Fingerprints of the entries read from {@code source}, from its cache if that holds exactly these crystals and
     * tables; otherwise computed and the cache (re)written. A cache that cannot be written only gives a warning.
     */
    public Cached cached(Path source, List<StructureSource.Entry> entries, int threads, Runnable tick) {
        Path file = cacheFile(source);
        String key = key(entries);
        List<Coverage.Fingerprint> hit = read(file, key, entries.size());
        if (hit != null) {
            for (int i = 0; i < entries.size(); i++) tick.run();
            return new Cached(hit, true, file, null);
        }
        List<Coverage.Fingerprint> fps = all(entries, threads, tick);
        String warning = null;
        try {
            write(file, key, fps);
        } catch (IOException | RuntimeException e) {
            warning = "cannot write the fingerprint cache " + file + " (" + e.getMessage() + "); continuing without it";
        }
        return new Cached(fps, false, file, warning);
    }

    /** SHA-256 over the format version, the Magpie tables and every crystal (id, species, lattice, coordinates). */
    String key(List<StructureSource.Entry> entries) {
        MessageDigest sha = sha256();
        ByteBuffer b = ByteBuffer.allocate(8);
        sha.update(("v" + FORMAT_VERSION + "|").getBytes(StandardCharsets.UTF_8));
        for (int p = 0; p < MagpieFingerprint.PROPERTIES.size(); p++) {
            for (int z = 1; z <= MagpieFingerprint.MAX_Z; z++) {
                sha.update(b.clear().putDouble(0, magpie.value(p, z)).array());
            }
        }
        for (StructureSource.Entry e : entries) {
            sha.update((e.id() + "|").getBytes(StandardCharsets.UTF_8));
            if (!e.ok()) {
                sha.update(("error|" + e.error()).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            Structure s = e.structure();
            for (int z : s.atomicNumbers()) sha.update(b.clear().putDouble(0, z).array());
            for (double[] row : s.lattice().matrix()) for (double v : row) sha.update(b.clear().putDouble(0, v).array());
            for (double[] f : s.fracCoords()) for (double v : f) sha.update(b.clear().putDouble(0, v).array());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void write(Path file, String key, List<Coverage.Fingerprint> fps) throws IOException {
        AtomicFiles.write(file, raw -> {
            MessageDigest sha = sha256();
            DataOutputStream out = new DataOutputStream(new DigestOutputStream(new BufferedOutputStream(raw), sha));
            out.write(MAGIC);
            out.writeInt(FORMAT_VERSION);
            out.writeUTF(key);
            out.writeInt(fps.size());
            for (Coverage.Fingerprint f : fps) {
                out.writeBoolean(f.ok());
                if (!f.ok()) continue;
                out.writeInt(f.struct().length);
                for (double v : f.struct()) out.writeDouble(v);
                out.writeInt(f.comp().length);
                for (double v : f.comp()) out.writeDouble(v);
            }
            out.flush();
            byte[] digest = sha.digest();
            raw.write(digest);
            raw.write(END);
            raw.flush();
        });
    }

    /** The cached fingerprints, or null if the file is absent, stale (other key or version) or damaged. */
    static List<Coverage.Fingerprint> read(Path file, String key, int n) {
        if (!Files.isRegularFile(file)) return null;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            MessageDigest sha = sha256();
            DataInputStream in = new DataInputStream(new DigestInputStream(raw, sha));
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC) || in.readInt() != FORMAT_VERSION || !in.readUTF().equals(key) || in.readInt() != n) {
                return null;
            }
            List<Coverage.Fingerprint> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                if (!in.readBoolean()) {
                    out.add(Coverage.Fingerprint.FAILED);
                    continue;
                }
                double[] s = doubles(in), c = doubles(in);
                if (s == null || c == null) return null;
                out.add(new Coverage.Fingerprint(s, c));
            }
            byte[] digest = sha.digest();
            byte[] stored = raw.readNBytes(32), end = raw.readNBytes(END.length);
            if (!Arrays.equals(digest, stored) || !Arrays.equals(end, END) || raw.read() != -1) return null;
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    private static double[] doubles(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > 1024) return null;
        double[] v = new double[len];
        for (int i = 0; i < len; i++) v[i] = in.readDouble();
        return v;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
