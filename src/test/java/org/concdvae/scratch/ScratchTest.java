package org.concdvae.scratch;

import org.concdvae.analysis.CrystalNNFingerprint;
import org.concdvae.crystal.Structure;
import org.concdvae.eval.CoverageOracle;
import org.concdvae.graph.CrystalNN;
import org.junit.jupiter.api.Test;
import java.util.Map;

class ScratchTest {
    @Test
    void dump() {
        String id = System.getProperty("sid", "mp-21447");
        CrystalNNFingerprint fp = new CrystalNNFingerprint();
        CrystalNN cnn = new CrystalNN(CrystalNN.Options.defaults());
        int bccIdx = -1;
        for (int i = 0; i < CrystalNNFingerprint.size(); i++) if (CrystalNNFingerprint.features().get(i).label().startsWith("body")) bccIdx = i;
        for (String f : new String[]{"fingerprints.csv", "generated.csv"}) for (Map<String, String> r : CoverageOracle.rows(f)) {
            if (!r.get("id").equals(id)) continue;
            Structure s = CoverageOracle.structure(r.get("structure_json"));
            for (int n = 0; n < s.size(); n++) {
                CrystalNN.NNData d = cnn.nnData(s, n);
                double w = d.cnWeights().getOrDefault(8, 0.0);
                if (w == 0) continue;
                System.out.println("SITE " + n + " " + w + " " + fp.site(s, n, d)[bccIdx] / w);
            }
        }
    }
}
