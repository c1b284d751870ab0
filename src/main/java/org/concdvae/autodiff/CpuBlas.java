package org.concdvae.autodiff;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * Matrix products of the tape straight into OpenBLAS (the library ND4J's CPU backend calls), for dense row-major
 * operands. ND4J's matmul op zero-fills the output before the BLAS call, which then overwrites it (beta = 0): an extra
 * pass over every edge-sized output, about a tenth of a product at our shapes. Other cases go through ND4J.
 * Large products are cut into row blocks of the output run on {@link Engine}'s threads ({@link #rowChunks}).
 */
final class CpuBlas {
    /** Products below this many multiply-adds run on one thread (waking the others costs more than they save). */
    static final long SPLIT_WORK = 1L << 20;
    /** No part gets fewer rows of the output than this. */
    static final int MIN_ROWS = 16;

    private CpuBlas() {}

    /**
     * How many row blocks of the output {@code [m, n]} the product is cut into, one per thread. OpenBLAS itself runs
     * single-threaded ({@link Engine#setThreads}): with its own threads it spins between calls on the cores our
     * kernels need, and its threaded products stop to synchronise. Each row of the output is computed by the same
     * kernel either way, so the result does not depend on the number of threads.
     */
    static int rowChunks(int m, int n, int k) {
        int t = Engine.threads();
        if (t == 1 || (long) m * n * k < SPLIT_WORK) return 1;
        return Math.max(1, Math.min(t, m / MIN_ROWS));
    }

    /** Element offset of output row {@code row} in {@code A} (row-major, leading dimension {@code lda}). */
    private static long rowOffset(int row, boolean ta, int lda) { return ta ? row : (long) row * lda; }

    /** {@code c = op(a)·op(b)} ({@code op} transposes when asked); {@code c} a new c-order array of the right shape. */
    static INDArray gemm(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c) {
        DataType t = c.dataType();
        if (!IndexKernels.primitiveKernels() || (t != DataType.FLOAT && t != DataType.DOUBLE)
                || a.dataType() != t || b.dataType() != t || a.rank() != 2 || b.rank() != 2
                || !IndexKernels.isDense(c) || a.length() == 0 || b.length() == 0) {
            return Nd4j.gemm(a, b, c, ta, tb, 1.0, 0.0);
        }
        if (!IndexKernels.isDense(a) || !IndexKernels.isDense(b)) {
            // a view (a permuted weight, a slice): one dense copy, so the product still runs on all threads
            INDArray ad = IndexKernels.isDense(a) ? a : a.dup('c'), bd = IndexKernels.isDense(b) ? b : b.dup('c');
            try {
                return IndexKernels.isDense(ad) && IndexKernels.isDense(bd) ? direct(ad, ta, bd, tb, c)
                        : Nd4j.gemm(a, b, c, ta, tb, 1.0, 0.0);
            } finally {
                if (ad != a) ad.close();
                if (bd != b) bd.close();
            }
        }
        return direct(a, ta, b, tb, c);
    }

    /** The product of dense operands, cut into row blocks of the output ({@link #rowChunks}). */
    private static INDArray direct(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c) {
        DataType t = c.dataType();
        int m = (int) (ta ? a.size(1) : a.size(0)), k = (int) (ta ? a.size(0) : a.size(1));
        int n = (int) (tb ? b.size(0) : b.size(1));
        if ((tb ? b.size(1) : b.size(0)) != k || c.size(0) != m || c.size(1) != n) {
            throw new IllegalArgumentException("gemm: shapes do not match");
        }
        int lda = (int) a.size(1), ldb = (int) b.size(1);
        int opA = ta ? CblasTrans : CblasNoTrans, opB = tb ? CblasTrans : CblasNoTrans;
        int chunks = rowChunks(m, n, k);
        if (t == DataType.FLOAT) {
            FloatPointer pa = (FloatPointer) a.data().addressPointer(), pb = (FloatPointer) b.data().addressPointer();
            FloatPointer pc = (FloatPointer) c.data().addressPointer();
            Engine.parallelChunks(m, chunks, (from, to) -> cblas_sgemm(CblasRowMajor, opA, opB, to - from, n, k, 1f,
                    from == 0 ? pa : new FloatPointer(pa).position(pa.position() + rowOffset(from, ta, lda)), lda, pb, ldb, 0f,
                    from == 0 ? pc : new FloatPointer(pc).position(pc.position() + (long) from * n), n));
        } else {
            DoublePointer pa = (DoublePointer) a.data().addressPointer(), pb = (DoublePointer) b.data().addressPointer();
            DoublePointer pc = (DoublePointer) c.data().addressPointer();
            Engine.parallelChunks(m, chunks, (from, to) -> cblas_dgemm(CblasRowMajor, opA, opB, to - from, n, k, 1.0,
                    from == 0 ? pa : new DoublePointer(pa).position(pa.position() + rowOffset(from, ta, lda)), lda, pb, ldb, 0.0,
                    from == 0 ? pc : new DoublePointer(pc).position(pc.position() + (long) from * n), n));
        }
        return c;
    }
}
