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
 */
final class CpuBlas {
    private CpuBlas() {}

    /** {@code c = op(a)·op(b)} ({@code op} transposes when asked); {@code c} a new c-order array of the right shape. */
    static INDArray gemm(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c) {
        DataType t = c.dataType();
        if (!IndexKernels.primitiveKernels() || (t != DataType.FLOAT && t != DataType.DOUBLE)
                || a.dataType() != t || b.dataType() != t || a.rank() != 2 || b.rank() != 2
                || !IndexKernels.isDense(a) || !IndexKernels.isDense(b) || !IndexKernels.isDense(c)
                || a.length() == 0 || b.length() == 0) {
            return Nd4j.gemm(a, b, c, ta, tb, 1.0, 0.0);
        }
        int m = (int) (ta ? a.size(1) : a.size(0)), k = (int) (ta ? a.size(0) : a.size(1));
        int n = (int) (tb ? b.size(0) : b.size(1));
        if ((tb ? b.size(1) : b.size(0)) != k || c.size(0) != m || c.size(1) != n) {
            throw new IllegalArgumentException("gemm: shapes do not match");
        }
        int lda = (int) a.size(1), ldb = (int) b.size(1);
        int opA = ta ? CblasTrans : CblasNoTrans, opB = tb ? CblasTrans : CblasNoTrans;
        if (t == DataType.FLOAT) {
            cblas_sgemm(CblasRowMajor, opA, opB, m, n, k, 1f, (FloatPointer) a.data().addressPointer(), lda,
                    (FloatPointer) b.data().addressPointer(), ldb, 0f, (FloatPointer) c.data().addressPointer(), n);
        } else {
            cblas_dgemm(CblasRowMajor, opA, opB, m, n, k, 1.0, (DoublePointer) a.data().addressPointer(), lda,
                    (DoublePointer) b.data().addressPointer(), ldb, 0.0, (DoublePointer) c.data().addressPointer(), n);
        }
        return c;
    }
}
