package org.concdvae.autodiff;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Uninitialised host arrays for the outputs of tape ops. ND4J zero-fills every new buffer, even
 * {@code createUninitialized} (a memset of each edge-sized array, about a tenth of a decoder call); these arrays wrap
 * memory from {@code malloc} instead, which the glibc heap hands back warm from the previous step. The tape frees the
 * memory right after closing the array, so a use after release still fails in ND4J ("argument was closed").
 */
final class HostArrays {
    private HostArrays() {}

    /** Whether {@link #allocate} serves this type on this backend (CPU, float or double). */
    static boolean supported(DataType type) {
        return IndexKernels.primitiveKernels() && (type == DataType.FLOAT || type == DataType.DOUBLE);
    }

    /**
     * A c-order array of {@code shape} over fresh malloc'd memory, recorded in {@code blocks} (array → memory) for
     * {@link #release}; null when unsupported or empty.
     */
    static INDArray allocate(DataType type, long[] shape, Map<INDArray, Pointer> blocks) {
        long n = 1;
        for (long s : shape) n *= s;
        if (n == 0 || !supported(type)) return null;
        long bytes = n * type.width();
        Pointer raw = Pointer.malloc(bytes);
        if (raw == null || raw.isNull()) throw new OutOfMemoryError("cannot allocate " + bytes + " bytes of host memory");
        DataBuffer buffer;
        if (type == DataType.FLOAT) {
            FloatPointer p = new FloatPointer(raw).capacity(n);
            buffer = Nd4j.createBuffer(p, DataType.FLOAT, n, FloatIndexer.create(p));
        } else {
            DoublePointer p = new DoublePointer(raw).capacity(n);
            buffer = Nd4j.createBuffer(p, DataType.DOUBLE, n, DoubleIndexer.create(p));
        }
        INDArray a = Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', type);
        blocks.put(a, raw);
        return a;
    }

    /** Closes {@code a} and, if it came from {@link #allocate}, frees its memory. */
    static void release(INDArray a, Map<INDArray, Pointer> blocks) {
        if (!a.wasClosed() && a.closeable()) a.close();
        Pointer raw = blocks.remove(a);
        if (raw != null) Pointer.free(raw);
    }
}
