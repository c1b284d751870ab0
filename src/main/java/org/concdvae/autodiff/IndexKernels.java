package org.concdvae.autodiff;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.segment.SegmentSum;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Row gather and deterministic scatter-sum, the hot loops of message passing.
 *
 * <p>Primary path (CPU backend, FLOAT/DOUBLE): direct access to the native buffers, parallel over output rows; in
 * scatter every destination row is summed by one thread over its entries in increasing position (the CSR of the
 * {@link Index}), so results do not depend on the thread count. Fallback path (other backends or data types): ND4J
 * ops only ({@code pullRows} and the sorted {@code SegmentSum}), also deterministic. Both paths give identical
 * results (tested).
 */
public final class IndexKernels {
    private IndexKernels() {}

    /** Process-wide switch, for tests and for backends without host-accessible buffers. */
    private static volatile boolean primitive = Nd4j.getBackend().getClass().getSimpleName().toLowerCase().contains("cpu");

    public static void usePrimitiveKernels(boolean on) { primitive = on; }

    public static boolean primitiveKernels() { return primitive; }

    private static boolean direct(INDArray a) {
        return primitive && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE);
    }

    /** Whether {@code a} owns a contiguous c-order buffer of exactly its elements (kernels may use it directly). */
    public static boolean isDense(INDArray a) {
        return !a.isView() && a.ordering() == 'c' && a.data().length() == a.length();
    }

    /** Contiguous c-order array without offset: the array itself, or a copy that the caller must close. */
    public static INDArray dense(INDArray a) {
        if (isDense(a)) return a;
        return a.dup('c');
    }

    private static long[] withRows(long[] shape, long rows) {
        long[] s = shape.clone();
        s[0] = rows;
        return s;
    }

    /** {@code out[i, ...] = x[idx[i], ...]}; x has {@code idx.size()} rows. */
    public static INDArray gather(INDArray x, Index idx) { return gather(x, idx, Allocator.ND4J); }

    /** {@link #gather(INDArray, Index)} with the output from {@code alloc}. */
    public static INDArray gather(INDArray x, Index idx, Allocator alloc) {
        if (x.rank() == 0 || x.size(0) != idx.size()) {
            throw new IllegalArgumentException("gather: tensor has " + (x.rank() == 0 ? 0 : x.size(0)) + " rows, index addresses " + idx.size());
        }
        int n = idx.length();
        long[] outShape = withRows(x.shape(), n);
        int f = (int) (x.size(0) == 0 ? 1 : x.length() / x.size(0));
        if (n == 0) return Nd4j.create(x.dataType(), outShape);
        if (!direct(x)) {
            INDArray x2 = x.reshape('c', x.size(0), f);
            INDArray r = Nd4j.pullRows(x2, 1, idx.values());
            return r.reshape('c', outShape); // shares r's buffer
        }
        INDArray xs = dense(x);
        INDArray out = alloc.uninitialized(x.dataType(), outShape);
        int[] v = idx.values();
        int grain = Math.max(1, 16384 / Math.max(1, f));
        if (x.dataType() == DataType.FLOAT) {
            FloatBuffer in = xs.data().asNioFloat(), o = out.data().asNioFloat();
            Engine.parallelFor(n, grain, (from, to) -> {
                float[] row = new float[f];
                for (int i = from; i < to; i++) {
                    in.get(v[i] * f, row, 0, f);
                    o.put(i * f, row, 0, f);
                }
            });
        } else {
            DoubleBuffer in = xs.data().asNioDouble(), o = out.data().asNioDouble();
            Engine.parallelFor(n, grain, (from, to) -> {
                double[] row = new double[f];
                for (int i = from; i < to; i++) {
                    in.get(v[i] * f, row, 0, f);
                    o.put(i * f, row, 0, f);
                }
            });
        }
        if (xs != x) xs.close();
        return out;
    }

    /** {@code out[d, ...] = Σ_{i: idx[i]=d} src[i, ...]}, {@code idx.size()} output rows, zero rows where no entry. */
    public static INDArray scatterSum(INDArray src, Index idx) { return scatterSum(src, idx, Allocator.ND4J); }

    /** {@link #scatterSum(INDArray, Index)} with the output from {@code alloc} (the primary path). */
    public static INDArray scatterSum(INDArray src, Index idx, Allocator alloc) {
        if (src.rank() == 0 || src.size(0) != idx.length()) {
            throw new IllegalArgumentException("scatterSum: tensor has " + (src.rank() == 0 ? 0 : src.size(0)) + " rows, index has " + idx.length() + " entries");
        }
        int nOut = idx.size();
        long[] outShape = withRows(src.shape(), nOut);
        int f = (int) (src.size(0) == 0 ? Math.max(1, lengthOfRest(src.shape())) : src.length() / src.size(0));
        if (nOut == 0) return Nd4j.create(src.dataType(), outShape);
        if (idx.length() == 0) return Nd4j.zeros(src.dataType(), outShape);
        int[] ptr = idx.rowPtr(), ord = idx.order();
        if (!direct(src)) return scatterSumNd(src, idx, outShape, f);
        INDArray ss = dense(src);
        INDArray out = alloc.uninitialized(src.dataType(), outShape);
        int grain = Math.max(1, 16384 / Math.max(1, f * Math.max(1, idx.length() / Math.max(1, nOut))));
        if (src.dataType() == DataType.FLOAT) {
            FloatBuffer in = ss.data().asNioFloat(), o = out.data().asNioFloat();
            Engine.parallelFor(nOut, grain, (from, to) -> {
                float[] acc = new float[f], row = new float[f];
                for (int d = from; d < to; d++) {
                    java.util.Arrays.fill(acc, 0f);
                    for (int p = ptr[d]; p < ptr[d + 1]; p++) {
                        in.get(ord[p] * f, row, 0, f);
                        for (int k = 0; k < f; k++) acc[k] += row[k];
                    }
                    o.put(d * f, acc, 0, f);
                }
            });
        } else {
            DoubleBuffer in = ss.data().asNioDouble(), o = out.data().asNioDouble();
            Engine.parallelFor(nOut, grain, (from, to) -> {
                double[] acc = new double[f], row = new double[f];
                for (int d = from; d < to; d++) {
                    java.util.Arrays.fill(acc, 0d);
                    for (int p = ptr[d]; p < ptr[d + 1]; p++) {
                        in.get(ord[p] * f, row, 0, f);
                        for (int k = 0; k < f; k++) acc[k] += row[k];
                    }
                    o.put(d * f, acc, 0, f);
                }
            });
        }
        if (ss != src) ss.close();
        return out;
    }

    private static long lengthOfRest(long[] shape) {
        long l = 1;
        for (int i = 1; i < shape.length; i++) l *= shape[i];
        return l;
    }

    /** ND4J-only scatter: rows sorted by destination (stable), sorted segment sum, zero rows for empty segments. */
    private static INDArray scatterSumNd(INDArray src, Index idx, long[] outShape, int f) {
        int[] ord = idx.order();
        int nOut = idx.size();
        INDArray s2 = src.reshape('c', src.size(0), f);
        INDArray sorted = Nd4j.pullRows(s2, 1, ord);
        int[] seg = new int[ord.length];
        for (int i = 0; i < ord.length; i++) seg[i] = idx.get(ord[i]);
        INDArray segIds = Nd4j.createFromArray(seg);
        INDArray summed = Nd4j.exec(new SegmentSum(sorted, segIds))[0];
        INDArray out;
        int got = (int) summed.size(0);
        if (got < nOut) {
            INDArray pad = Nd4j.zeros(src.dataType(), nOut - got, f);
            out = Nd4j.concat(0, summed, pad);
            pad.close();
            summed.close();
        } else {
            out = summed;
        }
        sorted.close();
        segIds.close();
        INDArray r = out.reshape('c', outShape);
        return r;
    }
}
