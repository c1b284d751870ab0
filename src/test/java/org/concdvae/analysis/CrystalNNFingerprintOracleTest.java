package org.concdvae.analysis;

import org.concdvae.crystal.Structure;
import org.concdvae.eval.CoverageOracle;
import org.concdvae.graph.CrystalNN;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-site CrystalNN "ops" fingerprints and CN likelihoods against matminer/pymatgen (site_fingerprints.csv). */
class CrystalNNFingerprintOracleTest {
    private final CrystalNNFingerprint fp = new CrystalNNFingerprint();
    private final CrystalNN cnn = new CrystalNN(CrystalNN.Options.defaults());

    @Test
    void everySiteMatchesMatminer() {
        List<Map<String, String>> sites = CoverageOracle.rows("site_fingerprints.csv");
        Map<String, Structure> structures = new java.util.HashMap<>();
        for (Map<String, String> r : CoverageOracle.rows("fingerprints.csv")) structures.put(r.get("id"), CoverageOracle.structure(r.get("structure_json")));
        for (Map<String, String> r : CoverageOracle.rows("generated.csv")) {
            if (!r.get("structure_json").isEmpty()) structures.put(r.get("id"), CoverageOracle.structure(r.get("structure_json")));
        }
        List<String> bad = new ArrayList<>();
        int checked = 0;
        for (Map<String, String> r : sites) {
            Structure s = structures.get(r.get("id"));
            int n = Integer.parseInt(r.get("site_index"));
            CrystalNN.NNData nn = cnn.nnData(s, n);
            var expectedCn = CoverageOracle.json(r.get("cn_weights"));
            StringBuilder why = new StringBuilder();
            // CN 0 gets 1 − Σ likelihoods, which may be an ulp-sized leftover (1e-16) in one code and absent in the other
            java.util.Set<Integer> keys = new java.util.TreeSet<>(nn.cnWeights().keySet());
            for (Iterator<String> it = expectedCn.fieldNames(); it.hasNext(); ) keys.add(Integer.parseInt(it.next()));
            for (int k : keys) {
                double want = expectedCn.path(String.valueOf(k)).asDouble(0.0);
                double got = nn.cnWeights().getOrDefault(k, 0.0);
                if (Math.abs(got - want) > 1e-12) why.append(" cn").append(k).append(" ").append(got).append(" vs ").append(want);
            }
            double[] expected = CoverageOracle.vector(r.get("site_fp"));
            double[] got = fp.site(s, n, nn);
            assertEquals(expected.length, got.length);
            for (int i = 0; i < got.length; i++) {
                if (Math.abs(got[i] - expected[i]) > 1e-6) why.append(" ").append(CrystalNNFingerprint.features().get(i).label()).append(" ").append(got[i]).append(" vs ").append(expected[i]);
            }
            if (!why.isEmpty()) bad.add(r.get("id") + "#" + n + why);
            checked++;
        }
        assertTrue(checked > 400, "sites checked: " + checked);
        assertTrue(bad.isEmpty(), bad.size() + " of " + checked + " sites differ:\n" + String.join("\n", bad.subList(0, Math.min(30, bad.size()))));
    }
}
