package org.concdvae.nn;

import org.concdvae.autodiff.Index;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.graph.RadiusGraph;
import org.concdvae.graph.Triplets;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Everything GemNet-T needs from the geometry of one batch, computed outside the tape (model.md §2.2, §2.3, §11.1,
 * §11.2): the on-the-fly radius graph symmetrised with its swap index, the triplets, the index arrays, the unit
 * vectors {@code V_st = −v/d}, the radial bases {@code rbf} and {@code rad3} {@code [E, R]} and the circular basis
 * (inside the {@link TripletBilinear} kernel). Graph-level constants: build once per decoder call and reuse across
 * tapes; {@link #close()} releases the arrays.
 */
public final class GemNetGraph implements AutoCloseable {
    public final CrystalGraph radiusGraph;
    public final CrystalGraph graph;
    public final Triplets.GemNet triplets;
    /** Source atom of every edge (size = atoms). */
    public final Index source;
    /** Target atom of every edge (size = atoms). */
    public final Index target;
    /** Reverse edge of every edge (size = edges). */
    public final Index swap;
    /** Crystal of every atom (size = crystals). */
    public final Index crystalOfAtom;
    public final INDArray unitVectors;
    public final INDArray rbf;
    public final INDArray rad3;
    public final double[] cbf;
    public final int numSpherical;
    public final TripletBilinear bilinear;

    private GemNetGraph(CrystalGraph radiusGraph, CrystalGraph graph, Triplets.GemNet triplets, INDArray unitVectors,
                        INDArray rbf, INDArray rad3, double[] cbf, int numSpherical) {
        this.radiusGraph = radiusGraph;
        this.graph = graph;
        this.triplets = triplets;
        int n = graph.numAtoms(), e = graph.numEdges();
        this.source = Index.of(graph.source(), n);
        this.target = Index.of(graph.target(), n);
        this.swap = Index.of(graph.idSwap(), e);
        this.crystalOfAtom = Index.ofCounts(graph.atomsPerCrystal());
        this.unitVectors = unitVectors;
        this.rbf = rbf;
        this.rad3 = rad3;
        this.cbf = cbf;
        this.numSpherical = numSpherical;
        this.bilinear = new TripletBilinear(e, triplets.idBa(), triplets.idCa(), cbf, numSpherical);
    }

    /**
     * Builds the decoder graph of a batch.
     *
     * @param lattices     9 per crystal, rows = lattice vectors
     * @param cart         3 per atom, Cartesian positions (Å)
     * @param numAtoms     atoms per crystal
     * @param radius       cutoff (Å), also the bases' cutoff
     * @param maxNeighbors neighbours kept per atom
     * @param rbfBasis     the radial basis of the edges ({@code radial_basis})
     * @param cbfBasis     the circular basis ({@code cbf_basis3}: own radial part + spherical harmonics)
     * @param type         floating type of the bases
     */
    public static GemNetGraph build(double[] lattices, double[] cart, int[] numAtoms, double radius, int maxNeighbors,
                                    GaussianBasis rbfBasis, CircularBasis cbfBasis, int numSpherical, DataType type,
                                    int threads) {
        CrystalGraph radiusGraph = RadiusGraph.build(lattices, cart, numAtoms, radius, maxNeighbors, threads);
        CrystalGraph g = radiusGraph.symmetrized();
        Triplets.GemNet trip = Triplets.gemNet(g, threads);
        int e = g.numEdges();
        double[] d = g.distances(), v = g.vectors();
        double[] u = new double[3 * e];
        for (int i = 0; i < e; i++) for (int k = 0; k < 3; k++) u[3 * i + k] = -v[3 * i + k] / d[i];
        INDArray unit = cast(Nd4j.create(u, new long[]{e, 3}, DataType.DOUBLE), type);
        INDArray rbf = rbfBasis.compute(d, type);
        // both radial bases are linspace(0,1,R) Gaussians with the same cutoff and envelope: when their loaded
        // centres are equal too, the values are identical and are computed once
        INDArray rad3 = rbfBasis.sameFunction(cbfBasis.radial) ? rbf : cbfBasis.radial.compute(d, type);
        double[] cbf = new double[0];
        if (trip.size() > 0) {
            INDArray sph = cbfBasis.angular(trip.cosAngle(), DataType.DOUBLE);
            cbf = sph.data().asDouble();
            sph.close();
        }
        return new GemNetGraph(radiusGraph, g, trip, unit, rbf, rad3, cbf, numSpherical);
    }

    private static INDArray cast(INDArray a, DataType type) {
        if (a.dataType() == type) return a;
        INDArray r = a.castTo(type);
        a.close();
        return r;
    }

    public int numAtoms() { return graph.numAtoms(); }

    public int numEdges() { return graph.numEdges(); }

    public int numTriplets() { return triplets.size(); }

    /** The circular basis {@code [T, S]} as an array (for parity checks). */
    public INDArray cbfArray(DataType type) {
        return Nd4j.create(cbf, new long[]{numTriplets(), numSpherical}, DataType.DOUBLE).castTo(type);
    }

    @Override
    public void close() {
        for (INDArray a : new INDArray[]{unitVectors, rbf, rad3}) if (!a.wasClosed() && a.closeable()) a.close();
    }
}
