package org.concdvae.autodiff;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Fused kernels for triplet interactions, where materialising the per-triplet tensors would cost {@code T·S·K}
 * memory (GemNet: T ≈ 240k triplets × 7 × 64). Deterministic: every output row is reduced by one thread over its
 * entries in increasing triplet order (CSR of the index). ND4J-only fallback for other backends.
 */
public final class TripletKernels {
    private TripletKernels() {}

    private static boolean primitive(INDArray... as) {
        if (!IndexKernels.primitiveKernels()) return false;
        DataType dt = as[0].dataType();
        if (dt != DataType.FLOAT && dt != DataType.DOUBLE) return false;
        for (INDArray a : as) if (a.dataType() != dt) return false;
        return true;
    }

    /**
     * {@code out[e, s·K + k] = Σ_{t: out(t)=e} coef[t, s] · x[in(t), k]}: x {@code [Ein, K]}, coef {@code [T, S]},
     * result {@code [out.size(), S·K]} (= {@code [E, S, K]} in C order).
     */
    static INDArray forward(INDArray x, Index in, INDArray coef, Index out) {
        int k = (int) x.size(1), s = (int) coef.size(1), e = out.size();
        if (!primitive(x, coef)) return forwardNd(x, in, coef, out);
        double[] xv = x.dup('c').reshape(x.length()).toDoubleVector();
        double[] cv = coef.dup('c').reshape(coef.length()).toDoubleVector();
        int[] ptr = out.rowPtr(), ord = out.order(), src = in.values();
        double[] res = new double[e * s * k];
        Engine.parallelFor(e, 16, (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * s * k;
                for (int p = ptr[r]; p < ptr[r + 1]; p++) {
                    int t = ord[p], xb = src[t] * k;
                    for (int j = 0; j < s; j++) {
                        double c = cv[t * s + j];
                        int o = base + j * k;
                        for (int q = 0; q < k; q++) res[o + q] += c * xv[xb + q];
                    }
                }
            }
        });
        return Arrays2.castClose(Nd4j.create(res, new long[]{e, (long) s * k}, DataType.DOUBLE), x.dataType());
    }

    /** Gradient w.r.t. x: {@code dx[b, k] = Σ_{t: in(t)=b} Σ_s coef[t, s] · g[out(t), s·K + k]}. */
    static INDArray backwardX(INDArray g, Index in, INDArray coef, Index out, int k) {
        int s = (int) coef.size(1), nb = in.size();
        if (!primitive(g, coef)) return backwardXNd(g, in, coef, out, k);
        double[] gv = g.dup('c').reshape(g.length()).toDoubleVector();
        double[] cv = coef.dup('c').reshape(coef.length()).toDoubleVector();
        int[] ptr = in.rowPtr(), ord = in.order(), dst = out.values();
        double[] res = new double[nb * k];
        Engine.parallelFor(nb, 16, (from, to) -> {
            for (int b = from; b < to; b++) {
                int o = b * k;
                for (int p = ptr[b]; p < ptr[b + 1]; p++) {
                    int t = ord[p], gb = dst[t] * s * k;
                    for (int j = 0; j < s; j++) {
                        double c = cv[t * s + j];
                        int gi = gb + j * k;
                        for (int q = 0; q < k; q++) res[o + q] += c * gv[gi + q];
                    }
                }
            }
        });
        return Arrays2.castClose(Nd4j.create(res, new long[]{nb, k}, DataType.DOUBLE), g.dataType());
    }

    private static INDArray forwardNd(INDArray x, Index in, INDArray coef, Index out) {
        int k = (int) x.size(1), s = (int) coef.size(1);
        INDArray gathered = IndexKernels.gather(x, in);
        INDArray res = Nd4j.create(x.dataType(), out.size(), (long) s * k);
        for (int j = 0; j < s; j++) {
            INDArray col = coef.get(NDArrayIndex.all(), NDArrayIndex.point(j)).reshape(coef.size(0), 1);
            INDArray prod = gathered.mulColumnVector(col);
            INDArray sum = IndexKernels.scatterSum(prod, out);
            res.get(NDArrayIndex.all(), NDArrayIndex.interval((long) j * k, (long) (j + 1) * k)).assign(sum);
            prod.close();
            sum.close();
        }
        gathered.close();
        return res;
    }

    private static INDArray backwardXNd(INDArray g, Index in, INDArray coef, Index out, int k) {
        int s = (int) coef.size(1);
        INDArray gg = IndexKernels.gather(g, out); // [T, S·K]
        INDArray acc = Nd4j.create(g.dataType(), coef.size(0), k);
        for (int j = 0; j < s; j++) {
            INDArray col = coef.get(NDArrayIndex.all(), NDArrayIndex.point(j)).reshape(coef.size(0), 1);
            INDArray part = gg.get(NDArrayIndex.all(), NDArrayIndex.interval((long) j * k, (long) (j + 1) * k)).mulColumnVector(col);
            acc.addi(part);
            part.close();
        }
        gg.close();
        INDArray res = IndexKernels.scatterSum(acc, in);
        acc.close();
        return res;
    }

    /** Batched matrix product {@code [B,n,k]·[B,k,m] → [B,n,m]} (optionally transposing the operands' last two axes). */
    static INDArray bmm(INDArray a, INDArray b, boolean ta, boolean tb) {
        int bs = (int) a.size(0);
        int n = (int) (ta ? a.size(2) : a.size(1)), kk = (int) (ta ? a.size(1) : a.size(2));
        int m = (int) (tb ? b.size(1) : b.size(2));
        int kb = (int) (tb ? b.size(2) : b.size(1));
        if (kb != kk || b.size(0) != bs) {
            throw new IllegalArgumentException("bmm: shapes do not match " + java.util.Arrays.toString(a.shape()) + " x " + java.util.Arrays.toString(b.shape()));
        }
        if (!primitive(a, b)) {
            INDArray res = Nd4j.create(a.dataType(), bs, n, m);
            for (int i = 0; i < bs; i++) {
                INDArray ai = a.slice(i), bi = b.slice(i);
                res.slice(i).assign(Nd4j.gemm(ai.dup('c'), bi.dup('c'), ta, tb));
            }
            return res;
        }
        double[] av = a.dup('c').reshape(a.length()).toDoubleVector(), bv = b.dup('c').reshape(b.length()).toDoubleVector();
        int a1 = (int) a.size(1), a2 = (int) a.size(2), b1 = (int) b.size(1), b2 = (int) b.size(2);
        double[] res = new double[bs * n * m];
        Engine.parallelFor(bs, 8, (from, to) -> {
            double[] brow = new double[m];
            for (int i = from; i < to; i++) {
                int ao = i * a1 * a2, bo = i * b1 * b2, ro = i * n * m;
                for (int r = 0; r < n; r++) {
                    for (int p = 0; p < kk; p++) {
                        double av0 = ta ? av[ao + p * a2 + r] : av[ao + r * a2 + p];
                        if (av0 == 0) continue;
                        if (tb) {
                            for (int c = 0; c < m; c++) brow[c] = bv[bo + c * b2 + p];
                        } else {
                            System.arraycopy(bv, bo + p * b2, brow, 0, m);
                        }
                        int o = ro + r * m;
                        for (int c = 0; c < m; c++) res[o + c] += av0 * brow[c];
                    }
                }
            }
        });
        return Arrays2.castClose(Nd4j.create(res, new long[]{bs, n, m}, DataType.DOUBLE), a.dataType());
    }
}
