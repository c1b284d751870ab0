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
 * Float32 parity of the step-two prior with the official PyTorch forward passes (../shared/reference
 * prior_default_vectors, prior_full_vectors): the reference weights load strictly by name and every stored tensor
 * (time embeddings, each condition's expansion and embedding, condition vector, predicted noise, reverse-step mean,
 * posterior std, q_sample) matches within the tolerances of {@link PriorReferenceCheck}; our computed schedule
 * equals the stored buffers (rtol 1e-5). Measured errors are printed.
 */
class PriorParityTest {
    static ReferenceSession session;

    @BeforeAll
    static void open() { session = ReferenceSession.open(SharedData.path("reference"), null, 2); }

    @AfterAll
    static void close() { session.close(); }

    @Test
    void defaultPriorMatchesReference() {
        // 13 stored tensors (incl. 4 inputs) + 5 schedule comparisons
        check(PriorReferenceCheck.all().get(0), 13 + 5);
    }

    @Test
    void fullPriorMatchesReference() {
        // 26 stored tensors (incl. 9 inputs) + 5 schedule comparisons
        check(PriorReferenceCheck.all().get(1), 26 + 5);
    }

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
