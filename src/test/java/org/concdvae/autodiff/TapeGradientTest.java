package org.concdvae.autodiff;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every op of the tape against central finite differences in double precision (rtol 1e-5, atol 1e-8). */
class TapeGradientTest {
    private static DataType savedDefault, savedFloat;

    @BeforeAll
    static void doublePrecision() {
        savedDefault = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() { Nd4j.setDefaultDataTypes(savedDefault, savedFloat); }

    static final Random R = new Random(42);

    static Tensor p(long... shape) { return Tensor.parameter(rand(shape, -1, 1)); }

    static Tensor pos(long... shape) { return Tensor.parameter(rand(shape, 0.5, 2)); }

    static INDArray rand(long[] shape, double lo, double hi) {
        long n = 1;
        for (long s : shape) n *= s;
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * R.nextDouble();
        return Nd4j.create(v, shape, DataType.DOUBLE);
    }

    static void ok(String what, List<Tensor> in, Function<Tape, Tensor> f) {
        GradientCheck.Result r = GradientCheck.check(in, f);
        assertTrue(r.passed(), what + ": " + r);
    }

    @Test
    void arithmeticWithBroadcasting() {
        Tensor a = p(4, 3), b = p(4, 3), row = p(3), row2 = p(1, 3), col = p(4, 1), s = p(1, 1);
        Tensor d = pos(4, 3), drow = pos(3), dcol = pos(4, 1);
        ok("add", List.of(a, b), t -> t.add(a, b));
        ok("add row", List.of(a, row), t -> t.add(a, row));
        ok("add row [1,F] left", List.of(a, row2), t -> t.add(row2, a));
        ok("add col", List.of(a, col), t -> t.add(col, a));
        ok("sub", List.of(a, b), t -> t.sub(a, b));
        ok("sub row left", List.of(a, row), t -> t.sub(row, a));
        ok("sub col right", List.of(a, col), t -> t.sub(a, col));
        ok("sub scalar left", List.of(a, s), t -> t.sub(s, a));
        ok("mul", List.of(a, b), t -> t.mul(a, b));
        ok("mul row", List.of(a, row), t -> t.mul(a, row));
        ok("mul col left", List.of(a, col), t -> t.mul(col, a));
        ok("mul scalar", List.of(a, s), t -> t.mul(a, s));
        ok("div", List.of(a, d), t -> t.div(a, d));
        ok("div row", List.of(a, drow), t -> t.div(a, drow));
        ok("div col", List.of(a, dcol), t -> t.div(a, dcol));
        ok("div row left", List.of(drow, d), t -> t.div(drow, d));
        ok("div col left", List.of(d, dcol), t -> t.div(dcol, d));
        ok("scalar ops", List.of(a), t -> t.rsub(2.0, t.mul(t.add(a, 0.5), 3.0)));
        ok("pow", List.of(d), t -> t.pow(d, 2.5));
        ok("neg", List.of(a), t -> t.neg(a));
    }

    @Test
    void rank3RowBroadcast() {
        Tensor a = p(2, 3, 4), row = p(4);
        ok("mul rank3 row", List.of(a, row), t -> t.mul(a, row));
    }

    @Test
    void matmulAndLinear() {
        Tensor x = p(5, 4), w = p(3, 4), b = p(3), m = p(4, 2);
        ok("matmul", List.of(x, m), t -> t.matmul(x, m));
        ok("linear", List.of(x, w, b), t -> t.linear(x, w, b));
        ok("linear no bias", List.of(x, w), t -> t.linear(x, w, null));
    }

    @Test
    void activations() {
        Tensor x = p(6, 5), q = pos(6, 5);
        Tensor big = Tensor.parameter(rand(new long[]{3, 4}, -30, 30));
        ok("relu", List.of(x), t -> t.relu(x));
        ok("sigmoid", List.of(x), t -> t.sigmoid(x));
        ok("tanh", List.of(x), t -> t.tanh(x));
        ok("exp", List.of(x), t -> t.exp(x));
        ok("sin", List.of(x), t -> t.sin(x));
        ok("cos", List.of(x), t -> t.cos(x));
        ok("log", List.of(q), t -> t.log(q));
        ok("softplus", List.of(x), t -> t.softplus(x));
        ok("softplus large |x|", List.of(big), t -> t.softplus(big));
        ok("silu", List.of(x), t -> t.silu(x));
        ok("silu large |x|", List.of(big), t -> t.silu(big));
        ok("scaledSilu", List.of(x), t -> t.scaledSilu(x));
    }

    @Test
    void shapeOps() {
        Tensor a = p(4, 3), b = p(4, 2), c = p(4, 1), m = p(3, 5);
        ok("concat", List.of(a, b, c), t -> t.concat(a, b, c));
        ok("slice", List.of(a), t -> t.slice(a, 1, 3));
        ok("sliceRows", List.of(a), t -> t.sliceRows(a, 1, 3));
        INDArray w = rand(new long[]{2, 6}, -1, 1);
        ok("reshape", List.of(a), t -> t.mul(t.reshape(a, 2, 6), t.constant(w)));
        ok("transpose", List.of(m), t -> t.transpose(m));
    }

    @Test
    void stopGradientBlocksTheGradient() {
        Tensor a = p(4, 2), b = p(4, 2);
        try (Tape t = Tape.training()) {
            t.backward(t.sum(t.mul(t.stopGradient(a), b)));
            assertTrue(a.grad() == null, "no gradient through stopGradient");
            assertEquals(0.0, b.grad().sub(a.value()).amaxNumber().doubleValue(), 0.0);
        }
    }

    @Test
    void indexOps() {
        Tensor x = p(5, 3);
        Index idx = Index.of(new int[]{4, 0, 0, 2, 4, 4, 1}, 5);
        Tensor e = p(7, 3);
        Index dst = Index.of(new int[]{1, 1, 0, 3, 3, 3, 1}, 5); // destinations 2 and 4 empty
        ok("gather", List.of(x), t -> t.gather(x, idx));
        ok("scatterSum", List.of(e), t -> t.scatterSum(e, dst));
        ok("segmentMean", List.of(e), t -> t.segmentMean(e, dst));
        ok("gather→scatter", List.of(x), t -> t.scatterSum(t.mul(t.gather(x, idx), t.gather(x, idx)), dst));
        Tensor v = p(5);
        ok("gather rank-1", List.of(v), t -> t.gather(v, idx));
    }

    @Test
    void fusedTripletSumBmmPermute() {
        Tensor x = p(5, 3);
        Index in = Index.of(new int[]{0, 4, 4, 2, 1, 3, 0}, 5);
        Index out = Index.of(new int[]{2, 0, 2, 2, 3, 0, 1}, 4);
        INDArray coef = rand(new long[]{7, 2}, -1, 1);
        ok("tripletSum", List.of(x), t -> t.tripletSum(x, in, coef, out));
        IndexKernels.usePrimitiveKernels(false);
        try {
            ok("tripletSum (ND4J path)", List.of(x), t -> t.tripletSum(x, in, coef, out));
        } finally {
            IndexKernels.usePrimitiveKernels(true);
        }
        // tripletSum equals the unfused composition gather → scale → scatter per s
        try (Tape t = Tape.inference()) {
            INDArray fused = t.tripletSum(x, in, coef, out).value();
            for (int s = 0; s < 2; s++) {
                Tensor col = t.constant(coef.getColumn(s).reshape(7, 1));
                INDArray ref = t.scatterSum(t.mul(t.gather(x, in), col), out).value();
                assertTrue(fused.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(s * 3, s * 3 + 3)).equalsWithEps(ref, 1e-12));
            }
        }
        Tensor a = p(4, 2, 3), b = p(4, 3, 5);
        ok("bmm", List.of(a, b), t -> t.bmm(a, b));
        ok("permute", List.of(a), t -> t.permute(a, 2, 0, 1));
    }

    @Test
    void reductionsAndLosses() {
        Tensor a = p(4, 3), b = p(4, 3);
        ok("sum", List.of(a), t -> t.sum(a));
        ok("mean", List.of(a), t -> t.mean(a));
        ok("sum axis 0", List.of(a), t -> t.sum(a, 0));
        ok("sum axis 1", List.of(a), t -> t.sum(a, 1));
        ok("mean axis 1", List.of(a), t -> t.mean(a, 1));
        ok("softmax", List.of(a), t -> t.softmax(a));
        ok("logSoftmax", List.of(a), t -> t.logSoftmax(a));
        ok("crossEntropy", List.of(a), t -> t.crossEntropy(a, new int[]{0, 2, 1, 2}));
        ok("mse", List.of(a, b), t -> t.mse(a, b));
        ok("crossEntropyRows", List.of(a), t -> t.crossEntropyRows(a, new int[]{1, 2, 0, 0}));
    }

    @Test
    void batchNormTrainAndEval() {
        Tensor x = p(6, 3), g = pos(3), b = p(3);
        INDArray rm = rand(new long[]{3}, -0.2, 0.2), rv = rand(new long[]{3}, 0.5, 2);
        ok("batchNorm train", List.of(x, g, b), t -> t.batchNorm(x, g, b, rm.dup(), rv.dup(), true, 0.1, 1e-5));
        ok("batchNorm eval", List.of(x, g, b), t -> t.batchNorm(x, g, b, rm, rv, false, 0.1, 1e-5));
        ok("batchNorm no affine", List.of(x), t -> t.batchNorm(x, null, null, rm.dup(), rv.dup(), true, 0.1, 1e-5));
    }

    @Test
    void dropoutUsesOneMaskPerTape() {
        Tensor x = p(8, 5);
        ok("dropout", List.of(x), t -> t.dropout(x, 0.3));
    }

    @Test
    void reuseOfATensorAccumulates() {
        Tensor a = p(3, 2);
        ok("a*a + a", List.of(a), t -> t.add(t.mul(a, a), a));
        ok("add(a,a) twice", List.of(a), t -> t.add(t.add(a, a), t.add(a, a)));
    }

    @Test
    void batchNormRunningStatsFollowPyTorch() {
        // x columns: mean 2, biased var 2/3·..., unbiased update r ← 0.9 r + 0.1 s
        INDArray xv = Nd4j.create(new double[][]{{1, 10}, {2, 20}, {3, 30}});
        INDArray rm = Nd4j.zeros(DataType.DOUBLE, 2), rv = Nd4j.ones(DataType.DOUBLE, 2);
        try (Tape t = Tape.training()) {
            Tensor y = t.batchNorm(t.constant(xv), null, null, rm, rv, true, 0.1, 1e-5);
            assertEquals(-1 / Math.sqrt(2.0 / 3 + 1e-5), y.value().getDouble(0, 0), 1e-12);
        }
        assertEquals(0.2, rm.getDouble(0), 1e-12);
        assertEquals(2.0, rm.getDouble(1), 1e-12);
        assertEquals(0.9 + 0.1 * 1.0, rv.getDouble(0), 1e-12);   // unbiased var of 1,2,3 = 1
        assertEquals(0.9 + 0.1 * 100.0, rv.getDouble(1), 1e-12);
    }

    @Test
    void inferenceTapeRecordsNothing() {
        Tensor w = p(3, 4);
        try (Tape t = Tape.inference()) {
            Tensor y = t.linear(t.constant(rand(new long[]{2, 4}, -1, 1)), w, null);
            assertTrue(!y.requiresGrad());
            assertThrows(IllegalStateException.class, () -> t.backward(t.sum(y)));
        }
    }

    @Test
    void badShapesFailClearly() {
        try (Tape t = Tape.training()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.add(p(3, 2), p(2, 3)));
            assertTrue(e.getMessage().contains("broadcast"), e.getMessage());
        }
    }

    @Test
    void closeReleasesWhatTheTapeAllocatedButNotParametersOrInputs() {
        Tensor w = p(3, 4);
        INDArray x = rand(new long[]{5, 4}, -1, 1);
        Tape t = Tape.training();
        Tensor h = t.silu(t.linear(t.constant(x), w, null));
        Tensor out = t.scatterSum(t.gather(h, Index.of(new int[]{0, 4, 4}, 5)), Index.of(new int[]{1, 1, 0}, 2));
        t.backward(t.sum(out));
        INDArray hv = h.value(), ov = out.value(), hg = h.grad();
        assertTrue(t.ownedArrays() > 5);
        t.close();
        assertTrue(hv.wasClosed() && ov.wasClosed() && hg.wasClosed(), "intermediates and their gradients released");
        assertTrue(!x.wasClosed() && !w.value().wasClosed() && !w.grad().wasClosed(), "inputs and parameters kept");
        assertEquals(0, t.ownedArrays());
    }
}
