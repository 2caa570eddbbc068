package net.rhizome.inference.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import net.rhizome.inference.gguf.GgmlType;

/**
 * The blocks of a Q8_0 or Q4_0 matrix with quants and scales stored apart, as the vector kernels
 * want them: {@code quants} holds each block's quant bytes back to back (32 per Q8_0 block, 16 per
 * Q4_0 block) and {@code scales} each block's f16 scale as an f32.
 *
 * <p>In the GGUF layout every block starts with its 2-byte scale, so quant loads straddle cache
 * lines and each block's scale needs a load, a conversion and a broadcast. Reading the split copy
 * makes the one-token kernels 1.2-1.4x faster (see docs/benchmarks.md). f16 to f32 is exact, so the
 * decoded weights, and every product, keep their bits. The copy costs as much memory as the
 * matrix; the loader then drops the copied file pages from the process (they stay in the page
 * cache, and fault back in should the scalar path read them).
 *
 * <p>Q8_0 rows follow each other. Q4_0 rows are stored in pairs, interleaved block by block: block
 * {@code b} of row {@code 2p + 1} follows block {@code b} of row {@code 2p}, in the quants and in the
 * scales alike, and an odd last row stands alone. The kernel that computes a pair of rows at once
 * then reads one sequential stream of quants and one of scales instead of two of each, which ran
 * 1.5x faster from memory; a kernel that reads one row steps over its partner's blocks
 * ({@link #stride}).
 */
public record SplitBlocks(MemorySegment quants, MemorySegment scales, int quantBytes, int rows, int cols, int rowsPerGroup) {

    /** Whether {@code type} has a split form. */
    public static boolean applies(GgmlType type) {
        return type == GgmlType.Q8_0 || type == GgmlType.Q4_0;
    }

    static SplitBlocks of(GgmlType type, int rows, int cols, MemorySegment data, SegmentAllocator memory) {
        int quantBytes = type.bytesPerBlock() - 2, blocksPerRow = cols / 32;
        long blocks = (long) rows * blocksPerRow;
        SplitBlocks split = new SplitBlocks(memory.allocate(blocks * quantBytes, 64), memory.allocate(blocks * 4, 64), quantBytes, rows, cols,
                type == GgmlType.Q4_0 ? 2 : 1);
        for (int r = 0; r < rows; r++) {
            long first = split.firstBlock(r);
            int stride = split.stride(r);
            for (int b = 0; b < blocksPerRow; b++) {
                long at = ((long) r * blocksPerRow + b) * type.bytesPerBlock();
                long to = first + (long) b * stride;
                split.scales.setAtIndex(ValueLayout.JAVA_FLOAT, to, Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, at)));
                MemorySegment.copy(data, at + 2, split.quants, to * quantBytes, quantBytes);
            }
        }
        return split;
    }

    boolean fits(int rows, int cols) {
        long blocks = (long) rows * (cols / 32);
        return rows == this.rows && cols == this.cols && quants.byteSize() == blocks * quantBytes && scales.byteSize() == blocks * 4;
    }

    /** Blocks from one block of row {@code r} to its next: 2 in a Q4_0 pair, else 1. */
    public int stride(int r) {
        return rowsPerGroup == 2 && (r | 1) < rows ? 2 : 1;
    }

    /** Byte offset of row {@code r}'s first quant in {@link #quants()}. */
    public long quantOffset(int r) {
        return firstBlock(r) * quantBytes;
    }

    /** Byte offset of row {@code r}'s first scale in {@link #scales()}. */
    public long scaleOffset(int r) {
        return firstBlock(r) * 4;
    }

    private long firstBlock(int r) {
        long blocksPerRow = cols / 32;
        return stride(r) == 1 ? r * blocksPerRow : (r & ~1) * blocksPerRow + (r & 1);
    }
}
