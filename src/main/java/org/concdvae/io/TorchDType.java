package org.concdvae.io;

import java.util.Locale;

/**
 * Element types of PyTorch tensors that a checkpoint can hold, with the legacy storage class that names each in a
 * {@code torch.save} pickle ({@code torch.FloatStorage} = float32, ...). Half and bfloat16 values are widened to
 * float (exactly); int16/int8/uint8/bool values are widened to int.
 */
public enum TorchDType {
    FLOAT32("float32", "FloatStorage", "F32", 4),
    FLOAT64("float64", "DoubleStorage", "F64", 8),
    FLOAT16("float16", "HalfStorage", "F16", 2),
    BFLOAT16("bfloat16", "BFloat16Storage", "BF16", 2),
    INT64("int64", "LongStorage", "I64", 8),
    INT32("int32", "IntStorage", "I32", 4),
    INT16("int16", "ShortStorage", "I16", 2),
    INT8("int8", "CharStorage", "I8", 1),
    UINT8("uint8", "ByteStorage", "U8", 1),
    BOOL("bool", "BoolStorage", "BOOL", 1);

    private final String torchName;
    private final String storageClass;
    private final String safetensorsName;
    private final int itemSize;

    TorchDType(String torchName, String storageClass, String safetensorsName, int itemSize) {
        this.torchName = torchName;
        this.storageClass = storageClass;
        this.safetensorsName = safetensorsName;
        this.itemSize = itemSize;
    }

    /** The torch name without the {@code torch.} prefix, e.g. {@code float32}. */
    public String torchName() { return torchName; }

    /** The legacy typed-storage class, e.g. {@code FloatStorage}. */
    public String storageClass() { return storageClass; }

    /** The safetensors dtype code, e.g. {@code F32}. */
    public String safetensorsName() { return safetensorsName; }

    /** Bytes per element in a storage. */
    public int itemSize() { return itemSize; }

    public boolean isFloatingPoint() { return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16; }

    /** The dtype of a legacy storage class name ({@code FloatStorage}), or null. */
    public static TorchDType ofStorageClass(String name) {
        for (TorchDType d : values()) if (d.storageClass.equals(name)) return d;
        return null;
    }

    /** The dtype of a torch dtype attribute name ({@code float32}, {@code float}, {@code long}, ...), or null. */
    public static TorchDType ofTorchName(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "float": return FLOAT32;
            case "double": return FLOAT64;
            case "half": return FLOAT16;
            case "long": return INT64;
            case "int": return INT32;
            case "short": return INT16;
            default:
                for (TorchDType d : values()) if (d.torchName.equals(name)) return d;
                return null;
        }
    }

    @Override
    public String toString() { return torchName; }
}
