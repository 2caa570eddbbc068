package net.rhizome.inference.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked little-endian reader over a memory segment; every read names what it reads. The segment may be
 * the first bytes of a longer file ({@code fileSize}): a read past the file's end is a {@link GgufFormatException},
 * a read inside the file but past the segment a {@link GgufPrefixTooShortException}.
 */
final class GgufCursor {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment segment;
    private final long size;
    private final long fileSize;
    private long position;

    GgufCursor(MemorySegment segment, long fileSize) {
        if (fileSize < segment.byteSize()) {
            throw new IllegalArgumentException("file size " + fileSize + " is below the " + segment.byteSize() + " bytes at hand");
        }
        this.segment = segment;
        this.size = segment.byteSize();
        this.fileSize = fileSize;
    }

    long position() {
        return position;
    }

    /** Bytes left in the file (not only in the segment at hand). */
    long remaining() {
        return fileSize - position;
    }

    private long take(long bytes, String what) {
        return take(bytes, what, -1, "");
    }

    /** Reserves {@code bytes}; the error names {@code what}, element {@code index} (if not -1) and {@code suffix}. */
    private long take(long bytes, String what, long index, String suffix) {
        if (bytes < 0 || bytes > remaining()) {
            throw new GgufFormatException(label(what, index) + suffix + " at byte " + position + " needs " + Long.toUnsignedString(bytes)
                    + " bytes but the file ends after " + remaining() + " (file truncated?)");
        }
        if (bytes > size - position) {
            throw new GgufPrefixTooShortException(size, position + bytes);
        }
        long at = position;
        position += bytes;
        return at;
    }

    private static String label(String what, long index) {
        return index < 0 ? what : what + " " + index;
    }

    int u8(String what) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, take(1, what)));
    }

    byte i8(String what) {
        return segment.get(ValueLayout.JAVA_BYTE, take(1, what));
    }

    short i16(String what) {
        return segment.get(U16, take(2, what));
    }

    int i32(String what) {
        return segment.get(U32, take(4, what));
    }

    long i64(String what) {
        return segment.get(U64, take(8, what));
    }

    float f32(String what) {
        return segment.get(F32, take(4, what));
    }

    double f64(String what) {
        return segment.get(F64, take(8, what));
    }

    /** A count stored as uint64 that must lie in [0, max] and leave room for {@code minBytesEach} bytes per item. */
    long count(String what, long max, long minBytesEach) {
        long n = i64(what);
        if (n < 0 || n > max) {
            throw new GgufFormatException(what + " is " + Long.toUnsignedString(n) + ", limit is " + max);
        }
        if (minBytesEach > 0 && n > remaining() / minBytesEach) {
            throw new GgufFormatException(what + " is " + n + " but only " + remaining()
                    + " bytes remain in the file (file truncated or count corrupt)");
        }
        return n;
    }

    /** A GGUF string: uint64 byte length then UTF-8 bytes (malformed sequences become U+FFFD). */
    String string(String what, int maxBytes) {
        return string(what, -1, maxBytes);
    }

    /** Like {@link #string(String, int)} for element {@code index} of an array; no message is built unless it fails. */
    String string(String what, long index, int maxBytes) {
        long len = segment.get(U64, take(8, what, index, " length"));
        if (len < 0 || len > maxBytes) {
            throw new GgufFormatException(label(what, index) + " length is " + Long.toUnsignedString(len) + " bytes, limit is " + maxBytes);
        }
        if (len == 0) {
            return "";
        }
        long at = take(len, what, index, "");
        byte[] bytes = new byte[(int) len];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, at, bytes, 0, bytes.length);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
