package org.concdvae.eval;

import org.concdvae.autodiff.Index;
import org.concdvae.model.ElementFeatures;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Crystals collated for CGCNN (official {@code collate_pool}): atom features {@code [N, F]} (the element vector of
 * each site), Gaussian bond features {@code [N·12, 41]} (row {@code 12·i + k} = k-th neighbour of atom i),
 * neighbour indices offset by the atoms of the crystals before, the centre of every bond row and the crystal of
 * every atom. Computed outside the tape; the arrays belong to the batch ({@link #close()}).
 */
public final class CgcnnBatch implements AutoCloseable {
    private final int crystals, atoms;
    private final INDArray atomFea, nbrFea;
    private final int[] neighborIdx;
    private final Index centers, neighbors, crystalOfAtom;

    private CgcnnBatch(int crystals, int atoms, INDArray atomFea, INDArray nbrFea, int[] neighborIdx, int[] crystalIdx) {
        this.crystals = crystals;
        this.atoms = atoms;
        this.atomFea = atomFea;
        this.nbrFea = nbrFea;
        this.neighborIdx = neighborIdx;
        int m = CgcnnGraph.MAX_NEIGHBORS;
        int[] c = new int[atoms * m];
        for (int i = 0; i < atoms; i++) for (int k = 0; k < m; k++) c[i * m + k] = i;
        this.centers = Index.of(c, atoms);
        this.neighbors = Index.of(neighborIdx, atoms);
        this.crystalOfAtom = Index.of(crystalIdx, crystals);
    }

    /** Collates {@code graphs}; {@code features} gives each element's vector; arrays in {@code type}. */
    public static CgcnnBatch of(List<CgcnnGraph> graphs, ElementFeatures features, DataType type) {
        int n = 0;
        for (CgcnnGraph g : graphs) n += g.size();
        int f = features.width(), m = CgcnnGraph.MAX_NEIGHBORS, gc = CgcnnGraph.GAUSS_CENTERS;
        float[] af = new float[n * f];
        float[] nf = new float[n * m * gc];
        int[] nb = new int[n * m];
        int[] crystal = new int[n];
        double[][] cache = new double[128][];
        int base = 0;
        for (int c = 0; c < graphs.size(); c++) {
            CgcnnGraph g = graphs.get(c);
            int[] z = g.atomicNumbers();
            for (int i = 0; i < g.size(); i++) {
                int a = base + i;
                crystal[a] = c;
                double[] v = z[i] < cache.length ? cache[z[i]] : null;
                if (v == null) {
                    v = features.of(z[i]);
                    if (z[i] < cache.length) cache[z[i]] = v;
                }
                for (int k = 0; k < f; k++) af[a * f + k] = (float) v[k];
                for (int k = 0; k < m; k++) {
                    nb[a * m + k] = base + g.neighbors()[i * m + k];
                    CgcnnGraph.expand(g.distances()[i * m + k], nf, (a * m + k) * gc);
                }
            }
            base += g.size();
        }
        INDArray atomFea = Nd4j.create(af, new long[]{n, f}, 'c');
        INDArray nbrFea = Nd4j.create(nf, new long[]{(long) n * m, gc}, 'c');
        if (type != DataType.FLOAT) {
            INDArray a2 = atomFea.castTo(type), n2 = nbrFea.castTo(type);
            atomFea.close();
            nbrFea.close();
            atomFea = a2;
            nbrFea = n2;
        }
        return new CgcnnBatch(graphs.size(), n, atomFea, nbrFea, nb, crystal);
    }

    public int crystals() { return crystals; }

    public int atoms() { return atoms; }

    /** {@code [N, F]} element features. */
    public INDArray atomFeatures() { return atomFea; }

    /** {@code [N·12, 41]} Gaussian bond features. */
    public INDArray bondFeatures() { return nbrFea; }

    /** {@code [N·12]} batch-level neighbour atom of every bond row (CGCNN's {@code nbr_fea_idx}, flattened). */
    public int[] neighborIndices() { return neighborIdx; }

    /** Bond row → its centre atom. */
    public Index centers() { return centers; }

    /** Bond row → its neighbour atom. */
    public Index neighbors() { return neighbors; }

    /** Atom → its crystal. */
    public Index crystalOfAtom() { return crystalOfAtom; }

    @Override
    public void close() {
        if (!atomFea.wasClosed()) atomFea.close();
        if (!nbrFea.wasClosed()) nbrFea.close();
    }
}
