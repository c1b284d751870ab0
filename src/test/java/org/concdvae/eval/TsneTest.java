package org.concdvae.eval;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three well separated Gaussian clusters in 20-D must stay separated in the 2-D embedding. */
class TsneTest {
    static double[][] clusters(int perCluster, int[] label) {
        Random r = new Random(7);
        double[][] x = new double[3 * perCluster][20];
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < perCluster; k++) {
                int i = c * perCluster + k;
                label[i] = c;
                for (int d = 0; d < 20; d++) x[i][d] = r.nextGaussian() + (d == c ? 30 : 0);
            }
        }
        return x;
    }

    @Test
    void separatesClustersAndIsDeterministic() {
        int per = 40;
        int[] label = new int[3 * per];
        double[][] x = clusters(per, label);
        double[][] y = new Tsne(15, 500, 42, 2).embed(x);
        // every point's nearest embedded neighbour belongs to its own cluster
        int agree = 0;
        for (int i = 0; i < y.length; i++) {
            int best = -1;
            double bd = Double.POSITIVE_INFINITY;
            for (int j = 0; j < y.length; j++) {
                if (j == i) continue;
                double d = Math.hypot(y[i][0] - y[j][0], y[i][1] - y[j][1]);
                if (d < bd) {
                    bd = d;
                    best = j;
                }
            }
            if (label[best] == label[i]) agree++;
        }
        assertEquals(y.length, agree);
        // clusters are far apart relative to their spread: min between-centroid distance > 3 × max within-cluster RMS radius
        double[][] cen = new double[3][2];
        for (int i = 0; i < y.length; i++) {
            cen[label[i]][0] += y[i][0] / per;
            cen[label[i]][1] += y[i][1] / per;
        }
        double[] rad = new double[3];
        for (int i = 0; i < y.length; i++) rad[label[i]] += (Math.pow(y[i][0] - cen[label[i]][0], 2) + Math.pow(y[i][1] - cen[label[i]][1], 2)) / per;
        double maxRad = Math.sqrt(Math.max(rad[0], Math.max(rad[1], rad[2])));
        for (int a = 0; a < 3; a++) {
            for (int b = a + 1; b < 3; b++) {
                double d = Math.hypot(cen[a][0] - cen[b][0], cen[a][1] - cen[b][1]);
                assertTrue(d > 3 * maxRad, "centroids " + a + "," + b + " distance " + d + " vs radius " + maxRad);
            }
        }
        double[][] again = new Tsne(15, 500, 42, 1).embed(x);
        for (int i = 0; i < y.length; i++) assertArrayEquals(y[i], again[i], 0.0, "same seed, other thread count");
    }

    @Test
    void affinitiesAreSymmetricAndSumToOne() {
        int[] label = new int[30];
        double[][] x = clusters(10, label);
        double[] p = new Tsne(5, 10, 1, 1).affinities(x);
        double sum = 0;
        for (int i = 0; i < 30; i++) {
            for (int j = 0; j < 30; j++) {
                sum += i == j ? 0 : p[i * 30 + j];
                assertEquals(p[i * 30 + j], p[j * 30 + i], 1e-15);
            }
        }
        assertEquals(1.0, sum, 1e-6);
    }
}
