package org.concdvae.graph;

/**
 * All periodic neighbours of every site within a cutoff, in compressed rows: the neighbours of center {@code i} are
 * entries {@code offsets[i] .. offsets[i+1]-1}, ordered by (neighbour index, image x, y, z) when they come from
 * {@link PeriodicNeighborSearch}, in pymatgen's order from {@link PymatgenNeighborOrder}. For entry {@code e}:
 * neighbour site {@code neighbor[e]}, integer lattice image {@code images[3e..3e+2]} applied to that neighbour,
 * distance {@code distances[e]} (Å) and Cartesian vector {@code vectors[3e..3e+2]} from the center to the image.
 */
public final class NeighborList {
    private final int[] offsets;
    private final int[] neighbor;
    private final int[] images;
    private final double[] distances;
    private final double[] vectors;

    NeighborList(int[] offsets, int[] neighbor, int[] images, double[] distances, double[] vectors) {
        this.offsets = offsets;
        this.neighbor = neighbor;
        this.images = images;
        this.distances = distances;
        this.vectors = vectors;
    }

    /** Number of centers (sites). */
    public int numSites() { return offsets.length - 1; }

    /** Total number of (center, neighbour, image) entries. */
    public int size() { return neighbor.length; }

    public int start(int center) { return offsets[center]; }

    public int end(int center) { return offsets[center + 1]; }

    public int count(int center) { return offsets[center + 1] - offsets[center]; }

    public int neighbor(int e) { return neighbor[e]; }

    public int image(int e, int axis) { return images[3 * e + axis]; }

    public double distance(int e) { return distances[e]; }

    public double vector(int e, int axis) { return vectors[3 * e + axis]; }

    /** Flat arrays (not copied: do not modify). */
    public int[] offsets() { return offsets; }

    public int[] neighbors() { return neighbor; }

    public int[] images() { return images; }

    public double[] distances() { return distances; }

    public double[] vectors() { return vectors; }
}
