package org.concdvae.model;

import org.concdvae.autodiff.Index;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.graph.Triplets;
import org.concdvae.nn.SphericalBasis;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Everything the DimeNet++ encoder needs that does not depend on parameters (model.md §3), computed once per batch
 * outside the tape: the edge and triplet index arrays (as reusable {@link Index}es with their CSR forms), the edge
 * lengths {@code [E]} (float64) for the radial basis, the spherical basis {@code [T, S·R]}, and the
 * atomic-number indices into the 95-row embedding table. The geometry (distances, angles) comes from the
 * {@link CrystalGraph} and {@link Triplets}, the one place graphs are built.
 *
 * <p>Owns its ND4J arrays; {@link #close()} releases them.
 */
public final class EncoderGraph implements AutoCloseable {
    private final CrystalGraph graph;
    private final Triplets.DimeNet triplets;
    private final int[] atomTypes;
    private final Index edgeTarget;   // E → N (atom i)
    private final Index edgeSource;   // E → N (atom j)
    private final Index typeOfTarget; // E → table rows (Z_i)
    private final Index typeOfSource; // E → table rows (Z_j)
    private final Index tripletKj;    // T → E
    private final Index tripletJi;    // T → E
    private final Index atomCrystal;  // N → B
    private final INDArray distances; // [E], float64
    private final INDArray sbf;       // [T, S·R]

    private EncoderGraph(CrystalGraph graph, Triplets.DimeNet triplets, int[] atomTypes, int tableRows,
                         SphericalBasis basis, DataType type) {
        this.graph = graph;
        this.triplets = triplets;
        this.atomTypes = atomTypes;
        int n = graph.numAtoms(), e = graph.numEdges();
        if (atomTypes.length != n) {
            throw new IllegalArgumentException("atom types: " + atomTypes.length + " values for " + n + " atoms");
        }
        int[] zt = new int[e], zs = new int[e];
        int[] src = graph.source(), dst = graph.target();
        for (int q = 0; q < e; q++) {
            zt[q] = atomTypes[dst[q]];
            zs[q] = atomTypes[src[q]];
        }
        for (int a = 0; a < n; a++) {
            if (atomTypes[a] < 0 || atomTypes[a] >= tableRows) {
                throw new IllegalArgumentException("atomic number " + atomTypes[a] + " of atom " + a
                        + " outside the encoder embedding table [0, " + tableRows + ")");
            }
        }
        this.edgeTarget = Index.of(dst, n);
        this.edgeSource = Index.of(src, n);
        this.typeOfTarget = Index.of(zt, tableRows);
        this.typeOfSource = Index.of(zs, tableRows);
        this.tripletKj = Index.of(triplets.idxKj(), e);
        this.tripletJi = Index.of(triplets.idxJi(), e);
        this.atomCrystal = Index.ofCounts(graph.atomsPerCrystal());
        this.distances = Nd4j.createFromArray(graph.distances());
        this.sbf = basis.compute(graph.distances(), triplets.angle(), triplets.idxKj(), type);
    }

    /**
     * Builds the encoder inputs of a batch.
     *
     * @param graph     the encoder graph (precomputed CrystalNN bonds, or the radius graph when {@code otf_graph})
     * @param atomTypes atomic number Z per atom (indexes the embedding table directly)
     * @param tableRows rows of the embedding table (95)
     * @param basis     the DimeNet spherical basis
     * @param type      FLOAT in production, DOUBLE for gradient checks
     * @param threads   threads for triplet enumeration
     */
    public static EncoderGraph build(CrystalGraph graph, int[] atomTypes, int tableRows, SphericalBasis basis,
                                     DataType type, int threads) {
        return new EncoderGraph(graph, Triplets.dimeNet(graph, threads), atomTypes, tableRows, basis, type);
    }

    public CrystalGraph graph() { return graph; }

    public Triplets.DimeNet triplets() { return triplets; }

    public int[] atomTypes() { return atomTypes; }

    public int numCrystals() { return graph.numCrystals(); }

    public int numAtoms() { return graph.numAtoms(); }

    public int numEdges() { return graph.numEdges(); }

    public int numTriplets() { return triplets.size(); }

    /** Target atom i of every edge. */
    public Index edgeTarget() { return edgeTarget; }

    /** Source atom j of every edge. */
    public Index edgeSource() { return edgeSource; }

    /** Z of every edge's target, into the embedding table. */
    public Index typeOfTarget() { return typeOfTarget; }

    /** Z of every edge's source, into the embedding table. */
    public Index typeOfSource() { return typeOfSource; }

    /** Edge k→j of every triplet. */
    public Index tripletKj() { return tripletKj; }

    /** Edge j→i of every triplet. */
    public Index tripletJi() { return tripletJi; }

    /** Crystal of every atom. */
    public Index atomCrystal() { return atomCrystal; }

    /** Edge lengths {@code d [E]} (Å, float64). */
    public INDArray distances() { return distances; }

    /** Spherical basis {@code [T, S·R]}. */
    public INDArray sphericalBasis() { return sbf; }

    @Override
    public void close() {
        for (INDArray a : new INDArray[]{distances, sbf}) if (!a.wasClosed() && a.closeable()) a.close();
    }
}
