package org.concdvae.nn;

/**
 * PyTorch {@code ReduceLROnPlateau} in mode "min" with a relative threshold (model.md §13: factor 0.6, patience 30,
 * min_lr 1e-4, threshold 1e-4, cooldown 0). ND4J's schedules are functions of the iteration and cannot react to a
 * monitored metric, hence this small class. Call {@link #step(double)} once per epoch with the validation loss.
 */
public final class ReduceLROnPlateau {
    private final double factor, minLr, threshold;
    private final int patience, cooldown;
    private double lr, best = Double.POSITIVE_INFINITY;
    private int numBad, cooldownCounter;

    public ReduceLROnPlateau(double initialLr, double factor, int patience, double minLr, double threshold, int cooldown) {
        if (factor >= 1 || factor <= 0) throw new IllegalArgumentException("factor must be in (0,1), got " + factor);
        this.lr = initialLr;
        this.factor = factor;
        this.patience = patience;
        this.minLr = minLr;
        this.threshold = threshold;
        this.cooldown = cooldown;
    }

    /** The official settings with the given initial learning rate. */
    public static ReduceLROnPlateau official(double initialLr) {
        return new ReduceLROnPlateau(initialLr, 0.6, 30, 1e-4, 1e-4, 0);
    }

    /** Records one epoch's metric; returns the (possibly reduced) learning rate. NaN counts as no improvement. */
    public double step(double metric) {
        if (metric < best * (1 - threshold)) {
            best = metric;
            numBad = 0;
        } else {
            numBad++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBad = 0;
        }
        if (numBad > patience) {
            double reduced = Math.max(lr * factor, minLr);
            if (lr - reduced > 1e-8) lr = reduced;
            cooldownCounter = cooldown;
            numBad = 0;
        }
        return lr;
    }

    public double learningRate() { return lr; }

    public double best() { return best; }

    public int badEpochs() { return numBad; }

    /** Restores the state saved in a checkpoint. */
    public void restore(double lr, double best, int badEpochs, int cooldownCounter) {
        this.lr = lr;
        this.best = best;
        this.numBad = badEpochs;
        this.cooldownCounter = cooldownCounter;
    }

    public int cooldownCounter() { return cooldownCounter; }
}
