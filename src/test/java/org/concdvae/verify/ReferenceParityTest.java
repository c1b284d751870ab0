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

    @Test
    void trainingModeBatchNormStatisticsMatchReference() { check(new TrainingBatchNormReferenceCheck(), 15); }

    @Test
    void trainingLossesWithoutDecoderMatchReference() {
        List<Comparison> r = new TrainLossesReferenceCheck().run(session);
        assertEquals(10, r.size());
        for (Comparison x : r) {
            System.out.println(x.line());
            if (TrainLossesReferenceCheck.DECODER_TERMS.contains(x.name())) continue;
            assertTrue(x.passed(), x.line());
        }
        // the session's BatchNorm buffers are restored after the training pass
        check(new HeadsReferenceCheck(), 15);
    }

    /**
     * Gradients of the total training loss for the modules the decoder does not reach (property predictor and the
     * crystal-statistics heads, BatchNorm with batch statistics) against batch8_train_grads, rtol 1e-3 of each
     * tensor's max plus atol 1e-6 (reference/README.md: gradients below 1e-6 are noise, e.g. the biases before a
     * BatchNorm, whose exact gradient is 0).
     */
    @Test
    void headGradientsMatchReference() {
        ReferenceTrainingPass.Result r = ReferenceTrainingPass.run(session, true);
        org.concdvae.io.Safetensors ref = session.file("batch8_train_grads.safetensors");
        int n = 0;
        List<String> failed = new ArrayList<>();
        for (var e : r.gradients().entrySet()) {
            String name = e.getKey();
            if (!(name.startsWith("fc_num_atoms.") || name.startsWith("fc_lattice.") || name.startsWith("fc_composition.")
                    || name.startsWith("conditions_predict."))) continue;
            Comparison c = session.compare("batch8_train_grads.safetensors", name, e.getValue(), new Tolerance(1e-6, 1e-3));
            System.out.println(c.line());
            if (!c.passed()) failed.add(c.line());
            n++;
        }
        assertEquals(8 + 3 * 6, n, "weights, biases and BatchNorm affine of the predictor (2 hidden layers) and three 1-layer heads");
        assertTrue(ref.contains("fc_lattice.3.weight"));
        assertTrue(failed.isEmpty(), String.join("\n", failed));
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
