package org.concdvae.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded train/val/test split of one table (the paper's 8:1:1 when a single file is given). The crystals are
 * shuffled with {@code java.util.Random(seed)} (Fisher–Yates); val and test take {@code round(f·n)} each, train the
 * rest; each part keeps the file order. The same seed and rows always give the same split.
 */
public final class DatasetSplit {
    private DatasetSplit() {}

    /** Indices 0..n-1 assigned to [train, val, test]. */
    public static int[][] assign(int n, double valFraction, double testFraction, long seed) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        Random rnd = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int nVal = (int) Math.round(valFraction * n), nTest = (int) Math.round(testFraction * n);
        while (n > 0 && nVal + nTest >= n) {   // keep at least one training crystal
            if (nTest >= nVal && nTest > 0) nTest--; else nVal--;
        }
        int[] val = Arrays.copyOfRange(perm, 0, nVal);
        int[] test = Arrays.copyOfRange(perm, nVal, nVal + nTest);
        int[] train = Arrays.copyOfRange(perm, nVal + nTest, n);
        Arrays.sort(train);
        Arrays.sort(val);
        Arrays.sort(test);
        return new int[][]{train, val, test};
    }

    /** The elements of {@code all} at {@code idx}. */
    public static <T> List<T> select(List<T> all, int[] idx) {
        List<T> out = new ArrayList<>(idx.length);
        for (int i : idx) out.add(all.get(i));
        return out;
    }
}
