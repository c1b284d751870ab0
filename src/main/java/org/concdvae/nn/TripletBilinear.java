package org.concdvae.nn;

import org.concdvae.autodiff.Engine;
import org.concdvae.autodiff.Index;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * The first two contractions of GemNet's {@code EfficientInteractionBilinear} (model.md §11.3, triplet interaction)
 * as one fused, deterministic kernel:
 * <pre>
 *   S[e,s,k] = Σ_{triplets t with ca(t)=e} cbf[t,s] · x[ba(t),k]          (the ragged sph·m2 product)
 *   Z[e,k,c] = Σ_s W1[e,c,s] · S[e,s,k]                                   (rbf_W1 · sum_k)
 * </pre>
 * {@code x: [E,K]}, {@code W1: [E, C·S]} laid out (c,s), output {@code Z: [E, K·C]} laid out (k,c), so that the
 * last contraction with {@code mlp_cbf.weight [K,C,O]} is one matrix product with its plain reshape {@code [K·C, O]}.
 * The {@code [T, S, K]} intermediate of a composition from gather/scatter ops is never materialised; every output row
 * is written by one thread (parallel over edges), and the backward pass scatters to {@code x} by the CSR of the
 * {@code ba} index, so results do not depend on the thread count.
 */
public final class TripletBilinear {
    private final int numEdges;
    private final int numSpherical;
    private final int[] ba;
    private final double[] cbf;
    private final float[] cbfFloat;
    private final Index caIndex;
    private final Index baIndex;

    /**
     * @param numEdges     E
     * @param idBa         input edge b→a of every triplet
     * @param idCa         output edge c→a of every triplet
     * @param cbf          {@code [T·S]} circular basis per triplet, row-major
     * @param numSpherical S
     */
    public TripletBilinear(int numEdges, int[] idBa, int[] idCa, double[] cbf, int numSpherical) {
        if (idBa.length != idCa.length || cbf.length != (long) idBa.length * numSpherical) {
            throw new IllegalArgumentException("triplet arrays differ in length");
        }
        this.numEdges = numEdges;
        this.numSpherical = numSpherical;
        this.ba = idBa;
        this.cbf = cbf;
        this.cbfFloat = new float[cbf.length];
        for (int i = 0; i < cbf.length; i++) cbfFloat[i] = (float) cbf[i];
        this.caIndex = Index.of(idCa, numEdges);
        this.baIndex = Index.of(idBa, numEdges);
    }

    public int numTriplets() { return ba.length; }

    /** {@code Z [E, K·C]} from {@code x [E,K]} and {@code W1 [E, C·S]}; differentiable in both. */
    public Tensor forward(Tape t, Tensor x, Tensor w1) {
        int e = numEdges, s = numSpherical;
        if (x.rank() != 2 || x.size(0) != e || w1.rank() != 2 || w1.size(0) != e || w1.size(1) % s != 0) {
            throw new IllegalArgumentException("TripletBilinear: x " + java.util.Arrays.toString(x.shape()) + ", W1 "
                    + java.util.Arrays.toString(w1.shape()) + " for " + e + " edges and " + s + " spherical components");
        }
        int k = (int) x.size(1), c = (int) (w1.size(1) / s);
        DataType type = x.value().dataType();
        boolean grad = t.needsGrad(x) || t.needsGrad(w1);
        if (type == DataType.FLOAT && !grad) return t.ownedConstant(forwardFloat(x.value(), w1.value(), k, c));
        double[] xv = doubles(x.value()), wv = doubles(w1.value());
        INDArray out = Nd4j.createUninitialized(type, new long[]{e, (long) k * c}, 'c');
        int[] ptr = caIndex.rowPtr(), ord = caIndex.order();
        Writer w = Writer.of(out);
        Engine.parallelFor(e, 64, (from, to) -> {
            double[] sv = new double[s * k], zc = new double[c * k], row = new double[k * c];
            for (int edge = from; edge < to; edge++) {
                tripletSum(edge, ptr, ord, xv, k, sv);
                java.util.Arrays.fill(zc, 0);
                int wo = edge * c * s;
                for (int cc = 0; cc < c; cc++) {
                    int zo = cc * k;
                    for (int ss = 0; ss < s; ss++) {
                        double a = wv[wo + cc * s + ss];
                        int so = ss * k;
                        for (int kk = 0; kk < k; kk++) zc[zo + kk] += a * sv[so + kk];
                    }
                }
                for (int kk = 0; kk < k; kk++) for (int cc = 0; cc < c; cc++) row[kk * c + cc] = zc[cc * k + kk];
                w.put((long) edge * k * c, row);
            }
        });
        if (!grad) return t.ownedConstant(out);
        boolean gx = t.needsGrad(x), gw = t.needsGrad(w1);
        return t.custom(out, g -> backward(g, xv, wv, k, c, gx, gw, type), x, w1);
    }

    /** Inference in float32 (the reference's precision): same sums, float accumulation, SIMD-friendly loops. */
    private INDArray forwardFloat(INDArray x, INDArray w1, int k, int c) {
        int e = numEdges, s = numSpherical;
        float[] xv = floats(x), wv = floats(w1);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, new long[]{e, (long) k * c}, 'c');
        FloatBuffer o = out.data().asNioFloat();
        int[] ptr = caIndex.rowPtr(), ord = caIndex.order();
        float[] cf = cbfFloat;
        Engine.parallelFor(e, 64, (from, to) -> {
            float[] sv = new float[s * k], zc = new float[c * k], row = new float[k * c];
            for (int edge = from; edge < to; edge++) {
                java.util.Arrays.fill(sv, 0f);
                for (int p = ptr[edge]; p < ptr[edge + 1]; p++) {
                    int tr = ord[p];
                    int xo = ba[tr] * k;
                    for (int ss = 0; ss < s; ss++) {
                        float a = cf[tr * s + ss];
                        int so = ss * k;
                        for (int kk = 0; kk < k; kk++) sv[so + kk] += a * xv[xo + kk];
                    }
                }
                java.util.Arrays.fill(zc, 0f);
                int wo = edge * c * s;
                for (int cc = 0; cc < c; cc++) {
                    int zo = cc * k;
                    for (int ss = 0; ss < s; ss++) {
                        float a = wv[wo + cc * s + ss];
                        int so = ss * k;
                        for (int kk = 0; kk < k; kk++) zc[zo + kk] += a * sv[so + kk];
                    }
                }
                for (int cc = 0; cc < c; cc++) {
                    int zo = cc * k;
                    for (int kk = 0; kk < k; kk++) row[kk * c + cc] = zc[zo + kk];
                }
                o.put(edge * k * c, row, 0, k * c);
            }
        });
        return out;
    }

    private static float[] floats(INDArray a) {
        boolean plain = !a.isView() && a.ordering() == 'c' && a.data().length() == a.length();
        INDArray d = plain ? a : a.dup('c');
        float[] v = new float[(int) d.length()];
        d.data().asNioFloat().get(0, v, 0, v.length);
        if (d != a) d.close();
        return v;
    }

    /** {@code sv[s,k] = Σ_{t: ca(t)=edge} cbf[t,s] x[ba(t),k]}. */
    private void tripletSum(int edge, int[] ptr, int[] ord, double[] xv, int k, double[] sv) {
        int s = numSpherical;
        java.util.Arrays.fill(sv, 0);
        for (int p = ptr[edge]; p < ptr[edge + 1]; p++) {
            int tr = ord[p];
            int xo = ba[tr] * k;
            for (int ss = 0; ss < s; ss++) {
                double a = cbf[tr * s + ss];
                int so = ss * k;
                for (int kk = 0; kk < k; kk++) sv[so + kk] += a * xv[xo + kk];
            }
        }
    }

    private INDArray[] backward(INDArray gOut, double[] xv, double[] wv, int k, int c, boolean gx, boolean gw, DataType type) {
        int e = numEdges, s = numSpherical;
        double[] g = doubles(gOut);
        double[] gS = gx ? new double[e * s * k] : null;
        double[] gW = gw ? new double[e * c * s] : null;
        int[] ptr = caIndex.rowPtr(), ord = caIndex.order();
        Engine.parallelFor(e, 64, (from, to) -> {
            double[] sv = new double[s * k];
            for (int edge = from; edge < to; edge++) {
                int go = edge * k * c, wo = edge * c * s;
                if (gS != null) {
                    // gS[s,k] = Σ_c W1[c,s] gZ[k,c]
                    int so = edge * s * k;
                    for (int ss = 0; ss < s; ss++) {
                        for (int kk = 0; kk < k; kk++) {
                            double acc = 0;
                            for (int cc = 0; cc < c; cc++) acc += wv[wo + cc * s + ss] * g[go + kk * c + cc];
                            gS[so + ss * k + kk] = acc;
                        }
                    }
                }
                if (gW != null) {
                    // gW1[c,s] = Σ_k gZ[k,c] S[s,k]
                    tripletSum(edge, ptr, ord, xv, k, sv);
                    for (int cc = 0; cc < c; cc++) {
                        for (int ss = 0; ss < s; ss++) {
                            double acc = 0;
                            for (int kk = 0; kk < k; kk++) acc += g[go + kk * c + cc] * sv[ss * k + kk];
                            gW[wo + cc * s + ss] = acc;
                        }
                    }
                }
            }
        });
        INDArray gxArr = null, gwArr = null;
        if (gS != null) {
            // gx[f,k] = Σ_{t: ba(t)=f} Σ_s cbf[t,s] gS[ca(t),s,k], one thread per destination row
            int[] bptr = baIndex.rowPtr(), bord = baIndex.order();
            int[] ca = caIndex.values();
            gxArr = Nd4j.createUninitialized(type, new long[]{e, k}, 'c');
            Writer w = Writer.of(gxArr);
            Engine.parallelFor(e, 64, (from, to) -> {
                double[] row = new double[k];
                for (int f = from; f < to; f++) {
                    java.util.Arrays.fill(row, 0);
                    for (int p = bptr[f]; p < bptr[f + 1]; p++) {
                        int tr = bord[p];
                        int so = ca[tr] * s * k;
                        for (int ss = 0; ss < s; ss++) {
                            double a = cbf[tr * s + ss];
                            int o = so + ss * k;
                            for (int kk = 0; kk < k; kk++) row[kk] += a * gS[o + kk];
                        }
                    }
                    w.put((long) f * k, row);
                }
            });
        }
        if (gW != null) gwArr = Nd4j.create(gW, new long[]{e, (long) c * s}, DataType.DOUBLE).castTo(type);
        return new INDArray[]{gxArr, gwArr};
    }

    /** The values of a FLOAT or DOUBLE array as a row-major double array (bulk copies of the native buffer). */
    static double[] doubles(INDArray a) {
        boolean plain = !a.isView() && a.ordering() == 'c' && a.data().length() == a.length();
        INDArray d = plain ? a : a.dup('c');
        int n = (int) d.length();
        double[] v = new double[n];
        if (d.dataType() == DataType.DOUBLE) {
            d.data().asNioDouble().get(0, v, 0, n);
        } else if (d.dataType() == DataType.FLOAT) {
            float[] f = new float[n];
            d.data().asNioFloat().get(0, f, 0, n);
            for (int i = 0; i < n; i++) v[i] = f[i];
        } else {
            throw new IllegalArgumentException("TripletBilinear needs FLOAT or DOUBLE, got " + d.dataType());
        }
        if (d != a) d.close();
        return v;
    }

    /** Writes double rows into a FLOAT or DOUBLE c-order array. */
    private interface Writer {
        void put(long offset, double[] row);

        static Writer of(INDArray out) {
            if (out.dataType() == DataType.DOUBLE) {
                DoubleBuffer b = out.data().asNioDouble();
                return (off, row) -> b.put((int) off, row, 0, row.length);
            }
            if (out.dataType() != DataType.FLOAT) throw new IllegalArgumentException("TripletBilinear needs FLOAT or DOUBLE, got " + out.dataType());
            FloatBuffer b = out.data().asNioFloat();
            return (off, row) -> {
                float[] f = new float[row.length];
                for (int i = 0; i < f.length; i++) f[i] = (float) row[i];
                b.put((int) off, f, 0, f.length);
            };
        }
    }
}
