package org.concdvae.eval;

import org.concdvae.util.Parallel;

import java.util.Random;

/**
 * Exact t-SNE (van der Maaten & Hinton 2008, JMLR 9:2579) with the optimiser settings of scikit-learn's TSNE: Gaussian
 * input affinities at a fixed perplexity (bisection on the precision per point), symmetrised P, Student-t output
 * affinities, early exaggeration 12 for the first 250 iterations (momentum 0.5, then 0.8), delta-bar-delta gains
 * (+0.2 / ×0.8, min 0.01), learning rate max(n / 12 / 4, 50) and a start of 1e-4·N(0, 1) per coordinate (scikit-learn's random init) drawn from {@code seed}. Cost
 * O(n²) per iteration, meant for up to a few thousand points; deterministic for a seed and any thread count.
 */
public final class Tsne {
    public static final double EARLY_EXAGGERATION = 12.0;
    public static final int EXAGGERATION_ITERATIONS = 250;

    private final double perplexity;
    private final int iterations;
    private final long seed;
    private final int threads;

    public Tsne(double perplexity, int iterations, long seed, int threads) {
        if (!(perplexity > 0)) throw new IllegalArgumentException("perplexity must be > 0");
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1");
        this.perplexity = perplexity;
        this.iterations = iterations;
        this.seed = seed;
        this.threads = threads;
    }

    /** 2-D embedding of the rows of {@code x} ({@code [n][d]}, n ≥ 2). */
    public double[][] embed(double[][] x) {
        int n = x.length;
        if (n < 2) throw new IllegalArgumentException("t-SNE needs at least 2 points, got " + n);
        double[] p = affinities(x);
        double[][] y = new double[n][2];
        Random rng = new Random(seed);
        for (double[] row : y) {
            row[0] = 1e-4 * rng.nextGaussian();
            row[1] = 1e-4 * rng.nextGaussian();
        }
        double[][] update = new double[n][2], gains = new double[n][2], grad = new double[n][2];
        for (double[] g : gains) java.util.Arrays.fill(g, 1.0);
        double lr = Math.max(n / EARLY_EXAGGERATION / 4.0, 50.0);
        double[] rowZ = new double[n];
        for (int it = 0; it < iterations; it++) {
            double exaggeration = it < EXAGGERATION_ITERATIONS ? EARLY_EXAGGERATION : 1.0;
            double momentum = it < EXAGGERATION_ITERATIONS ? 0.5 : 0.8;
            double[][] yy = y;
            // Z = Σ_{i≠j} w_ij, gathered per row so the sum order does not depend on the thread count
            Parallel.forEach(n, threads, i -> {
                double z = 0;
                for (int j = 0; j < n; j++) {
                    if (j == i) continue;
                    double dx = yy[i][0] - yy[j][0], dy = yy[i][1] - yy[j][1];
                    z += 1.0 / (1.0 + dx * dx + dy * dy);
                }
                rowZ[i] = z;
            });
            double zSum = 0;
            for (double z : rowZ) zSum += z;
            double invZ = 1.0 / zSum;
            Parallel.forEach(n, threads, i -> {
                double gx = 0, gy = 0;
                for (int j = 0; j < n; j++) {
                    if (j == i) continue;
                    double dx = yy[i][0] - yy[j][0], dy = yy[i][1] - yy[j][1];
                    double w = 1.0 / (1.0 + dx * dx + dy * dy);
                    double f = (exaggeration * p[i * n + j] - w * invZ) * w;
                    gx += f * dx;
                    gy += f * dy;
                }
                grad[i][0] = 4 * gx;
                grad[i][1] = 4 * gy;
            });
            for (int i = 0; i < n; i++) {
                for (int d = 0; d < 2; d++) {
                    boolean sameSign = grad[i][d] * update[i][d] > 0;
                    gains[i][d] = Math.max(0.01, sameSign ? gains[i][d] * 0.8 : gains[i][d] + 0.2);
                    update[i][d] = momentum * update[i][d] - lr * gains[i][d] * grad[i][d];
                    y[i][d] += update[i][d];
                }
            }
        }
        return y;
    }

    /** Symmetrised joint probabilities {@code P = (P_j|i + P_i|j) / 2n} as a row-major [n·n] array. */
    double[] affinities(double[][] x) {
        int n = x.length;
        double target = Math.log(Math.min(perplexity, (n - 1) / 3.0 > 1 ? (n - 1) / 3.0 : n - 1));
        double[] cond = new double[n * n];
        Parallel.forEach(n, threads, i -> {
            double[] d2 = new double[n];
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < x[i].length; k++) {
                    double t = x[i][k] - x[j][k];
                    s += t * t;
                }
                d2[j] = s;
            }
            double beta = 1, lo = 0, hi = Double.POSITIVE_INFINITY;
            double[] row = new double[n];
            for (int step = 0; step < 100; step++) {             // bisection on the precision β = 1/(2σ²)
                double sum = 0, dSum = 0;
                for (int j = 0; j < n; j++) {
                    row[j] = j == i ? 0 : Math.exp(-beta * d2[j]);
                    sum += row[j];
                }
                if (sum == 0) sum = 1e-300;
                for (int j = 0; j < n; j++) dSum += row[j] * d2[j];
                double entropy = Math.log(sum) + beta * dSum / sum;
                for (int j = 0; j < n; j++) row[j] /= sum;
                double diff = entropy - target;
                if (Math.abs(diff) < 1e-5) break;
                if (diff > 0) {
                    lo = beta;
                    beta = Double.isInfinite(hi) ? beta * 2 : (beta + hi) / 2;
                } else {
                    hi = beta;
                    beta = (beta + lo) / 2;
                }
            }
            System.arraycopy(row, 0, cond, i * n, n);
        });
        double[] p = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) p[i * n + j] = Math.max((cond[i * n + j] + cond[j * n + i]) / (2.0 * n), 1e-12);
        }
        return p;
    }
}
