package org.concdvae.graph;

import java.util.Arrays;

/**
 * A directed periodic edge list: edge e goes from {@code source[e]} (its image shifted by {@code image(e)}) to
 * {@code target[e]}, the layout of the official {@code edge_index} (row 0 source, row 1 target) and
 * {@code to_jimages}. Immutable.
 */
public final class DirectedEdges {
    private final int[] source;
    private final int[] target;
    private final int[] images; // 3 per edge

    public DirectedEdges(int[] source, int[] target, int[] images) {
        if (source.length != target.length || images.length != 3 * source.length) {
            throw new IllegalArgumentException("edge arrays differ in length");
        }
        this.source = source.clone();
        this.target = target.clone();
        this.images = images.clone();
    }

    public int size() { return source.length; }

    public int source(int e) { return source[e]; }

    public int target(int e) { return target[e]; }

    public int[] image(int e) { return new int[]{images[3 * e], images[3 * e + 1], images[3 * e + 2]}; }

    public int[] sources() { return source.clone(); }

    public int[] targets() { return target.clone(); }

    /** Images as an [E][3] array. */
    public int[][] images() {
        int[][] r = new int[size()][];
        for (int e = 0; e < size(); e++) r[e] = image(e);
        return r;
    }

    /** Edge e as {@code [source, target, ix, iy, iz]}, the oracle / CLI row format. */
    public int[] row(int e) {
        return new int[]{source[e], target[e], images[3 * e], images[3 * e + 1], images[3 * e + 2]};
    }

    /** {@code [[source,target,ix,iy,iz],...]} as compact JSON. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(size() * 16 + 2).append('[');
        for (int e = 0; e < size(); e++) {
            if (e > 0) sb.append(", ");
            sb.append('[').append(source[e]).append(", ").append(target[e]);
            for (int k = 0; k < 3; k++) sb.append(", ").append(images[3 * e + k]);
            sb.append(']');
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirectedEdges d && Arrays.equals(source, d.source) && Arrays.equals(target, d.target)
                && Arrays.equals(images, d.images);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(source) * 31 + Arrays.hashCode(images); }
}
