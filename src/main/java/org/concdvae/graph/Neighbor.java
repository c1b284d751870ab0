package org.concdvae.graph;

/**
 * A near neighbour of a site: the neighbouring site, the lattice translation of its image (relative to its stored
 * fractional coordinates), the method's weight, and the distance (Å).
 */
public record Neighbor(int site, int[] image, double weight, double distance) {
    public Neighbor withWeight(double w) { return new Neighbor(site, image, w, distance); }
}
