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
 * Float32 parity of the encoder, latent, conditions and heads with the official PyTorch forward passes on the
 * 8-crystal reference batch (../shared/reference). Every tensor of batch8_encoder and batch8_heads is compared with
 * the tolerances of reference/README.md (see {@link EncoderReferenceCheck}, {@link HeadsReferenceCheck}); the
 * measured errors are printed.
 */
class ReferenceParityTest {
    static ReferenceSession session;

    @BeforeAll
    static void open() { session = ReferenceSession.open(SharedData.path("reference"), null, 2); }

    @AfterAll
    static void close() { session.close(); }

    @Test
    void weightsLoadByName() {
        // 424 state_dict entries; the decoder's are set aside until the decoder is in the store
        assertEquals(424, session.loadedTensors() + session.setAsideTensors());
        assertTrue(session.loadedTensors() > 100, "loaded " + session.loadedTensors());
    }

    @Test
    void encoderMatchesReference() { check(new EncoderReferenceCheck(), 28); }

    @Test
    void headsMatchReference() { check(new HeadsReferenceCheck(), 15); }

    private static void check(ReferenceCheck c, int expected) {
        List<Comparison> r = c.run(session);
        List<String> failed = new ArrayList<>();
        for (Comparison x : r) {
            System.out.println(x.line());
            if (!x.passed()) failed.add(x.line());
        }
        assertEquals(expected, r.size(), "one comparison per reference tensor");
        assertTrue(failed.isEmpty(), String.join("\n", failed));
    }
}
