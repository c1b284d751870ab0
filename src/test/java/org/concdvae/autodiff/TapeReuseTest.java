package org.concdvae.autodiff;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.*;

/** The in-place ("Reusing") ops give the recorded composition's values and never overwrite what the tape did not make. */
class TapeReuseTest {

    @Test
    void inferenceReusesOnlyItsOwnTemporariesAndMatchesTheComposition() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 7, 5), b = Nd4j.rand(DataType.FLOAT, 7, 5);
        INDArray aCopy = a.dup(), bCopy = b.dup();
        INDArray expectSum = a.add(b).muli(0.5), expectProd = a.mul(b);
        try (Tape t = Tape.inference()) {
            // constants are never overwritten: the op falls back to a new array
            Tensor s = t.addScaledReusing(t.constant(a), t.constant(b), 0.5);
            assertEquals(aCopy, a);
            assertEquals(bCopy, b);
            assertTrue(s.value().equalsWithEps(expectSum, 1e-7));
            // a temporary of this tape is reused: same array, new values
            Tensor tmp = t.mul(t.constant(a), 1.0);
            Tensor p = t.mulReusing(tmp, t.constant(b));
            assertSame(tmp.value(), p.value());
            assertTrue(p.value().equalsWithEps(expectProd, 1e-7));
            Tensor q = t.scaledSiluReusing(p);
            assertSame(p.value(), q.value());
        }
        try (Tape t = Tape.training()) {
            // with recording nothing is reused (the backward pass needs the inputs)
            Tensor tmp = t.mul(t.variable(a.dup()), 1.0);
            Tensor s = t.addScaledReusing(tmp, t.constant(b), 0.5);
            assertNotSame(tmp.value(), s.value());
            assertTrue(s.value().equalsWithEps(expectSum, 1e-7));
        }
        try (Tape outer = Tape.inference(); Tape other = Tape.inference()) {
            // a temporary of another tape is not this tape's to overwrite
            Tensor tmp = other.mul(other.constant(a), 1.0);
            INDArray before = tmp.value().dup();
            Tensor s = outer.addScaledReusing(tmp, outer.constant(b), 1.0);
            assertNotSame(tmp.value(), s.value());
            assertEquals(before, tmp.value());
        }
    }
}
