package org.concdvae.autodiff;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Gather / scatter kernels: exact against a sequential reference, identical on the ND4J-only path and for any thread count. */
class IndexKernelsTest {
    @AfterEach
    void reset() {
        IndexKernels.usePrimitiveKernels(true);
        Engine.setThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    static int[] randomIndex(int n, int size, long seed) {
        Random r = new Random(seed);
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(size);
        return v;
    }

    static INDArray randomArray(int rows, int cols, long seed) {
        Random r = new Random(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Nd4j.create(v, new long[]{rows, cols}, DataType.FLOAT);
    }

    @Test
    void scatterSumEqualsSequentialSumInEntryOrder() {
        int e = 5000, n = 300, f = 37;
        int[] idx = randomIndex(e, n - 5, 1); // last rows empty
        INDArray src = randomArray(e, f, 2);
        float[] s = src.reshape(src.length()).toFloatVector();
        float[] ref = new float[n * f];
        for (int i = 0; i < e; i++) for (int k = 0; k < f; k++) ref[idx[i] * f + k] += s[i * f + k];
        Index index = Index.of(idx, n);
        INDArray got = IndexKernels.scatterSum(src, index);
        assertArrayEquals(ref, got.reshape(got.length()).toFloatVector(), 0f, "bitwise equal to the sequential order");
        IndexKernels.usePrimitiveKernels(false);
        INDArray nd = IndexKernels.scatterSum(src, index);
        assertArrayEquals(new long[]{n, f}, nd.shape());
        assertArrayEquals(ref, nd.reshape(nd.length()).toFloatVector(), 1e-4f, "ND4J-only path");
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        int e = 20000, n = 700, f = 64;
        Index index = Index.of(randomIndex(e, n, 3), n);
        INDArray src = randomArray(e, f, 4);
        Engine.setThreads(1);
        INDArray one = IndexKernels.scatterSum(src, index);
        INDArray g1 = IndexKernels.gather(one, index);
        Engine.setThreads(4);
        for (int rep = 0; rep < 5; rep++) {
            assertEquals(one, IndexKernels.scatterSum(src, index));
            assertEquals(g1, IndexKernels.gather(one, index));
        }
    }

    @Test
    void gatherCopiesRowsOnBothPaths() {
        INDArray x = randomArray(50, 9, 5);
        int[] idx = randomIndex(400, 50, 6);
        Index index = Index.of(idx, 50);
        INDArray g = IndexKernels.gather(x, index);
        for (int i = 0; i < idx.length; i += 37) assertEquals(x.getRow(idx[i]), g.getRow(i));
        IndexKernels.usePrimitiveKernels(false);
        assertEquals(g, IndexKernels.gather(x, index));
        INDArray v = Nd4j.createFromArray(1.0, 2.0, 3.0);
        IndexKernels.usePrimitiveKernels(true);
        assertArrayEquals(new double[]{3, 1, 1}, IndexKernels.gather(v, Index.of(new int[]{2, 0, 0}, 3)).toDoubleVector());
    }

    @Test
    void gatherFromAView() {
        INDArray big = randomArray(20, 8, 7);
        INDArray view = big.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 6));
        INDArray g = IndexKernels.gather(view, Index.of(new int[]{19, 0}, 20));
        assertEquals(view.getRow(19), g.getRow(0));
    }

    @Test
    void badIndicesFailClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Index.of(new int[]{0, 5}, 5));
        assertEquals("index value 5 at position 1 outside [0, 5)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IndexKernels.gather(randomArray(4, 2, 1), Index.of(new int[]{0}, 5)));
    }

    @Test
    void ofCountsBuildsSegmentIds() {
        Index s = Index.ofCounts(new int[]{2, 0, 3});
        assertArrayEquals(new int[]{0, 0, 2, 2, 2}, s.values());
        assertEquals(0, s.count(1));
        assertArrayEquals(new int[]{0, 2, 2, 5}, s.rowPtr());
    }
}
