package org.concdvae.verify;

import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Float32 parity of one training-mode step of the whole step-one model with the official PyTorch code
 * (../shared/reference): every loss term of batch8_train_losses, the gradient of every parameter in
 * batch8_train_grads and the BatchNorm running statistics of batch8_train_bn_stats_after, with the tolerances of
 * {@link TrainStepReferenceCheck}; the measured max abs / rel errors are printed.
 */
class TrainStepParityTest {
    static ReferenceSession session;

    @BeforeAll
    static void open() { session = ReferenceSession.open(SharedData.path("reference"), null, 2); }

    @AfterAll
    static void close() { session.close(); }

    @Test
    void lossesGradientsAndRunningStatsMatchReference() {
        List<String> failed = new ArrayList<>();
        int n = 0;
        double worstGrad = 0;
        for (ReferenceCheck c : TrainStepReferenceCheck.all()) {
            for (Comparison x : c.run(session)) {
                n++;
                System.out.println(x.line());
                if (!x.passed()) failed.add(x.line());
                if (c.file().equals(TrainStepReferenceCheck.GRADS) && x.maxRef() >= 1e-5) worstGrad = Math.max(worstGrad, x.maxRel());
            }
        }
        System.out.printf("train-step parity: %d tensors, worst gradient error %.3e of its tensor's max (tensors with max >= 1e-5; smaller ones are float noise, e.g. biases before BatchNorm)%n", n, worstGrad);
        assertTrue(failed.isEmpty(), failed.size() + " tensors out of tolerance:\n" + String.join("\n", failed));
        assertTrue(n >= 10 + 322 + 15, "every reference tensor compared, got " + n);
    }
}
