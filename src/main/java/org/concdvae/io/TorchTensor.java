package org.concdvae.io;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * An immutable dense tensor read from a PyTorch checkpoint: dtype, shape and the values in contiguous row-major
 * order (the storage offset and strides of the saved view are already applied). Values are held as {@code float[]}
 * (float32, and float16/bfloat16 widened exactly), {@code double[]} (float64), {@code long[]} (int64) or {@code int[]}
 * (int32 and narrower integers, bool as 0/1). Accessors return copies or read-only views.
 */
public final class TorchTensor {
    private final TorchDType dtype;
    private final int[] shape;
    private final int numel;
    private final float[] f;
    private final double[] d;
    private final long[] l;
    private final int[] i;

    private TorchTensor(TorchDType dtype, int[] shape, float[] f, double[] d, long[] l, int[] i) {
        this.dtype = dtype;
        this.shape = shape;
        this.numel = numelOf(shape);
        this.f = f;
        this.d = d;
        this.l = l;
        this.i = i;
        int len = f != null ? f.length : d != null ? d.length : l != null ? l.length : i.length;
        if (len != numel) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + numel + " values, got " + len);
        }
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static TorchTensor ofFloats(int[] shape, float[] values) {
        return new TorchTensor(TorchDType.FLOAT32, shape.clone(), values.clone(), null, null, null);
    }

    /** A float64 tensor holding a copy of {@code values}. */
    public static TorchTensor ofDoubles(int[] shape, double[] values) {
        return new TorchTensor(TorchDType.FLOAT64, shape.clone(), null, values.clone(), null, null);
    }

    /** An int64 tensor holding a copy of {@code values}. */
    public static TorchTensor ofLongs(int[] shape, long[] values) {
        return new TorchTensor(TorchDType.INT64, shape.clone(), null, null, values.clone(), null);
    }

    /**
     * Gathers the view {@code (offset, size, stride)} of a storage into a contiguous tensor. {@code storage} holds the
     * storage's raw bytes with its byte order set; {@code storageNumel} is its element count.
     *
     * @throws IllegalArgumentException when the view does not fit in the storage or the geometry is invalid
     */
    static TorchTensor fromStorage(TorchDType dtype, ByteBuffer storage, long storageNumel, long offset,
                                   long[] size, long[] stride) {
        if (size.length != stride.length) {
            throw new IllegalArgumentException("size has " + size.length + " dimensions but stride has " + stride.length);
        }
        if (offset < 0) throw new IllegalArgumentException("negative storage offset " + offset);
        long n = 1;
        long last = offset;
        int[] shape = new int[size.length];
        for (int k = 0; k < size.length; k++) {
            if (size[k] < 0) throw new IllegalArgumentException("negative size " + Arrays.toString(size));
            if (stride[k] < 0) throw new IllegalArgumentException("negative stride " + Arrays.toString(stride));
            n = Math.multiplyExact(n, size[k]);
            if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor of " + n + "+ elements is too large");
            shape[k] = (int) size[k];
            if (size[k] > 0) last = Math.addExact(last, Math.multiplyExact(size[k] - 1, stride[k]));
        }
        if (n > 0 && last >= storageNumel) {
            throw new IllegalArgumentException("view (offset " + offset + ", size " + Arrays.toString(size) + ", stride "
                    + Arrays.toString(stride) + ") reaches element " + last + " of a storage of " + storageNumel);
        }
        int count = (int) n;
        boolean contiguous = isContiguous(size, stride);
        float[] f = null;
        double[] d = null;
        long[] l = null;
        int[] in = null;
        switch (dtype) {
            case FLOAT32 -> {
                f = new float[count];
                if (contiguous) slice(storage, offset, 4).asFloatBuffer().get(f);
                else { long[] idx = indices(offset, size, stride, count); for (int k = 0; k < count; k++) f[k] = storage.getFloat((int) (idx[k] * 4)); }
            }
            case FLOAT64 -> {
                d = new double[count];
                if (contiguous) slice(storage, offset, 8).asDoubleBuffer().get(d);
                else { long[] idx = indices(offset, size, stride, count); for (int k = 0; k < count; k++) d[k] = storage.getDouble((int) (idx[k] * 8)); }
            }
            case INT64 -> {
                l = new long[count];
                if (contiguous) slice(storage, offset, 8).asLongBuffer().get(l);
                else { long[] idx = indices(offset, size, stride, count); for (int k = 0; k < count; k++) l[k] = storage.getLong((int) (idx[k] * 8)); }
            }
            case FLOAT16, BFLOAT16 -> {
                f = new float[count];
                long[] idx = indices(offset, size, stride, count);
                for (int k = 0; k < count; k++) {
                    int bits = storage.getShort((int) (idx[k] * 2)) & 0xffff;
                    f[k] = dtype == TorchDType.BFLOAT16 ? Float.intBitsToFloat(bits << 16) : halfToFloat(bits);
                }
            }
            case INT32, INT16, INT8, UINT8, BOOL -> {
                in = new int[count];
                long[] idx = indices(offset, size, stride, count);
                for (int k = 0; k < count; k++) {
                    int p = (int) (idx[k] * dtype.itemSize());
                    in[k] = switch (dtype) {
                        case INT32 -> storage.getInt(p);
                        case INT16 -> storage.getShort(p);
                        case INT8 -> storage.get(p);
                        case UINT8 -> storage.get(p) & 0xff;
                        default -> storage.get(p) != 0 ? 1 : 0;
                    };
                }
            }
        }
        return new TorchTensor(dtype, shape, f, d, l, in);
    }

    private static ByteBuffer slice(ByteBuffer storage, long offset, int item) {
        ByteBuffer b = storage.duplicate().order(storage.order());
        b.position((int) (offset * item));
        return b.slice().order(storage.order());
    }

    private static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int k = size.length - 1; k >= 0; k--) {
            if (size[k] != 1 && stride[k] != expected) return false;
            expected *= size[k];
        }
        return true;
    }

    /** Storage element index of every element of the view, in row-major order (an odometer over the dimensions). */
    private static long[] indices(long offset, long[] size, long[] stride, int count) {
        long[] out = new long[count];
        int rank = size.length;
        long[] pos = new long[rank];
        long cur = offset;
        for (int k = 0; k < count; k++) {
            out[k] = cur;
            for (int dim = rank - 1; dim >= 0; dim--) {
                pos[dim]++;
                cur += stride[dim];
                if (pos[dim] < size[dim]) break;
                cur -= stride[dim] * pos[dim];
                pos[dim] = 0;
            }
        }
        return out;
    }

    /** IEEE 754 binary16 to float (exact; Float.float16ToFloat arrived only in Java 20). */
    static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static int numelOf(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return (int) n;
    }

    public TorchDType dtype() { return dtype; }

    /** The shape (a copy); {@code []} for a scalar. */
    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public int dim(int k) { return shape[k]; }

    public int numel() { return numel; }

    /** The values as float (a copy). Only for float32/float16/bfloat16 tensors, so that nothing is rounded silently. */
    public float[] toFloatArray() {
        if (f == null) throw new IllegalStateException("tensor has dtype " + dtype + ", not a float32-compatible type");
        return f.clone();
    }

    /** A read-only view of the float values without copying (float32/float16/bfloat16 tensors). */
    public FloatBuffer floatBuffer() {
        if (f == null) throw new IllegalStateException("tensor has dtype " + dtype + ", not a float32-compatible type");
        return FloatBuffer.wrap(f).asReadOnlyBuffer();
    }

    /** The values as int64 (a copy). Only for integer and bool tensors. */
    public long[] toLongArray() {
        if (l != null) return l.clone();
        if (i != null) { long[] out = new long[numel]; for (int k = 0; k < numel; k++) out[k] = i[k]; return out; }
        throw new IllegalStateException("tensor has dtype " + dtype + ", not an integer type");
    }

    /** The values as int (a copy). Only for int32 and narrower integer and bool tensors. */
    public int[] toIntArray() {
        if (i == null) throw new IllegalStateException("tensor has dtype " + dtype + ", not int32 or narrower");
        return i.clone();
    }

    /** The values widened to double (a copy; exact for every dtype except int64 beyond 2^53). */
    public double[] toDoubleArray() {
        if (d != null) return d.clone();
        double[] out = new double[numel];
        for (int k = 0; k < numel; k++) out[k] = getDouble(k);
        return out;
    }

    /** A read-only view of the float64 values without copying. */
    public DoubleBuffer doubleBuffer() {
        if (d == null) throw new IllegalStateException("tensor has dtype " + dtype + ", not float64");
        return DoubleBuffer.wrap(d).asReadOnlyBuffer();
    }

    /** A read-only view of the int64 values without copying. */
    public LongBuffer longBuffer() {
        if (l == null) throw new IllegalStateException("tensor has dtype " + dtype + ", not int64");
        return LongBuffer.wrap(l).asReadOnlyBuffer();
    }

    /** Element {@code k} in row-major order, widened to double. */
    public double getDouble(int k) {
        if (f != null) return f[k];
        if (d != null) return d[k];
        if (l != null) return l[k];
        return i[k];
    }

    /** The single value of a one-element tensor (e.g. a 0-d normaliser mean). */
    public double item() {
        if (numel != 1) throw new IllegalStateException("item() of a tensor with " + numel + " elements");
        return getDouble(0);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TorchTensor t)) return false;
        return dtype == t.dtype && Arrays.equals(shape, t.shape) && Arrays.equals(f, t.f) && Arrays.equals(d, t.d)
                && Arrays.equals(l, t.l) && Arrays.equals(i, t.i);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape))
                + Arrays.hashCode(f) + Arrays.hashCode(d) + Arrays.hashCode(l) + Arrays.hashCode(i);
    }

    /** E.g. {@code float32[128, 169]}. */
    @Override
    public String toString() { return dtype + Arrays.toString(shape); }
}
