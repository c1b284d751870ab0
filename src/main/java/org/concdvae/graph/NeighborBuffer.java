package org.concdvae.graph;

import java.util.Arrays;

/** Growable flat arrays of neighbours (index, image, distance, vector) while a neighbour search fills them. */
class NeighborBuffer {
    int size;
    int[] j;
    int[] img;
    double[] d;
    double[] vec;

    NeighborBuffer(int capacity) {
        int cap = Math.max(1, capacity);
        j = new int[cap];
        img = new int[3 * cap];
        d = new double[cap];
        vec = new double[3 * cap];
    }

    void add(int jj, int a, int b, int c, double dist, double x, double y, double z) {
        if (size == j.length) {
            int cap = 2 * size;
            j = Arrays.copyOf(j, cap);
            d = Arrays.copyOf(d, cap);
            img = Arrays.copyOf(img, 3 * cap);
            vec = Arrays.copyOf(vec, 3 * cap);
        }
        j[size] = jj;
        d[size] = dist;
        img[3 * size] = a;
        img[3 * size + 1] = b;
        img[3 * size + 2] = c;
        vec[3 * size] = x;
        vec[3 * size + 1] = y;
        vec[3 * size + 2] = z;
        size++;
    }

    /** The buffered neighbours as one list with the given per-centre offsets. */
    NeighborList toList(int[] offsets) {
        return new NeighborList(offsets, Arrays.copyOf(j, size), Arrays.copyOf(img, 3 * size), Arrays.copyOf(d, size),
                Arrays.copyOf(vec, 3 * size));
    }
}
