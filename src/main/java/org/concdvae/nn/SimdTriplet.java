package org.concdvae.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float loops of {@link TripletBilinear} with the Vector API ({@link org.concdvae.autodiff.Simd}), for K a multiple
 * of the vector length (64 in the official model). Each output element is summed in the order of the plain loops, so
 * {@code Z}, the gradient of {@code x} and the triplet sums are bit for bit the same; only the gradient of {@code W1},
 * a dot product over K, is summed lane-wise (within rounding of the plain loop). Loaded only when SIMD is enabled.
 */
final class SimdTriplet {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private SimdTriplet() {}

    static boolean handles(int k) { return k % L == 0; }

    /** {@code sv[s·K + k] = Σ_{p in [from,to)} cf[p·S + s] · x[ba[p]·K + k]}. */
    static void tripletSum(int from, int to, int[] ba, float[] cf, float[] xv, int k, int s, float[] sv) {
        if (s == 7) {
            tripletSum7(from, to, ba, cf, xv, k, sv);
            return;
        }
        java.util.Arrays.fill(sv, 0, s * k, 0f);
        for (int p = from; p < to; p++) {
            int xo = ba[p] * k, co = p * s;
            for (int kb = 0; kb < k; kb += L) {
                FloatVector x = FloatVector.fromArray(F, xv, xo + kb);
                for (int ss = 0; ss < s; ss++) {
                    int o = ss * k + kb;
                    FloatVector.fromArray(F, sv, o).add(x.mul(cf[co + ss])).intoArray(sv, o);
                }
            }
        }
    }

    /** {@code row[c·K + k] = Σ_s w[wo + c·S + s] · sv[s·K + k]} for one edge. */
    static void contract(float[] sv, float[] wv, int wo, int k, int c, int s, float[] row) {
        if (s == 7) {
            contract7(sv, wv, wo, k, c, row);
            return;
        }
        for (int cc = 0; cc < c; cc++) {
            int w = wo + cc * s;
            for (int kb = 0; kb < k; kb += L) {
                FloatVector r = FloatVector.fromArray(F, sv, kb).mul(wv[w]);
                for (int ss = 1; ss < s; ss++) r = r.add(FloatVector.fromArray(F, sv, ss * k + kb).mul(wv[w + ss]));
                r.intoArray(row, cc * k + kb);
            }
        }
    }

    // S = 7 (the official num_spherical): the seven partial sums of a K-block stay in registers; same order, same bits

    private static void tripletSum7(int from, int to, int[] ba, float[] cf, float[] xv, int k, float[] sv) {
        for (int kb = 0; kb < k; kb += L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0;
            for (int p = from; p < to; p++) {
                FloatVector x = FloatVector.fromArray(F, xv, ba[p] * k + kb);
                int co = p * 7;
                a0 = a0.add(x.mul(cf[co]));
                a1 = a1.add(x.mul(cf[co + 1]));
                a2 = a2.add(x.mul(cf[co + 2]));
                a3 = a3.add(x.mul(cf[co + 3]));
                a4 = a4.add(x.mul(cf[co + 4]));
                a5 = a5.add(x.mul(cf[co + 5]));
                a6 = a6.add(x.mul(cf[co + 6]));
            }
            a0.intoArray(sv, kb);
            a1.intoArray(sv, k + kb);
            a2.intoArray(sv, 2 * k + kb);
            a3.intoArray(sv, 3 * k + kb);
            a4.intoArray(sv, 4 * k + kb);
            a5.intoArray(sv, 5 * k + kb);
            a6.intoArray(sv, 6 * k + kb);
        }
    }

    private static void contract7(float[] sv, float[] wv, int wo, int k, int c, float[] row) {
        for (int kb = 0; kb < k; kb += L) {
            FloatVector s0 = FloatVector.fromArray(F, sv, kb), s1 = FloatVector.fromArray(F, sv, k + kb),
                    s2 = FloatVector.fromArray(F, sv, 2 * k + kb), s3 = FloatVector.fromArray(F, sv, 3 * k + kb),
                    s4 = FloatVector.fromArray(F, sv, 4 * k + kb), s5 = FloatVector.fromArray(F, sv, 5 * k + kb),
                    s6 = FloatVector.fromArray(F, sv, 6 * k + kb);
            for (int cc = 0; cc < c; cc++) {
                int w = wo + cc * 7;
                s0.mul(wv[w]).add(s1.mul(wv[w + 1])).add(s2.mul(wv[w + 2])).add(s3.mul(wv[w + 3]))
                        .add(s4.mul(wv[w + 4])).add(s5.mul(wv[w + 5])).add(s6.mul(wv[w + 6]))
                        .intoArray(row, cc * k + kb);
            }
        }
    }

    /** {@code gS[so + s·K + k] = Σ_c w[wo + c·S + s] · g[go + c·K + k]} for one edge. */
    static void gradS(float[] g, int go, float[] wv, int wo, int k, int c, int s, float[] gS, int so) {
        for (int ss = 0; ss < s; ss++) {
            for (int kb = 0; kb < k; kb += L) {
                FloatVector acc = FloatVector.zero(F);
                for (int cc = 0; cc < c; cc++) {
                    acc = acc.add(FloatVector.fromArray(F, g, go + cc * k + kb).mul(wv[wo + cc * s + ss]));
                }
                acc.intoArray(gS, so + ss * k + kb);
            }
        }
    }

    /** {@code gW[wo + c·S + s] = Σ_k g[go + c·K + k] · sv[s·K + k]} for one edge (lane-wise sums). */
    static void gradW(float[] g, int go, float[] sv, int k, int c, int s, float[] gW, int wo) {
        for (int cc = 0; cc < c; cc++) {
            for (int ss = 0; ss < s; ss++) {
                FloatVector acc = FloatVector.zero(F);
                for (int kb = 0; kb < k; kb += L) {
                    acc = acc.add(FloatVector.fromArray(F, g, go + cc * k + kb).mul(FloatVector.fromArray(F, sv, ss * k + kb)));
                }
                gW[wo + cc * s + ss] = acc.reduceLanes(VectorOperators.ADD);
            }
        }
    }

    /** {@code gV[p·K + k] = Σ_s cf[p·S + s] · gs[s·K + k]} for the triplets {@code p in [from,to)} of one edge. */
    static void tripletGrad(int from, int to, float[] cf, float[] gs, int k, int s, float[] gV) {
        for (int p = from; p < to; p++) {
            int co = p * s;
            for (int kb = 0; kb < k; kb += L) {
                FloatVector acc = FloatVector.zero(F);
                for (int ss = 0; ss < s; ss++) acc = acc.add(FloatVector.fromArray(F, gs, ss * k + kb).mul(cf[co + ss]));
                acc.intoArray(gV, p * k + kb);
            }
        }
    }

    /** {@code row[k] = Σ_{q in [from,to)} gV[pos[q]·K + k]} (the gradient of one x row). */
    static void sumRows(int from, int to, int[] pos, float[] gV, int k, float[] row) {
        if (k == 4 * L) {
            // four independent sums (one per K-block) in flight; same order per element
            FloatVector r0 = FloatVector.zero(F), r1 = r0, r2 = r0, r3 = r0;
            for (int q = from; q < to; q++) {
                int o = pos[q] * k;
                r0 = r0.add(FloatVector.fromArray(F, gV, o));
                r1 = r1.add(FloatVector.fromArray(F, gV, o + L));
                r2 = r2.add(FloatVector.fromArray(F, gV, o + 2 * L));
                r3 = r3.add(FloatVector.fromArray(F, gV, o + 3 * L));
            }
            r0.intoArray(row, 0);
            r1.intoArray(row, L);
            r2.intoArray(row, 2 * L);
            r3.intoArray(row, 3 * L);
            return;
        }
        for (int kb = 0; kb < k; kb += L) {
            FloatVector acc = FloatVector.zero(F);
            for (int q = from; q < to; q++) acc = acc.add(FloatVector.fromArray(F, gV, pos[q] * k + kb));
            acc.intoArray(row, kb);
        }
    }
}
