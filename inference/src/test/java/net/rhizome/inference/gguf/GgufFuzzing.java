package net.rhizome.inference.gguf;

import java.lang.foreign.MemorySegment;

/** Shared body of the GGUF fuzz tests: parse, then touch everything the parse promised is valid. */
final class GgufFuzzing {
    private GgufFuzzing() {
    }

    static void exercise(byte[] bytes) {
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
}
