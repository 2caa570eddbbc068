package net.rhizome.inference.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import net.rhizome.inference.gguf.GgmlType;

/**
 * A 2-D weight tensor stored row by row in its GGUF encoding: {@code rows} rows of {@code cols}
 * elements, each row {@code rowBytes} bytes (ggml: dims[0] = cols, dims[1] = rows). Q8_0 and
 * Q4_0 matrices that take part in products carry a {@link SplitBlocks} copy that the fused
 * kernels read; without it ({@code split} null) their products decode each row first.
 */
public record WeightMatrix(String name, GgmlType type, int rows, int cols, long rowBytes, MemorySegment data, SplitBlocks split) {

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
        if (split != null && (!SplitBlocks.applies(type) || !split.fits(rows, cols))) {
            throw new IllegalArgumentException(name + ": split blocks do not match " + rows + " rows of " + cols + " " + type);
        }
    }

    /** A matrix over {@code data} with the row size implied by the type; its split copy, if any, is freed once the matrix is unreachable. */
    public static WeightMatrix of(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        return of(name, type, rows, cols, data, Arena.ofAuto());
    }

    /** A matrix that is only read a row at a time (a token embedding), so it needs no split copy. */
    public static WeightMatrix rowsOnly(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        return new WeightMatrix(name, type, rows, cols, type.byteSize(cols), data, null);
    }

    /** As {@link #of(String, GgmlType, int, int, MemorySegment)}, with the split copy taken from {@code memory}. */
    public static WeightMatrix of(String name, GgmlType type, int rows, int cols, MemorySegment data, SegmentAllocator memory) {
        WeightMatrix plain = rowsOnly(name, type, rows, cols, data); // validates before the copy reads anything
        return SplitBlocks.applies(type) ? new WeightMatrix(name, type, rows, cols, plain.rowBytes(), data, SplitBlocks.of(type, rows, cols, data, memory)) : plain;
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
