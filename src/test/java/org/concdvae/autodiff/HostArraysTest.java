package org.concdvae.autodiff;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tape outputs in malloc'd host memory ({@link HostArrays}) and products straight into OpenBLAS ({@link CpuBlas}). */
class HostArraysTest {

    @Test
    void newArraysAreDenseOwnedAndFailAfterTheTapeCloses() {
        INDArray kept;
        try (Tape t = Tape.inference()) {
            INDArray a = t.newArray(DataType.FLOAT, 300, 17);
            assertTrue(IndexKernels.isDense(a), "c-order, no offset, exactly its elements");
            a.assign(2.5);
            assertEquals(2.5 * 300 * 17, a.sumNumber().doubleValue(), 1e-3);
            INDArray d = t.newArray(DataType.DOUBLE, 4, 3);
            d.assign(1.0);
            assertEquals(12.0, d.sumNumber().doubleValue(), 0.0);
            assertEquals(0, t.newArray(DataType.FLOAT, 0, 5).length(), "empty arrays come from ND4J");
            kept = a;
        }
        assertTrue(kept.wasClosed());
        INDArray closed = kept;
        assertThrows(IllegalStateException.class, closed::sumNumber, "a use after release fails in ND4J, not silently");
    }

    @Test
    void releaseSinceFreesBlockTemporariesButKeepsTheResult() {
        try (Tape t = Tape.inference()) {
            Tensor x = t.constant(Nd4j.rand(DataType.FLOAT, 50, 8));
            int mark = t.mark();
            Tensor y = t.mul(t.add(x, 1.0), 2.0);
            Tensor tmp = t.add(x, 3.0);
            t.releaseSince(mark, y);
            assertFalse(y.value().wasClosed());
            assertTrue(tmp.value().wasClosed());
            assertTrue(y.value().equalsWithEps(x.value().add(1.0).muli(2.0), 1e-6));
        }
    }

    @Test
    void directProductsEqualNd4jForEveryTransposeAndType() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray a = Nd4j.rand(type, 37, 23), b = Nd4j.rand(type, 23, 19);
            for (boolean ta : new boolean[]{false, true}) {
                for (boolean tb : new boolean[]{false, true}) {
                    INDArray aa = ta ? a.transpose().dup('c') : a, bb = tb ? b.transpose().dup('c') : b;
                    INDArray expected = Nd4j.gemm(aa, bb, ta, tb);
                    INDArray out = Nd4j.createUninitialized(type, new long[]{37, 19}, 'c');
                    CpuBlas.gemm(aa, ta, bb, tb, out);
                    assertTrue(out.equalsWithEps(expected, type == DataType.FLOAT ? 1e-5 : 1e-12), type + " ta=" + ta + " tb=" + tb);
                }
            }
            // a strided view is copied to a dense array first
            INDArray view = Nd4j.rand(type, 37, 40).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(5, 28));
            INDArray out = Nd4j.createUninitialized(type, new long[]{37, 19}, 'c');
            CpuBlas.gemm(view, false, b, false, out);
            assertTrue(out.equalsWithEps(view.mmul(b), type == DataType.FLOAT ? 1e-5 : 1e-12));
        }
        assertThrows(IllegalArgumentException.class, () -> CpuBlas.gemm(Nd4j.rand(DataType.FLOAT, 4, 3), false,
                Nd4j.rand(DataType.FLOAT, 4, 3), false, Nd4j.createUninitialized(DataType.FLOAT, new long[]{4, 3}, 'c')));
    }

    @Test
    void productsCutIntoRowBlocksGiveTheSameBitsOnAnyNumberOfThreads() {
        int saved = Engine.threads();
        try {
            for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
                // [1001, 130] outputs: 1001·130·k multiply-adds, well above the split threshold; 1001 rows cut unevenly
                INDArray a = Nd4j.rand(type, 1001, 96), at = a.transpose().dup('c'), b = Nd4j.rand(type, 96, 130), bt = b.transpose().dup('c');
                INDArray g = Nd4j.rand(type, 1001, 130);
                for (boolean ta : new boolean[]{false, true}) {
                    for (boolean tb : new boolean[]{false, true}) {
                        INDArray[] outs = new INDArray[2];
                        int[] threads = {1, 3};
                        for (int r = 0; r < 2; r++) {
                            Engine.setThreads(threads[r]);
                            outs[r] = Nd4j.createUninitialized(type, new long[]{1001, 130}, 'c');
                            CpuBlas.gemm(ta ? at : a, ta, tb ? bt : b, tb, outs[r]);
                        }
                        assertEquals(3, CpuBlas.rowChunks(1001, 130, 96));
                        assertEquals(outs[0], outs[1], type + " ta=" + ta + " tb=" + tb + ": 1 and 3 threads differ");
                        assertTrue(outs[1].equalsWithEps(a.mmul(b), type == DataType.FLOAT ? 1e-4 : 1e-12));
                    }
                }
                // a gradient-of-weights shape: few output rows, a long inner dimension (the edges)
                INDArray[] dw = new INDArray[2];
                for (int r = 0; r < 2; r++) {
                    Engine.setThreads(r == 0 ? 1 : 2);
                    dw[r] = Nd4j.createUninitialized(type, new long[]{96, 130}, 'c');
                    CpuBlas.gemm(a, true, g, false, dw[r]);
                }
                assertEquals(2, CpuBlas.rowChunks(96, 130, 1001));
                assertEquals(dw[0], dw[1], type + " weight gradient: 1 and 2 threads differ");
                assertTrue(dw[1].equalsWithEps(a.transpose().mmul(g), type == DataType.FLOAT ? 1e-3 : 1e-10));
            }
        } finally {
            Engine.setThreads(saved);
        }
    }
}
