package org.concdvae.nn;

import org.concdvae.autodiff.Allocator;
import org.concdvae.autodiff.Engine;
import org.concdvae.autodiff.Index;
import org.concdvae.autodiff.IndexKernels;
import org.concdvae.autodiff.Simd;
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
 *   Z[e,c,k] = Σ_s W1[e,c,s] · S[e,s,k]                                   (rbf_W1 · sum_k)
 * </pre>
 * {@code x: [E,K]}, {@code W1: [E, C·S]} laid out (c,s), output {@code Z: [E, C·K]} laid out (c,k): every output
 * element is a plain 7-term sum over contiguous rows, so the loops run along K in SIMD lanes. The last contraction
 * with {@code mlp_cbf.weight [K,C,O]} is then one matrix product with the weight permuted to {@code [C·K, O]}.
 * <p>
 * The {@code [T, S, K]} intermediate of a composition from gather/scatter ops is never materialised; every output row
 * is written by one thread (parallel over edges), and the backward pass scatters to {@code x} through the triplets
 * grouped by {@code ba}, so results do not depend on the thread count. Float arrays run in float (forward and
 * backward, the production path), double arrays in double (gradient checks).
 */
public final class TripletBilinear {
    private final int numEdges;
    private final int numSpherical;
    private final int[] idBa;
    private final int[] idCa;
    private final double[] cbf;
    /** Triplets grouped by output edge (CSR of ca): row pointer, input edge and circular basis of each, in order. */
    private final int[] caPtr;
    private final int[] orderByCa;
    private final int[] baByCa;
    private final float[] cbfByCaF;
    private double[] cbfByCaD;
    /** Triplets grouped by input edge (CSR of ba), for the gradient of x; built on first backward pass. */
    private int[] baPtr;
    private int[] caByBa;
    private int[] baOrder;
    private int[] caPosByBa;
    private double[] cbfByBaD;

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
        this.idBa = idBa;
        this.idCa = idCa;
        this.cbf = cbf;
        Index ca = Index.of(idCa, numEdges);
        this.caPtr = ca.rowPtr();
        int[] ord = ca.order();
        this.baByCa = new int[ord.length];
        for (int p = 0; p < ord.length; p++) baByCa[p] = idBa[ord[p]];
        this.cbfByCaF = new float[cbf.length];
        int s = numSpherical;
        for (int p = 0; p < ord.length; p++) {
            for (int ss = 0; ss < s; ss++) cbfByCaF[p * s + ss] = (float) cbf[ord[p] * s + ss];
        }
        this.orderByCa = ord;
    }

    public int numTriplets() { return idBa.length; }

    /** {@code Z [E, C·K]} from {@code x [E,K]} and {@code W1 [E, C·S]}; differentiable in both. */
    public Tensor forward(Tape t, Tensor x, Tensor w1) {
        int e = numEdges, s = numSpherical;
        if (x.rank() != 2 || x.size(0) != e || w1.rank() != 2 || w1.size(0) != e || w1.size(1) % s != 0) {
            throw new IllegalArgumentException("TripletBilinear: x " + java.util.Arrays.toString(x.shape()) + ", W1 "
                    + java.util.Arrays.toString(w1.shape()) + " for " + e + " edges and " + s + " spherical components");
        }
        int k = (int) x.size(1), c = (int) (w1.size(1) / s);
        DataType type = x.value().dataType();
        if (type != w1.value().dataType()) throw new IllegalArgumentException("TripletBilinear: x and W1 differ in type");
        boolean grad = t.needsGrad(x) || t.needsGrad(w1);
        INDArray out;
        Backward back;
        if (type == DataType.FLOAT) {
            float[] xv = floats(x.value()), wv = floats(w1.value());
            out = forwardFloat(xv, wv, k, c, t::newArray);
            back = g -> backwardFloat(g, xv, wv, k, c, t.needsGrad(x), t.needsGrad(w1), t::newArray);
        } else if (type == DataType.DOUBLE) {
            double[] xv = doubles(x.value()), wv = doubles(w1.value());
            out = forwardDouble(xv, wv, k, c);
            back = g -> backwardDouble(g, xv, wv, k, c, t.needsGrad(x), t.needsGrad(w1));
        } else {
            throw new IllegalArgumentException("TripletBilinear needs FLOAT or DOUBLE, got " + type);
        }
        if (!grad) return t.ownedConstant(out);
        return t.custom(out, back::apply, x, w1);
    }

    private interface Backward { INDArray[] apply(INDArray g); }

    /** Whether the float loops run with the Vector API ({@link SimdTriplet}) for rows of {@code k} floats. */
    private static boolean simd(int k) { return Simd.enabled() && SimdTriplet.handles(k); }

    // ------------------------------------------------------------------------------------------------ float path

    // The float loops index every array with the same loop variable (rows copied into small scratch arrays first):
    // HotSpot's auto-vectoriser (JDK 17) leaves loops over differently offset arrays scalar, about 2x slower here.

    private INDArray forwardFloat(float[] xv, float[] wv, int k, int c, Allocator alloc) {
        int e = numEdges, s = numSpherical;
        INDArray out = alloc.uninitialized(DataType.FLOAT, e, (long) c * k);
        FloatBuffer o = out.data().asNioFloat();
        if (simd(k)) {
            Engine.parallelFor(e, 64, (from, to) -> {
                float[] sv = new float[s * k], row = new float[c * k];
                for (int edge = from; edge < to; edge++) {
                    SimdTriplet.tripletSum(caPtr[edge], caPtr[edge + 1], baByCa, cbfByCaF, xv, k, s, sv);
                    SimdTriplet.contract(sv, wv, edge * c * s, k, c, s, row);
                    o.put(edge * c * k, row, 0, c * k);
                }
            });
            return out;
        }
        Engine.parallelFor(e, 64, (from, to) -> {
            float[][] sv = new float[s][k];
            float[] xr = new float[k], row = new float[k];
            for (int edge = from; edge < to; edge++) {
                tripletSumFloat(edge, xv, k, sv, xr);
                int wo = edge * c * s;
                for (int cc = 0; cc < c; cc++) {
                    float a0 = wv[wo + cc * s];
                    float[] s0 = sv[0];
                    for (int kk = 0; kk < k; kk++) row[kk] = a0 * s0[kk];
                    for (int ss = 1; ss < s; ss++) {
                        float a = wv[wo + cc * s + ss];
                        float[] si = sv[ss];
                        for (int kk = 0; kk < k; kk++) row[kk] += a * si[kk];
                    }
                    o.put((edge * c + cc) * k, row, 0, k);
                }
            }
        });
        return out;
    }

    /** {@code sv[s][k] = Σ_{t: ca(t)=edge} cbf[t,s] x[ba(t),k]} in float ({@code xr}: scratch row). */
    private void tripletSumFloat(int edge, float[] xv, int k, float[][] sv, float[] xr) {
        int s = numSpherical;
        float[] cf = cbfByCaF;
        for (float[] q : sv) java.util.Arrays.fill(q, 0f);
        for (int p = caPtr[edge]; p < caPtr[edge + 1]; p++) {
            System.arraycopy(xv, baByCa[p] * k, xr, 0, k);
            int co = p * s;
            for (int ss = 0; ss < s; ss++) {
                float a = cf[co + ss];
                float[] q = sv[ss];
                for (int kk = 0; kk < k; kk++) q[kk] += a * xr[kk];
            }
        }
    }

    /**
     * Each thread's buffer for gV, every element of which a backward pass writes before it reads it: tens of MB per call
     * at training batch sizes, which as a fresh array each time would be zeroed and, being humongous to G1, start a
     * concurrent collection cycle every step. A thread keeps its largest (a replica thread: its micro-batch's).
     */
    private static final ThreadLocal<float[]> TRIPLET_SCRATCH = new ThreadLocal<>();

    private static float[] tripletScratch(int n) {
        float[] a = TRIPLET_SCRATCH.get();
        if (a == null || a.length < n) {
            a = new float[n];
            TRIPLET_SCRATCH.set(a);
        }
        return a;
    }

    private INDArray[] backwardFloat(INDArray gOut, float[] xv, float[] wv, int k, int c, boolean gx, boolean gw, Allocator alloc) {
        int e = numEdges, s = numSpherical;
        // gZ is read an edge's rows at a time into each thread's scratch, straight from the native buffer (a copy of
        // the whole [E, C·K] array into the Java heap was a serial pass over tens of MB per call)
        INDArray gDense = IndexKernels.dense(gOut);
        FloatBuffer gb = gDense.data().asNioFloat();
        // gradient of x in two stages that keep memory traffic low: per triplet (grouped by ca, while the edge's
        // gS = Σ_c W1[c,s] gZ[c,k] is in cache) gV[t,k] = Σ_s cbf[t,s] gS[ca(t),s,k]; then per row of x, the sum of
        // its triplets' gV (grouped by ba). Every sum runs in a fixed order: deterministic, and the same bits on the
        // SIMD and plain paths.
        float[] gV = gx ? tripletScratch(idBa.length * k) : null;
        float[] gW = gw ? new float[e * c * s] : null;
        boolean simd = simd(k);
        Engine.parallelFor(e, 64, (from, to) -> {
            float[] g = new float[c * k];
            if (simd) {
                float[] sv = new float[s * k], gs = new float[s * k];
                for (int edge = from; edge < to; edge++) {
                    gb.get(edge * c * k, g, 0, c * k);
                    if (gV != null) {
                        SimdTriplet.gradS(g, 0, wv, edge * c * s, k, c, s, gs, 0);
                        SimdTriplet.tripletGrad(caPtr[edge], caPtr[edge + 1], cbfByCaF, gs, k, s, gV);
                    }
                    if (gW != null) {
                        SimdTriplet.tripletSum(caPtr[edge], caPtr[edge + 1], baByCa, cbfByCaF, xv, k, s, sv);
                        SimdTriplet.gradW(g, 0, sv, k, c, s, gW, edge * c * s);
                    }
                }
                return;
            }
            float[][] sv = new float[s][k], gs = new float[s][k];
            float[] xr = new float[k], gr = new float[k], v = new float[k];
            for (int edge = from; edge < to; edge++) {
                int wo = edge * c * s;
                gb.get(edge * c * k, g, 0, c * k);
                if (gW != null) tripletSumFloat(edge, xv, k, sv, xr);
                if (gV != null) for (float[] q : gs) java.util.Arrays.fill(q, 0f);
                for (int cc = 0; cc < c; cc++) {
                    System.arraycopy(g, cc * k, gr, 0, k);
                    for (int ss = 0; ss < s; ss++) {
                        if (gV != null) {
                            // gS[s,k] = Σ_c W1[c,s] gZ[c,k]
                            float a = wv[wo + cc * s + ss];
                            float[] q = gs[ss];
                            for (int kk = 0; kk < k; kk++) q[kk] += a * gr[kk];
                        }
                        if (gW != null) {
                            // gW1[c,s] = Σ_k gZ[c,k] S[s,k]
                            float[] si = sv[ss];
                            float acc = 0f;
                            for (int kk = 0; kk < k; kk++) acc += gr[kk] * si[kk];
                            gW[wo + cc * s + ss] = acc;
                        }
                    }
                }
                if (gV == null) continue;
                for (int p = caPtr[edge]; p < caPtr[edge + 1]; p++) {
                    java.util.Arrays.fill(v, 0f);
                    for (int ss = 0; ss < s; ss++) {
                        float a = cbfByCaF[p * s + ss];
                        float[] q = gs[ss];
                        for (int kk = 0; kk < k; kk++) v[kk] += a * q[kk];
                    }
                    System.arraycopy(v, 0, gV, p * k, k);
                }
            }
        });
        INDArray gxArr = null;
        if (gV != null) {
            // gx[f,k] = Σ_{t: ba(t)=f} gV[t,k], one thread per destination row
            int[] pos = caPositionByBa();
            gxArr = alloc.uninitialized(DataType.FLOAT, e, k);
            FloatBuffer o = gxArr.data().asNioFloat();
            Engine.parallelFor(e, 64, (from, to) -> {
                float[] row = new float[k], src = new float[k];
                for (int f = from; f < to; f++) {
                    if (simd) {
                        SimdTriplet.sumRows(baPtr[f], baPtr[f + 1], pos, gV, k, row);
                    } else {
                        java.util.Arrays.fill(row, 0f);
                        for (int q = baPtr[f]; q < baPtr[f + 1]; q++) {
                            System.arraycopy(gV, pos[q] * k, src, 0, k);
                            for (int kk = 0; kk < k; kk++) row[kk] += src[kk];
                        }
                    }
                    o.put(f * k, row, 0, k);
                }
            });
        }
        if (gDense != gOut) gDense.close();
        INDArray gwArr = gW == null ? null : Nd4j.create(gW, new long[]{e, (long) c * s}, 'c');
        return new INDArray[]{gxArr, gwArr};
    }

    // ----------------------------------------------------------------------------------------------- double path

    private INDArray forwardDouble(double[] xv, double[] wv, int k, int c) {
        int e = numEdges, s = numSpherical;
        double[] cd = cbfByCaD();
        INDArray out = Nd4j.createUninitialized(DataType.DOUBLE, new long[]{e, (long) c * k}, 'c');
        DoubleBuffer o = out.data().asNioDouble();
        Engine.parallelFor(e, 64, (from, to) -> {
            double[] sv = new double[s * k], row = new double[c * k];
            for (int edge = from; edge < to; edge++) {
                tripletSumDouble(edge, cd, xv, k, sv);
                java.util.Arrays.fill(row, 0);
                int wo = edge * c * s;
                for (int cc = 0; cc < c; cc++) {
                    for (int ss = 0; ss < s; ss++) {
                        double a = wv[wo + cc * s + ss];
                        for (int kk = 0; kk < k; kk++) row[cc * k + kk] += a * sv[ss * k + kk];
                    }
                }
                o.put(edge * c * k, row, 0, c * k);
            }
        });
        return out;
    }

    private void tripletSumDouble(int edge, double[] cd, double[] xv, int k, double[] sv) {
        int s = numSpherical;
        java.util.Arrays.fill(sv, 0);
        for (int p = caPtr[edge]; p < caPtr[edge + 1]; p++) {
            int xo = baByCa[p] * k, co = p * s;
            for (int ss = 0; ss < s; ss++) {
                double a = cd[co + ss];
                for (int kk = 0; kk < k; kk++) sv[ss * k + kk] += a * xv[xo + kk];
            }
        }
    }

    private INDArray[] backwardDouble(INDArray gOut, double[] xv, double[] wv, int k, int c, boolean gx, boolean gw) {
        int e = numEdges, s = numSpherical;
        double[] g = doubles(gOut);
        double[] gS = gx ? new double[e * s * k] : null;
        double[] gW = gw ? new double[e * c * s] : null;
        double[] cd = cbfByCaD();
        Engine.parallelFor(e, 64, (from, to) -> {
            double[] sv = new double[s * k];
            for (int edge = from; edge < to; edge++) {
                int go = edge * c * k, wo = edge * c * s;
                if (gS != null) {
                    for (int cc = 0; cc < c; cc++) {
                        for (int ss = 0; ss < s; ss++) {
                            double a = wv[wo + cc * s + ss];
                            for (int kk = 0; kk < k; kk++) gS[(edge * s + ss) * k + kk] += a * g[go + cc * k + kk];
                        }
                    }
                }
                if (gW != null) {
                    tripletSumDouble(edge, cd, xv, k, sv);
                    for (int cc = 0; cc < c; cc++) {
                        for (int ss = 0; ss < s; ss++) {
                            double acc = 0;
                            for (int kk = 0; kk < k; kk++) acc += g[go + cc * k + kk] * sv[ss * k + kk];
                            gW[wo + cc * s + ss] = acc;
                        }
                    }
                }
            }
        });
        INDArray gxArr = null;
        if (gS != null) {
            byBa();
            double[] cb = cbfByBaD;
            gxArr = Nd4j.createUninitialized(DataType.DOUBLE, new long[]{e, k}, 'c');
            DoubleBuffer o = gxArr.data().asNioDouble();
            Engine.parallelFor(e, 64, (from, to) -> {
                double[] row = new double[k];
                for (int f = from; f < to; f++) {
                    java.util.Arrays.fill(row, 0);
                    for (int p = baPtr[f]; p < baPtr[f + 1]; p++) {
                        int so = caByBa[p] * s * k;
                        for (int ss = 0; ss < s; ss++) {
                            double a = cb[p * s + ss];
                            for (int kk = 0; kk < k; kk++) row[kk] += a * gS[so + ss * k + kk];
                        }
                    }
                    o.put(f * k, row, 0, k);
                }
            });
        }
        INDArray gwArr = gW == null ? null : Nd4j.create(gW, new long[]{e, (long) c * s}, DataType.DOUBLE);
        return new INDArray[]{gxArr, gwArr};
    }

    // -------------------------------------------------------------------------------------------------- layouts

    private synchronized double[] cbfByCaD() {
        if (cbfByCaD == null) {
            int s = numSpherical;
            double[] d = new double[cbf.length];
            for (int p = 0; p < orderByCa.length; p++) System.arraycopy(cbf, orderByCa[p] * s, d, p * s, s);
            cbfByCaD = d;
        }
        return cbfByCaD;
    }

    /** The triplets grouped by input edge: their output edges and circular basis in that order (double path). */
    private synchronized void byBa() {
        if (baPtr != null) return;
        int s = numSpherical;
        Index ba = Index.of(idBa, numEdges);
        int[] ord = ba.order();
        int[] ca = new int[ord.length];
        double[] d = new double[cbf.length];
        for (int p = 0; p < ord.length; p++) {
            ca[p] = idCa[ord[p]];
            System.arraycopy(cbf, ord[p] * s, d, p * s, s);
        }
        caByBa = ca;
        cbfByBaD = d;
        baOrder = ord;
        baPtr = ba.rowPtr();
    }

    /** For the triplets grouped by input edge, each one's position in the grouping by output edge (float path). */
    private synchronized int[] caPositionByBa() {
        byBa();
        if (caPosByBa == null) {
            int[] inv = new int[orderByCa.length];
            for (int p = 0; p < orderByCa.length; p++) inv[orderByCa[p]] = p;
            int[] pos = new int[baOrder.length];
            for (int q = 0; q < pos.length; q++) pos[q] = inv[baOrder[q]];
            caPosByBa = pos;
        }
        return caPosByBa;
    }

    /** The values of a FLOAT array as a row-major float array (bulk copy of the native buffer). */
    private static float[] floats(INDArray a) {
        INDArray d = IndexKernels.dense(a);
        float[] v = new float[(int) d.length()];
        d.data().asNioFloat().get(0, v, 0, v.length);
        if (d != a) d.close();
        return v;
    }

    /** The values of a DOUBLE array as a row-major double array (bulk copy of the native buffer). */
    private static double[] doubles(INDArray a) {
        INDArray d = IndexKernels.dense(a);
        double[] v = new double[(int) d.length()];
        d.data().asNioDouble().get(0, v, 0, v.length);
        if (d != a) d.close();
        return v;
    }
}
