package org.concdvae.eval;

import org.concdvae.io.InvalidInputException;
import org.concdvae.util.Parallel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * CDVAE's coverage metrics ({@code compute_cov} in scripts/eval_utils.py), computed the same way:
 * <ul>
 *   <li>generated crystals whose fingerprinting failed are dropped; validity plays no part;</li>
 *   <li>composition fingerprints of both sets are scaled with {@link CompScaler} (NaN → 0);</li>
 *   <li>D_s and D_c are Euclidean distances [generated × reference] of the structure and scaled composition
 *       fingerprints; the nearest crystal in each space is found independently (they may differ);</li>
 *   <li>COV-R = share of reference crystals with min D_s ≤ s and min D_c ≤ c over the generated crystals;
 *       COV-P = number of kept generated crystals with min D_s ≤ s and min D_c ≤ c over the references, divided by
 *       the number of generated crystals <em>before</em> the drop;</li>
 *   <li>AMSD / AMCD = means of those minimum distances (recall: over references; precision: over kept generated).</li>
 * </ul>
 * The distance step is blocked over generated crystals and runs in parallel; results do not depend on the thread
 * count.
 */
public final class Coverage {
    /** CDVAE's per-data-set cutoffs ({@code COV_Cutoffs}): structure and composition fingerprint distance. */
    public record Cutoffs(double struct, double comp) {
        /** mp20 0.4 / 10, perov_5 0.2 / 4, carbon_24 0.2 / 4 (CDVAE's "mp20", "perovskite", "carbon"). */
        public static Cutoffs forDataset(String name) {
            return switch (name.toLowerCase(Locale.ROOT).replace("-", "_")) {
                case "mp20", "mp_20" -> new Cutoffs(0.4, 10.0);
                case "perov_5", "perov5", "perovskite" -> new Cutoffs(0.2, 4.0);
                case "carbon_24", "carbon24", "carbon" -> new Cutoffs(0.2, 4.0);
                default -> throw new InvalidInputException("unknown data set '" + name
                        + "' for coverage cutoffs: use mp20, perov_5 or carbon_24");
            };
        }
    }

    /** A crystal's fingerprints; {@code null} arrays mean fingerprinting failed. Composition is raw (unscaled). */
    public record Fingerprint(double[] struct, double[] comp) {
        public static final Fingerprint FAILED = new Fingerprint(null, null);

        public boolean ok() { return struct != null && comp != null; }
    }

    /** The metrics and the minimum distances behind them. */
    public record Result(Cutoffs cutoffs, int nRef, int nGen, int nGenFpOk, double covRecall, double covPrecision,
                         double amsdRecall, double amsdPrecision, double amcdRecall, double amcdPrecision,
                         double[] structRecallDist, double[] compRecallDist, double[] structPrecisionDist,
                         double[] compPrecisionDist) {
        /** compute_cov at another pair of cutoffs (the minima do not depend on them). */
        public double[] covAt(double s, double c) {
            return new double[]{recall(structRecallDist, compRecallDist, s, c),
                    nGen == 0 ? Double.NaN : count(structPrecisionDist, compPrecisionDist, s, c) / (double) nGen};
        }

        /** The structure cutoffs of CDVAE's coverage curves: 0, 0.05, …, 1. */
        public static double[] curveCutoffs() {
            double[] s = new double[21];
            for (int i = 0; i < s.length; i++) s[i] = i * 5 / 100.0;
            return s;
        }

        /** COV-R and COV-P at each of {@link #curveCutoffs()} with this result's composition cutoff: [2][21]. */
        public double[][] curve() {
            double[] s = curveCutoffs();
            double[][] out = new double[2][s.length];
            for (int i = 0; i < s.length; i++) {
                double[] v = covAt(s[i], cutoffs.comp());
                out[0][i] = v[0];
                out[1][i] = v[1];
            }
            return out;
        }
    }

    /** Generated crystals per parallel task, and references per cache tile (128 × 193 doubles ≈ 200 KB). */
    private static final int BLOCK = 64, TILE = 128;

    private Coverage() {}

    /**
     * compute_cov over generated and reference fingerprints. Reference fingerprints must all be present (callers drop
     * failed references and report them).
     */
    public static Result compute(List<Fingerprint> generated, List<Fingerprint> reference, Cutoffs cutoffs, int threads) {
        if (reference.isEmpty()) throw new InvalidInputException("coverage needs at least one reference crystal");
        for (Fingerprint r : reference) if (!r.ok()) throw new IllegalArgumentException("reference fingerprint missing");
        int nGen = generated.size();
        List<double[]> gs = new ArrayList<>(), gc = new ArrayList<>();
        for (Fingerprint g : generated) {
            if (g.ok()) {
                gs.add(g.struct());
                gc.add(CompScaler.scale(g.comp()));
            }
        }
        int nr = reference.size(), ng = gs.size();
        int ds = nr == 0 ? 0 : reference.get(0).struct().length, dcn = nr == 0 ? 0 : reference.get(0).comp().length;
        // contiguous rows: the tiles below stream through them
        double[] rs = new double[nr * ds], rc = new double[nr * dcn], gsf = new double[ng * ds], gcf = new double[ng * dcn];
        for (int j = 0; j < nr; j++) {
            System.arraycopy(reference.get(j).struct(), 0, rs, j * ds, ds);
            System.arraycopy(CompScaler.scale(reference.get(j).comp()), 0, rc, j * dcn, dcn);
        }
        for (int i = 0; i < ng; i++) {
            if (gs.get(i).length != ds || gc.get(i).length != dcn) throw new IllegalArgumentException("fingerprint lengths differ");
            System.arraycopy(gs.get(i), 0, gsf, i * ds, ds);
            System.arraycopy(gc.get(i), 0, gcf, i * dcn, dcn);
        }
        double[] sPrec = new double[ng], cPrec = new double[ng];
        int blocks = (ng + BLOCK - 1) / BLOCK;
        double[][] sRecBlock = new double[blocks][], cRecBlock = new double[blocks][];
        Parallel.forEach(blocks, threads, b -> {
            int lo = b * BLOCK, hi = Math.min(ng, lo + BLOCK);
            double[] sr = new double[nr], cr = new double[nr];
            Arrays.fill(sr, Double.POSITIVE_INFINITY);
            Arrays.fill(cr, Double.POSITIVE_INFINITY);
            double[] sMin = new double[hi - lo], cMin = new double[hi - lo];
            Arrays.fill(sMin, Double.POSITIVE_INFINITY);
            Arrays.fill(cMin, Double.POSITIVE_INFINITY);
            // reference tiles that stay in cache while the block's generated rows pass over them
            for (int t0 = 0; t0 < nr; t0 += TILE) {
                int t1 = Math.min(nr, t0 + TILE);
                for (int i = lo; i < hi; i++) {
                    int ai = i * ds, ci = i * dcn;
                    double sm = sMin[i - lo], cm = cMin[i - lo];
                    int j = t0;
                    for (; j + 1 < t1; j += 2) {
                        // two references at once: independent sums, each in index order
                        int r0 = j * ds, r1 = r0 + ds;
                        double s0 = 0, s1 = 0;
                        for (int k = 0; k < ds; k++) {
                            double x = gsf[ai + k], d0 = x - rs[r0 + k], d1 = x - rs[r1 + k];
                            s0 += d0 * d0;
                            s1 += d1 * d1;
                        }
                        int q0 = j * dcn, q1 = q0 + dcn;
                        double c0 = 0, c1 = 0;
                        for (int k = 0; k < dcn; k++) {
                            double x = gcf[ci + k], d0 = x - rc[q0 + k], d1 = x - rc[q1 + k];
                            c0 += d0 * d0;
                            c1 += d1 * d1;
                        }
                        sm = Math.min(sm, Math.min(s0, s1));
                        cm = Math.min(cm, Math.min(c0, c1));
                        if (s0 < sr[j]) sr[j] = s0;
                        if (s1 < sr[j + 1]) sr[j + 1] = s1;
                        if (c0 < cr[j]) cr[j] = c0;
                        if (c1 < cr[j + 1]) cr[j + 1] = c1;
                    }
                    for (; j < t1; j++) {
                        double s0 = squaredDistance(gsf, ai, rs, j * ds, ds), c0 = squaredDistance(gcf, ci, rc, j * dcn, dcn);
                        sm = Math.min(sm, s0);
                        cm = Math.min(cm, c0);
                        if (s0 < sr[j]) sr[j] = s0;
                        if (c0 < cr[j]) cr[j] = c0;
                    }
                    sMin[i - lo] = sm;
                    cMin[i - lo] = cm;
                }
            }
            for (int i = lo; i < hi; i++) {
                sPrec[i] = Math.sqrt(sMin[i - lo]);
                cPrec[i] = Math.sqrt(cMin[i - lo]);
            }
            sRecBlock[b] = sr;
            cRecBlock[b] = cr;
        });
        double[] sRec = new double[nr], cRec = new double[nr];
        Arrays.fill(sRec, Double.POSITIVE_INFINITY);
        Arrays.fill(cRec, Double.POSITIVE_INFINITY);
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < nr; j++) {
                sRec[j] = Math.min(sRec[j], sRecBlock[b][j]);
                cRec[j] = Math.min(cRec[j], cRecBlock[b][j]);
            }
        }
        for (int j = 0; j < nr; j++) {
            sRec[j] = Math.sqrt(sRec[j]);
            cRec[j] = Math.sqrt(cRec[j]);
        }
        double covR = ng == 0 ? 0.0 : recall(sRec, cRec, cutoffs.struct(), cutoffs.comp());
        double covP = nGen == 0 ? Double.NaN : count(sPrec, cPrec, cutoffs.struct(), cutoffs.comp()) / (double) nGen;
        return new Result(cutoffs, nr, nGen, ng, covR, covP, ng == 0 ? Double.NaN : mean(sRec), mean(sPrec),
                ng == 0 ? Double.NaN : mean(cRec), mean(cPrec), sRec, cRec, sPrec, cPrec);
    }

    /** Σ (a − b)² over n values from the given offsets, in index order as scipy's cdist (sqrt taken on the minimum). */
    static double squaredDistance(double[] a, int ao, double[] b, int bo, int n) {
        double s = 0;
        for (int k = 0; k < n; k++) {
            double d = a[ao + k] - b[bo + k];
            s += d * d;
        }
        return s;
    }

    private static double recall(double[] s, double[] c, double sCut, double cCut) {
        return count(s, c, sCut, cCut) / (double) s.length;
    }

    private static int count(double[] s, double[] c, double sCut, double cCut) {
        int n = 0;
        for (int i = 0; i < s.length; i++) if (s[i] <= sCut && c[i] <= cCut) n++;
        return n;
    }

    private static double mean(double[] x) {
        if (x.length == 0) return Double.NaN;
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }
}
