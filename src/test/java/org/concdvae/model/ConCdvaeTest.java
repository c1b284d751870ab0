package org.concdvae.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The corruption and target helpers of the training step (model.md §10, §12) on hand-made cases. */
class ConCdvaeTest {
    @Test
    void typesAreDrawnFromOneHotPlusScaledPredictedComposition() {
        // softmax([0, ln 2, 0]) = [1/4, 1/2, 1/4]; true class 0; σ = 2 → weights [1.5, 1, 0.5] → p = [1/2, 1/3, 1/6]
        int n = 40000;
        double[] rows = new double[3 * n];
        for (int i = 0; i < n; i++) rows[3 * i + 1] = Math.log(2);
        var logits = Nd4j.create(rows, new long[]{n, 3}, DataType.DOUBLE).castTo(DataType.FLOAT);
        int[] z = new int[n];
        double[] sigma = new double[n];
        java.util.Arrays.fill(z, 1);
        java.util.Arrays.fill(sigma, 2.0);
        Random r = new Random(7);
        int[] counts = new int[4];
        for (int t : ConCdvae.sampleTypes(logits, z, sigma, r)) counts[t]++;
        assertEquals(0, counts[0]);
        assertEquals(1 / 2.0, counts[1] / (double) n, 0.01);
        assertEquals(1 / 3.0, counts[2] / (double) n, 0.01);
        assertEquals(1 / 6.0, counts[3] / (double) n, 0.01);
        // σ → 0 keeps the true type
        var one = Nd4j.create(new double[]{0, Math.log(2), 0}, new long[]{1, 3}, DataType.DOUBLE).castTo(DataType.FLOAT);
        assertEquals(1, ConCdvae.sampleTypes(one, new int[]{1}, new double[]{0.0}, r)[0]);
    }

    @Test
    void coordinateTargetIsTheMinimumImageFromNoisyToClean() {
        double[] cubic = {5, 0, 0, 0, 5, 0, 0, 0, 5};
        // clean x = 0.25 Å, noisy x = 4.75 Å: the nearest image of the noisy atom is at −0.25 Å → Δ = +0.5 Å
        double[] d = ConCdvae.coordTarget(new double[]{0.05, 0.5, 0.5}, new double[]{0.95, 0.5, 0.5}, cubic, new int[]{1});
        assertArrayEquals(new double[]{0.5, 0, 0}, d, 1e-12);
    }

    @Test
    void zeroNoiseKeepsCoordinatesAndWrapsIntoTheUnitCell() {
        double[] lat = {4, 0, 0, 1, 4, 0, 0.5, 0.5, 6};
        double[] frac = {0.1, 0.2, 0.3, 0.999, 0.0, 0.5};
        double[] out = ConCdvae.corruptCoordinates(frac, lat, new int[]{2}, new double[]{0, 0}, new Random(1));
        assertArrayEquals(frac, out, 1e-12);
        double[] noisy = ConCdvae.corruptCoordinates(frac, lat, new int[]{2}, new double[]{10, 10}, new Random(1));
        for (double x : noisy) assertEquals(0.5, x, 0.5);
    }
}
