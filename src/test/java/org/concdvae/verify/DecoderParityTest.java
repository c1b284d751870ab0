package org.concdvae.verify;

import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Float32 parity of the GemNet-T decoder and one annealed-Langevin step with the official PyTorch code on the
 * 8-crystal reference batch (../shared/reference): every tensor of batch8_decoder and batch8_langevin_step is compared
 * with the tolerances of reference/README.md ({@link DecoderReferenceCheck}, {@link LangevinReferenceCheck}); the
 * measured max abs / rel errors are printed.
 */
class DecoderParityTest {
    static ReferenceSession session;

    @BeforeAll
    static void open() { session = ReferenceSession.open(SharedData.path("reference"), null, 2); }

    @AfterAll
    static void close() { session.close(); }

    @Test
    void decoderMatchesReference() { check(new DecoderReferenceCheck(), 46); }

    @Test
    void langevinStepMatchesReference() { check(new LangevinReferenceCheck(), 19); }

    static void check(ReferenceCheck c, int expected) {
        List<Comparison> r = c.run(session);
        List<String> failed = new ArrayList<>();
        for (Comparison x : r) {
            System.out.println(x.line());
            if (!x.passed()) failed.add(x.line());
        }
        assertTrue(failed.isEmpty(), String.join("\n", failed));
        assertEquals(expected, r.size(), "one comparison per reference tensor");
    }
}
