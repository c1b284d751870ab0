package org.concdvae.sample;

import java.util.Random;

/**
 * The annealing plan of {@code langevin_dynamics} (generation.md §4.5): noise levels i = 0..L−1 in order (σ
 * decreasing), stopping before the first level with {@code σ_i < min_sigma}, at most {@code limit} levels;
 * {@code n_step_each} updates per level with step size {@code η_i = step_lr · (σ_i/σ_{L−1})²}; before every update a
 * standard normal draw of {@code dim} values (scaled to {@code √(2η_i)} by the update).
 */
public final class AnnealedLangevin {
    /** One update at a level: the level, its σ and η, and the standard normal draw. */
    @FunctionalInterface
    public interface Update {
        void apply(int level, double sigma, double eta, double[] stdNormal);
    }

    private AnnealedLangevin() {}

    /** {@code η = step_lr · (σ_i/σ_last)²} in float32 arithmetic, as the reference computes it. */
    public static double stepSize(double sigma, double sigmaLast, double stepLr) {
        float ratio = (float) sigma / (float) sigmaLast;
        return (float) (stepLr * (float) (ratio * ratio));
    }

    /** The number of updates {@link #run} makes with these settings. */
    public static long updates(double[] sigmas, int nStepEach, double minSigma, Integer limit) {
        int levels = limit == null ? sigmas.length : Math.min(limit, sigmas.length);
        long n = 0;
        for (int level = 0; level < levels && !(sigmas[level] < minSigma); level++) n += nStepEach;
        return n;
    }

    /**
     * Runs the plan; returns the number of updates made.
     *
     * @param sigmas the σ levels (decreasing); the last one normalises the step size
     * @param limit  at most this many levels (null: all)
     */
    public static long run(double[] sigmas, double stepLr, int nStepEach, double minSigma, Integer limit, int dim, Random rng, Update update) {
        int levels = limit == null ? sigmas.length : Math.min(limit, sigmas.length);
        double last = sigmas[sigmas.length - 1];
        long n = 0;
        for (int level = 0; level < levels; level++) {
            double sigma = sigmas[level];
            if (sigma < minSigma) break;
            double eta = stepSize(sigma, last, stepLr);
            for (int s = 0; s < nStepEach; s++) {
                double[] normal = new double[dim];
                for (int i = 0; i < dim; i++) normal[i] = rng.nextGaussian();
                update.apply(level, sigma, eta, normal);
                n++;
            }
        }
        return n;
    }
}
