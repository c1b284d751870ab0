package org.concdvae.verify;

import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Float32 parity of CGCNN with the official code (../shared/reference/cgcnn_vectors.safetensors): our inputs built
 * from the 8 reference crystals' CIFs (atom features, 12-neighbour lists within 8 Å, Gaussian bond features) equal the
 * stored ones, the random-weight network reproduces the embedding, every convolution, the pooled vector and the
 * output, the .pth.tar copy of the weights equals the safetensors one, and the four official pre-trained mpall20
 * evaluators reproduce their stored outputs; tolerances in {@link CgcnnReferenceCheck}. Errors are printed.
 */
class CgcnnParityTest {
    @Test
    void cgcnnMatchesReference() {
        SharedData.path("evaluators/atom_init.json");
        try (ReferenceSession session = ReferenceSession.open(SharedData.path("reference"), null, 2)) {
            List<Comparison> r = new CgcnnReferenceCheck().run(session);
            List<String> failed = new ArrayList<>();
            for (Comparison x : r) {
                System.out.println(x.line());
                if (!x.passed()) failed.add(x.line());
            }
            // 19 stored tensors + 2 checks of the .pth.tar copy
            assertEquals(21, r.size(), "one comparison per reference tensor");
            assertTrue(failed.isEmpty(), String.join("\n", failed));
        }
    }
}
