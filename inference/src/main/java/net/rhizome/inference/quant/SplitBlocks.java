package net.rhizome.inference.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import net.rhizome.inference.gguf.GgmlType;

/**
 * The blocks of a Q8_0 or Q4_0 matrix with quants and scales stored apart, as the vector kernels
 * want them: {@code quants} holds each block's quant bytes back to back (32 per Q8_0 block, 16 per
 * Q4_0 block, same order as the file) and {@code scales} each block's f16 scale as an f32.
 *
 * <p>In the GGUF layout every block starts with its 2-byte scale, so quant loads straddle cache
 * lines and each block's scale needs a load, a conversion and a broadcast. Reading the split copy
 * makes the one-token kernels 1.2-1.4x faster (see docs/benchmarks.md). f16 to f32 is exact, so the
 * decoded weights, and every product, keep their bits. The copy costs as much memory as the
 * matrix; the loader then drops the copied file pages from the process (they stay in the page
 * cache, and fault back in should the scalar path read them).
 */
public record SplitBlocks(MemorySegment quants, MemorySegment scales, int quantBytes) {

    /** Whether {@code type} has a split form. */
    public static boolean applies(GgmlType type) {
        return type == GgmlType.Q8_0 || type == GgmlType.Q4_0;
    }

    static SplitBlocks of(GgmlType type, int rows, int cols, MemorySegment data, SegmentAllocator memory) {
        int quantBytes = type.bytesPerBlock() - 2;
        long blocks = (long) rows * (cols / 32);
        MemorySegment quants = memory.allocate(blocks * quantBytes, 64);
        MemorySegment scales = memory.allocate(blocks * 4, 64);
        for (long b = 0; b < blocks; b++) {
            long at = b * type.bytesPerBlock();
            scales.setAtIndex(ValueLayout.JAVA_FLOAT, b, Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, at)));
            MemorySegment.copy(data, at + 2, quants, b * quantBytes, quantBytes);
        }
        return new SplitBlocks(quants, scales, quantBytes);
    }

    boolean fits(int rows, int cols) {
        long blocks = (long) rows * (cols / 32);
        return quants.byteSize() == blocks * quantBytes && scales.byteSize() == blocks * 4;
    }

    /** Byte offset of row {@code r}'s first quant in {@link #quants()}, for rows of {@code cols} weights. */
    public long quantOffset(int r, int cols) {
        return (long) r * (cols / 32) * quantBytes;
    }

    /** Byte offset of row {@code r}'s first scale in {@link #scales()}. */
    public long scaleOffset(int r, int cols) {
        return 4L * r * (cols / 32);
    }
}
