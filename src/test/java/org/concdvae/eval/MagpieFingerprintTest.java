package org.concdvae.eval;

import org.concdvae.io.InvalidInputException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Magpie composition fingerprint: statistics, NaN and mode rules, scaling; the oracle when tables are provided. */
public class MagpieFingerprintTest {
    /** Writes tables where property p of element Z is p·1000 + Z, except the given overrides (text per line). */
    public static Path tables(Path dir, Map<String, Map<Integer, String>> overrides) throws IOException {
        for (int p = 0; p < MagpieFingerprint.PROPERTIES.size(); p++) {
            String name = MagpieFingerprint.PROPERTIES.get(p);
            List<String> lines = new ArrayList<>();
            for (int z = 1; z <= 112; z++) {
                String v = overrides.getOrDefault(name, Map.of()).get(z);
                lines.add(v != null ? v : " " + (p * 1000 + z) + " ");
            }
            Files.write(dir.resolve(name + ".table"), lines);
        }
        return dir;
    }

    @Test
    void statisticsFollowMatminersPropertyStats(@TempDir Path dir) throws IOException {
        MagpieFingerprint m = MagpieFingerprint.load(tables(dir, Map.of()));
        // Fe2 O3 listed O first: weights O 3, Fe 2
        double[] f = m.featurize(new int[]{8, 26, 8, 26, 8});
        // Number: values O 8, Fe 26
        double mean = (8 * 3 + 26 * 2) / 5.0;
        double avgDev = (Math.abs(8 - mean) * 3 + Math.abs(26 - mean) * 2) / 5.0;
        assertArrayEquals(new double[]{8, 26, 18, mean, avgDev, 8}, java.util.Arrays.copyOfRange(f, 0, 6), 1e-12);
        // property 3 (MeltingT): 3000 + Z
        assertEquals(3000 + 26, f[3 * 6 + 1]);
        assertEquals(132, f.length);
    }

    @Test
    void modeIsTheSmallestValueAmongTheMostAbundantElements(@TempDir Path dir) throws IOException {
        MagpieFingerprint m = MagpieFingerprint.load(tables(dir, Map.of()));
        // Na1 Cl1: tie → min(11, 17) = 11
        assertEquals(11, m.featurize(new int[]{17, 11})[5]);
        // Cl2 Na1: Cl alone is most abundant
        assertEquals(17, m.featurize(new int[]{11, 17, 17})[5]);
    }

    @Test
    void missingValuesAreNanInMinMaxRangeMeanAndPropagate(@TempDir Path dir) throws IOException {
        // Electronegativity (index 7) of He "Missing", as the real tables
        MagpieFingerprint m = MagpieFingerprint.load(tables(dir, Map.of("Electronegativity", Map.of(2, "Missing"))));
        assertTrue(Double.isNaN(m.value(7, 2)));
        double[] f = m.featurize(new int[]{2, 11, 11});
        for (int k = 0; k < 5; k++) assertTrue(Double.isNaN(f[7 * 6 + k]), "stat " + k);
        // mode: Na is most abundant, its value is defined
        assertEquals(7000 + 11, f[7 * 6 + 5]);
        // He1 Na1: He among the tied → numpy's min propagates NaN
        assertTrue(Double.isNaN(m.featurize(new int[]{2, 11})[7 * 6 + 5]));
        // scaling turns NaN into 0 and standardises the rest
        double[] scaled = CompScaler.scale(f);
        for (int k = 0; k < 5; k++) assertEquals(0.0, scaled[7 * 6 + k]);
        assertTrue(scaled[0] != 0.0);
    }

    @Test
    void pythonFloatParsing() {
        assertEquals(2.2, MagpieFingerprint.pythonFloat(" 2.2 "));
        assertEquals(-3e-2, MagpieFingerprint.pythonFloat("-3e-2"));
        assertTrue(Double.isNaN(MagpieFingerprint.pythonFloat("Missing")));
        assertTrue(Double.isNaN(MagpieFingerprint.pythonFloat("")));
        assertTrue(Double.isNaN(MagpieFingerprint.pythonFloat("0x1p3")));
        assertEquals(Double.POSITIVE_INFINITY, MagpieFingerprint.pythonFloat("inf"));
    }

    @Test
    void missingDirectoryOrFileIsAOneLineErrorNamingIt(@TempDir Path dir) throws IOException {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> MagpieFingerprint.load(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("nope") && !e.getMessage().contains("\n"), e.getMessage());
        tables(dir, Map.of());
        Files.delete(dir.resolve("GSmagmom.table"));
        e = assertThrows(InvalidInputException.class, () -> MagpieFingerprint.load(dir));
        assertTrue(e.getMessage().contains("GSmagmom.table"), e.getMessage());
    }

    /** The Magpie tables directory from -Dconcdvae.magpie or CONCDVAE_MAGPIE_DATA; the test is skipped without it. */
    public static Path magpieTables() {
        String p = System.getProperty("concdvae.magpie", System.getenv(MagpieFingerprint.ENV));
        Assumptions.assumeTrue(p != null && !p.isBlank(), "Magpie tables not provided (set -Dconcdvae.magpie=DIR or "
                + MagpieFingerprint.ENV + " to matminer's magpie_elementdata directory); oracle comparison skipped");
        return Paths.get(p);
    }

    @Test
    void oracleCompositionFingerprintsWithProvidedTables() {
        MagpieFingerprint m = MagpieFingerprint.load(magpieTables());
        List<String> bad = new ArrayList<>();
        int n = 0;
        for (String file : new String[]{"fingerprints.csv", "generated.csv"}) {
            for (Map<String, String> r : CoverageOracle.rows(file)) {
                if (r.get("comp_fp").isEmpty() || r.get("comp_fp").equals("[]")) continue;
                double[] want = CoverageOracle.vector(r.get("comp_fp"));
                double[] got = m.featurize(CoverageOracle.structure(r.get("structure_json")).atomicNumbers());
                n++;
                for (int k = 0; k < want.length; k++) {
                    boolean same = Double.isNaN(want[k]) ? Double.isNaN(got[k])
                            : Math.abs(got[k] - want[k]) <= 1e-6 * Math.max(Math.abs(want[k]), 1e-300) || got[k] == want[k];
                    if (!same) {
                        bad.add(r.get("id") + " feature " + k + ": " + got[k] + " vs " + want[k]);
                        break;
                    }
                }
            }
        }
        assertTrue(n > 1800, "crystals: " + n);
        assertTrue(bad.isEmpty(), bad.size() + " of " + n + " differ:\n" + String.join("\n", bad.subList(0, Math.min(20, bad.size()))));
        System.out.println("composition fingerprints: " + n + "/" + n + " within 1e-6 relative");
    }
}
