package org.concdvae.graph;

import org.concdvae.crystal.Structure;

/**
 * A way to build the precomputed (encoder) graph of one crystal, selected by {@code data.graph_method}
 * (model.md §2.1). Implementations are stateless and thread-safe. The returned single-crystal graph lists directed
 * edges in the official order: for every bond (u, v, image) first {@code v → u} with {@code image}, then
 * {@code u → v} with {@code −image}; for the radius method, the order of {@link RadiusGraph}.
 */
public interface GraphMethod {
    /** The config name ({@code radius}, {@code crystalnn}, {@code mindistance}, {@code none}). */
    String name();

    /** The graph of one crystal (local atom indices 0..n-1). */
    CrystalGraph build(Structure structure);
}
