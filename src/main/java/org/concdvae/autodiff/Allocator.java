package org.concdvae.autodiff;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Where a kernel gets its output array: ND4J's allocator, or a tape's uninitialised host arrays ({@link Tape#newArray}). */
@FunctionalInterface
public interface Allocator {
    /** A c-order array of {@code shape} whose contents the caller overwrites completely. */
    INDArray uninitialized(DataType type, long... shape);

    /** ND4J's own allocation (the caller owns and closes the array). */
    Allocator ND4J = (type, shape) -> Nd4j.createUninitialized(type, shape, 'c');
}
