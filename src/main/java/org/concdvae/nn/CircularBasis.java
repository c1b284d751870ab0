package org.concdvae.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GemNet circular basis (model.md §11.1), efficient form: a radial part (its own {@link GaussianBasis}, key
 * {@code <name>.radial_basis.rbf.offset}) per edge and {@code cbf[t,l] = sqrt((2l+1)/(4π)) P_l(cos φ_t)} per triplet.
 */
public final class CircularBasis {
    public final GaussianBasis radial;
    private final int numSpherical;

    public CircularBasis(ParameterStore store, String name, int numSpherical, int numRadial, double cutoff, int envelopeExponent) {
        this.radial = new GaussianBasis(store.scope(name), "radial_basis", numRadial, cutoff, envelopeExponent);
        this.numSpherical = numSpherical;
    }

    /** {@code [T, S]} from the triplet cosines. */
    public INDArray angular(double[] cosPhi, DataType type) {
        int t = cosPhi.length;
        double[] out = new double[t * numSpherical], y = new double[numSpherical];
        for (int i = 0; i < t; i++) {
            SphericalBessel.sphericalHarmonicsM0(numSpherical - 1, cosPhi[i], y);
            System.arraycopy(y, 0, out, i * numSpherical, numSpherical);
        }
        INDArray r = Nd4j.create(out, new long[]{t, numSpherical}, DataType.DOUBLE);
        return org.concdvae.autodiff.Arrays2.castClose(r, type);
    }
}
