package net.rhizome.inference.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a GGUF file.
 *
 * @param name       tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param type       element encoding
 * @param dims       shape in ggml order: {@code dims[0]} is the contiguous (fastest-varying) axis
 * @param fileOffset absolute byte offset of the data in the file
 * @param byteSize   bytes of data
 * @param data       read-only view of the data, valid until the owning {@link GgufFile} is closed
 */
public record GgufTensor(String name, GgmlType type, long[] dims, long fileOffset, long byteSize, MemorySegment data) {

    public GgufTensor {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Number of dimensions (1 to {@link GgufFile#MAX_DIMS}). */
    public int rank() {
        return dims.length;
    }

    /** Size of axis {@code i} in ggml order; axes beyond the rank have size 1. */
    public long dim(int i) {
        return i < dims.length ? dims[i] : 1;
    }

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d; // cannot overflow: GgufFile validated the product
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensor t
                && name.equals(t.name) && type == t.type && Arrays.equals(dims, t.dims)
                && fileOffset == t.fileOffset && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return "GgufTensor[" + name + ", " + type + ", " + Arrays.toString(dims) + ", offset " + fileOffset + ", " + byteSize + " bytes]";
    }
}
