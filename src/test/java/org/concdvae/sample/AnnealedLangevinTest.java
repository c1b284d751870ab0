package org.concdvae.sample;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The official annealing plan (50 levels σ = 10 → 0.01 geometric, 100 updates each, step_lr 1e-4, min_sigma 0) with
 * the official update {@code x += η ŝ/σ + √(2η) ξ} on an analytic score: for a Gaussian target N(μ, τ²) the
 * σ-smoothed density is N(μ, τ² + σ²) and the decoder-like output is {@code ŝ = −σ (x − μ)/(τ² + σ²)}. Starting
 * uniformly far from the target, 4000 independent chains end with mean μ and variance τ² (within 3 standard errors /
 * 8 %), because each level equilibrates until the step size becomes too small (σ ≲ 0.1, where τ² + σ² ≈ τ²).
 */
class AnnealedLangevinTest {
    @Test
    void reachesTheGaussianMeanAndVariance() {
        int levels = 50;
        double[] sigmas = new double[levels];
        for (int i = 0; i < levels; i++) sigmas[i] = (float) Math.exp(Math.log(10) + (Math.log(0.01) - Math.log(10)) * i / (levels - 1));
        double mu = 1.5, tau2 = 0.64;
        int chains = 4000;
        double[] x = new double[chains];
        Random r = new Random(11);
        for (int i = 0; i < chains; i++) x[i] = 5 + 3 * r.nextDouble();
        long updates = AnnealedLangevin.run(sigmas, 1e-4, 100, 0.0, null, chains, r, (level, sigma, eta, normal) -> {
            double noise = Math.sqrt(2 * eta);
            for (int i = 0; i < chains; i++) {
                double score = -sigma * (x[i] - mu) / (tau2 + sigma * sigma);
                x[i] += eta * score / sigma + noise * normal[i];
            }
        });
        assertEquals(5000, updates);
        double mean = 0, var = 0;
        for (double v : x) mean += v / chains;
        for (double v : x) var += (v - mean) * (v - mean) / (chains - 1);
        System.out.printf("annealed Langevin on N(%.2f, %.2f): mean %.4f, variance %.4f%n", mu, tau2, mean, var);
        assertEquals(mu, mean, 3 * Math.sqrt(tau2 / chains));
        assertEquals(tau2, var, 0.08 * tau2);
        // η at the first and last level: step_lr (σ_i/σ_last)² = σ_i² here
        assertEquals(100.0, AnnealedLangevin.stepSize(sigmas[0], sigmas[levels - 1], 1e-4), 1e-3);
        assertEquals(1e-4, AnnealedLangevin.stepSize(sigmas[levels - 1], sigmas[levels - 1], 1e-4), 1e-11);   // float32
    }

    @Test
    void minSigmaAndLevelLimitStopEarly() {
        double[] sigmas = {4, 2, 1, 0.5};
        int[] seen = new int[4];
        AnnealedLangevin.run(sigmas, 1e-4, 3, 0.9, null, 1, new Random(1), (l, s, e, n) -> seen[l]++);
        assertEquals(3, seen[0]);
        assertEquals(3, seen[2]);
        assertEquals(0, seen[3], "sigma 0.5 < min_sigma 0.9");
        assertEquals(6, AnnealedLangevin.run(sigmas, 1e-4, 3, 0, 2, 1, new Random(1), (l, s, e, n) -> {}));
    }
}
