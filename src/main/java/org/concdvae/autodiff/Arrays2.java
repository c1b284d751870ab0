package org.concdvae.autodiff;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Small array helpers shared by the engine. */
public final class Arrays2 {
    private Arrays2() {}

    /**
     * {@code a} converted to {@code type}; when a conversion happens the source is closed at once (its native memory
     * would otherwise wait for the garbage collector). Returns {@code a} itself if it already has the type.
     */
    public static INDArray castClose(INDArray a, DataType type) {
        if (a.dataType() == type) return a;
        INDArray r = a.castTo(type);
        a.close();
        return r;
    }
}
