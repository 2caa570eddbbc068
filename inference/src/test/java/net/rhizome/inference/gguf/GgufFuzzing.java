package net.rhizome.inference.gguf;

import java.lang.foreign.MemorySegment;

/**
 * Shared body of the GGUF fuzz tests: parse, then touch everything the parse promised is valid; and read the
 * metadata from a prefix of the bytes (cut where the last byte says), which must agree with reading it from them all.
 */
final class GgufFuzzing {
    private GgufFuzzing() {
    }

    static void exercise(byte[] bytes) {
        exercisePrefix(bytes);
        GgufFile f;
        try {
            f = GgufFile.of(MemorySegment.ofArray(bytes));
        } catch (GgufFormatException expected) {
            return;
        }
        for (GgufTensor t : f.tensors()) {
            MemorySegment data = t.data();
            if (data.byteSize() != t.byteSize() || t.fileOffset() + t.byteSize() > bytes.length) {
                throw new AssertionError("tensor " + t.name() + " escapes the file");
            }
            if (t.byteSize() > 0) {
                data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, t.byteSize() - 1);
            }
        }
        f.metadata().keySet().forEach(key -> f.metadata().get(key));
    }

    private static void exercisePrefix(byte[] bytes) {
        int cut = bytes.length == 0 ? 0 : (int) ((long) Byte.toUnsignedInt(bytes[bytes.length - 1]) * bytes.length / 255);
        Object whole = metadata(bytes, bytes.length);
        Object prefix = metadata(bytes, cut);
        if (prefix instanceof GgufPrefixTooShortException e) {
            if (e.needed() <= cut || e.needed() > bytes.length) {
                throw new AssertionError("prefix of " + cut + " of " + bytes.length + " bytes asks for " + e.needed());
            }
        } else if (!prefix.equals(whole)) {
            throw new AssertionError("prefix of " + cut + " bytes reads " + prefix + ", all " + bytes.length + " read " + whole);
        }
        if (whole instanceof GgufPrefixTooShortException) {
            throw new AssertionError("the whole file asks for more bytes");
        }
    }

    /** The metadata keys read from the first {@code cut} bytes, the format error's message, or the request for more. */
    private static Object metadata(byte[] bytes, int cut) {
        try {
            return GgufFile.metadataOf(MemorySegment.ofArray(bytes).asSlice(0, cut), bytes.length).metadata().keySet();
        } catch (GgufFormatException e) {
            return e.getMessage();
        } catch (GgufPrefixTooShortException e) {
            return e;
        }
    }
}
