package net.rhizome.inference.quant;

import java.lang.foreign.MemorySegment;
import net.rhizome.inference.gguf.GgmlType;

/**
 * A 2-D weight tensor stored row by row in its GGUF encoding: {@code rows} rows of {@code cols}
 * elements, each row {@code rowBytes} bytes (ggml: dims[0] = cols, dims[1] = rows).
 */
public record WeightMatrix(String name, GgmlType type, int rows, int cols, long rowBytes, MemorySegment data) {

    public WeightMatrix {
        if (!Formats.supported(type)) {
            throw new IllegalArgumentException(name + ": tensor type " + type + " is not supported (supported: " + Formats.SUPPORTED + ")");
        }
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(name + ": bad shape " + cols + "x" + rows);
        }
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": row length " + cols + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        if (rowBytes != type.byteSize(cols) || data.byteSize() != Math.multiplyExact(rowBytes, (long) rows)) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes of data do not fit " + rows + " rows of " + cols + " " + type);
        }
    }

    /** A matrix over {@code data} with the row size implied by the type. */
    public static WeightMatrix of(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        return new WeightMatrix(name, type, rows, cols, type.byteSize(cols), data);
    }

    /** Byte offset of row {@code r} in {@link #data()}. */
    public long rowOffset(int r) {
        return r * rowBytes;
    }

    /** Total bytes of weight data, for bandwidth figures. */
    public long byteSize() {
        return rowBytes * rows;
    }
}
