package org.concdvae.autodiff;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An index array into the rows of a tensor with {@link #size()} rows, e.g. the source atom of every edge
 * ({@code size} = atoms). Used by {@link Tape#gather} (read rows) and {@link Tape#scatterSum} (sum rows into
 * {@code size} destinations).
 *
 * <p>Build one per graph and reuse it: the CSR form (entries grouped by destination, in increasing position) is built
 * once, lazily, and lets every destination row be summed by one thread in a fixed order, which makes scatter
 * deterministic and race-free. Immutable and thread-safe.
 */
public final class Index {
    private final int[] values;
    private final int size;
    private volatile int[] rowPtr;
    private volatile int[] order;
    private volatile INDArray ndValues;

    private Index(int[] values, int size) {
        this.values = values;
        this.size = size;
    }

    /** {@code values[i]} in {@code [0, size)}; the array is not copied (do not modify it afterwards). */
    public static Index of(int[] values, int size) {
        if (size < 0) throw new IllegalArgumentException("index size must be >= 0, got " + size);
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            if (v < 0 || v >= size) {
                throw new IllegalArgumentException("index value " + v + " at position " + i + " outside [0, " + size + ")");
            }
        }
        return new Index(values, size);
    }

    /** From 64-bit indices (e.g. an I64 safetensors tensor). */
    public static Index of(long[] values, int size) {
        int[] v = new int[values.length];
        for (int i = 0; i < v.length; i++) {
            long x = values[i];
            if (x < 0 || x >= size) throw new IllegalArgumentException("index value " + x + " at position " + i + " outside [0, " + size + ")");
            v[i] = (int) x;
        }
        return new Index(v, size);
    }

    /** Segment ids of consecutive groups: {@code counts[b]} entries with id b (e.g. atoms of each crystal). */
    public static Index ofCounts(int[] counts) {
        int total = 0;
        for (int c : counts) {
            if (c < 0) throw new IllegalArgumentException("negative segment count " + c);
            total += c;
        }
        int[] v = new int[total];
        int p = 0;
        for (int b = 0; b < counts.length; b++) for (int k = 0; k < counts[b]; k++) v[p++] = b;
        return new Index(v, counts.length);
    }

    /** Number of entries (rows produced by a gather, rows consumed by a scatter). */
    public int length() { return values.length; }

    /** Number of addressable rows (rows of the gathered tensor, rows produced by a scatter). */
    public int size() { return size; }

    public int get(int i) { return values[i]; }

    /** The raw values (shared, do not modify). */
    public int[] values() { return values; }

    /** CSR row pointers: entries of destination d are {@code order()[rowPtr()[d] .. rowPtr()[d+1])}. */
    public int[] rowPtr() {
        buildCsr();
        return rowPtr;
    }

    /** Entry positions grouped by destination, increasing within each destination (counting sort, stable). */
    public int[] order() {
        buildCsr();
        return order;
    }

    /** Number of entries with value d. */
    public int count(int d) {
        int[] p = rowPtr();
        return p[d + 1] - p[d];
    }

    private void buildCsr() {
        if (order != null) return;
        synchronized (this) {
            if (order != null) return;
            int[] ptr = new int[size + 1];
            for (int v : values) ptr[v + 1]++;
            for (int d = 0; d < size; d++) ptr[d + 1] += ptr[d];
            int[] fill = java.util.Arrays.copyOf(ptr, size);
            int[] ord = new int[values.length];
            for (int i = 0; i < values.length; i++) ord[fill[values[i]]++] = i;
            rowPtr = ptr;
            order = ord;
        }
    }

    /** The values as an ND4J INT32 vector (cached; for backends where the primitive kernels are not used). */
    INDArray asNd() {
        INDArray a = ndValues;
        if (a == null) {
            synchronized (this) {
                if (ndValues == null) ndValues = Nd4j.createFromArray(values).castTo(DataType.INT32);
                a = ndValues;
            }
        }
        return a;
    }
}
