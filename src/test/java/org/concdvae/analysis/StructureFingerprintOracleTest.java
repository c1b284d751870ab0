package org.concdvae.analysis;

import org.concdvae.crystal.Structure;
import org.concdvae.eval.CoverageOracle;
import org.concdvae.util.Parallel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole-crystal structure fingerprints of the oracle's exact structures against matminer, within 1e-6. The oracle's
 * real crystals run by default; the generated ones (perturbed, substituted, failing) are in the slow group.
 */
class StructureFingerprintOracleTest {
    static final double TOL = 1e-6;
    static final int BCC = index("body-centered cubic CN_8");

    static int index(String label) {
        for (int i = 0; i < CrystalNNFingerprint.size(); i++) if (CrystalNNFingerprint.features().get(i).label().equals(label)) return i;
        throw new IllegalArgumentException(label);
    }

    /** Disagreements as "id: reason" lines over the given rows; rows without a recorded fingerprint are skipped. */
    static List<String> disagreements(List<Map<String, String>> rows, int[] counted) {
        CrystalNNFingerprint fp = new CrystalNNFingerprint();
        String[] why = new String[rows.size()];
        boolean[] used = new boolean[rows.size()];
        Parallel.forEach(rows.size(), Math.max(1, Runtime.getRuntime().availableProcessors()), i -> {
            Map<String, String> r = rows.get(i);
            double[] expected = CoverageOracle.vector(r.get("struct_fp").isEmpty() ? "[]" : r.get("struct_fp"));
            if (expected.length == 0) return;          // pymatgen failed on it (the fail kind): nothing to compare
            used[i] = true;
            Structure s = CoverageOracle.structure(r.get("structure_json"));
            double[] got = fp.structure(s);
            double worst = 0;
            int at = -1;
            for (int k = 0; k < got.length; k++) {
                double d = Math.abs(got[k] - expected[k]);
                if (d > worst) {
                    worst = d;
                    at = k;
                }
            }
            if (worst > TOL) why[i] = r.get("id") + ": max |diff| " + worst + " at " + CrystalNNFingerprint.features().get(at).label();
            // pymatgen's bcc parameter sums over neighbour pairs j < k only, so it depends on the order of equally
            // weighted CrystalNN neighbours (Qhull's ridge order and solid-angle round-off in pymatgen); every other
            // feature is order-free and must agree
            for (int k = 0; k < got.length; k++) {
                if (k != BCC && Math.abs(got[k] - expected[k]) > TOL) {
                    why[i] = "NOT-BCC " + r.get("id") + ": |diff| " + Math.abs(got[k] - expected[k]) + " at "
                            + CrystalNNFingerprint.features().get(k).label();
                }
            }
        });
        List<String> out = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (used[i]) n++;
            if (why[i] != null) out.add(why[i]);
        }
        counted[0] = n;
        return out;
    }

    @Test
    void realCrystalsMatchMatminer() {
        int[] n = new int[1];
        List<String> bad = disagreements(CoverageOracle.rows("fingerprints.csv"), n);
        assertTrue(n[0] >= 500, "crystals compared: " + n[0]);
        assertTrue(bad.stream().noneMatch(b -> b.startsWith("NOT-BCC")), String.join("\n", bad));
        assertTrue(bad.size() <= 0.005 * n[0], bad.size() + " of " + n[0] + " differ:\n" + String.join("\n", bad));
        System.out.println("structure fingerprints, real crystals: " + (n[0] - bad.size()) + "/" + n[0] + " within 1e-6; " + bad);
    }

    @Test
    @Tag("slow")
    void generatedCrystalsMatchMatminer() {
        int[] n = new int[1];
        List<String> bad = disagreements(CoverageOracle.rows("generated.csv"), n);
        assertTrue(n[0] >= 1000, "crystals compared: " + n[0]);
        assertTrue(bad.stream().noneMatch(b -> b.startsWith("NOT-BCC")), String.join("\n", bad));
        assertTrue(bad.size() <= 0.015 * n[0], bad.size() + " of " + n[0] + " differ:\n" + String.join("\n", bad));
        System.out.println("structure fingerprints, generated crystals: " + (n[0] - bad.size()) + "/" + n[0] + " within 1e-6; " + bad);
    }
}
