package org.concdvae.graph;

/**
 * One face of a site's Voronoi polyhedron, i.e. one Voronoi neighbour, with the statistics pymatgen's
 * {@code VoronoiNN.get_voronoi_polyhedra} reports for it.
 *
 * @param site       index of the neighbouring site in the structure
 * @param image      lattice translation of the neighbour's image, relative to its stored fractional coordinates
 * @param distance   centre–neighbour distance (Å)
 * @param solidAngle solid angle the face subtends at the centre (sr)
 * @param area       face area (Å²)
 * @param faceDist   distance from the centre to the face plane (Å), half the neighbour distance
 * @param volume     volume of the pyramid from the centre over this face (Å³)
 * @param normal     unit vector from the centre to the neighbour
 * @param vertices   face vertices in cyclic order, Cartesian, relative to the centre (Å)
 * @param vertexIds  ids of those vertices within the polyhedron (shared ids = shared vertices; for adjacency)
 */
public record VoronoiFace(int site, int[] image, double distance, double solidAngle, double area, double faceDist,
                          double volume, double[] normal, double[][] vertices, int[] vertexIds) {

    public int nVerts() { return vertices.length; }
}
