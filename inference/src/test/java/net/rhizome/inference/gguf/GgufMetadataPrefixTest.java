package net.rhizome.inference.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link GgufFile#metadataOf}: a prefix ending inside the metadata asks for more bytes; a broken one is a format error. */
class GgufMetadataPrefixTest {
    private static final long BIG_FILE = 1L << 30;

    private static GgufFile read(byte[] file, int prefix, long fileSize) {
        return GgufFile.metadataOf(MemorySegment.ofArray(Arrays.copyOf(file, prefix)), fileSize);
    }

    /** Where the metadata of {@code file} ends: the shortest prefix that reads. */
    private static int metadataEnd(byte[] file) {
        for (int len = 0; len <= file.length; len++) {
            try {
                read(file, len, file.length);
                return len;
            } catch (GgufPrefixTooShortException e) {
                assertThat(e.needed()).as("prefix %d", len).isGreaterThan(len).isLessThanOrEqualTo(file.length);
            }
        }
        throw new AssertionError("metadata never read");
    }

    @Test
    void everyPrefixInsideTheMetadataAsksForMoreAndTheRestReads() {
        byte[] file = GgufTestFiles.smallModel();
        GgufFile whole = GgufFile.of(MemorySegment.ofArray(file));
        int end = metadataEnd(file);
        assertThat(end).isGreaterThan(24).isLessThan((int) whole.dataOffset());
        for (int len = end; len <= file.length; len++) {
            GgufFile f = read(file, len, file.length);
            assertThat(f.metadata()).containsOnlyKeys(whole.metadata().keySet());
            assertThat(f.stringArray("tokenizer.ggml.tokens")).containsExactly("a", "b", "c");
            assertThat(f.tensors()).isEmpty();
            assertThat(f.dataOffset()).isEqualTo(-1);
        }
        assertThatThrownBy(() -> read(file, end, file.length).requireTensor("w")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("metadata-only");
    }

    @Test
    void askingForTheBytesNamedReachesTheEnd() {
        byte[] file = GgufTestFiles.smallModel();
        int end = metadataEnd(file);
        long len = 0;
        for (int steps = 0; ; steps++) {
            assertThat(steps).isLessThan(100);
            try {
                read(file, (int) len, BIG_FILE);
                break;
            } catch (GgufPrefixTooShortException e) {
                assertThat(e.getMessage()).startsWith("need more bytes: " + e.needed());
                len = e.needed();
            }
        }
        assertThat(len).isEqualTo(end);
    }

    @Test
    void aLongStringAsksForItsWholeLength() {
        byte[] file = GgufBytes.header(3, 0, 1).kvString("tokenizer.chat_template", "x".repeat(100_000)).bytes();
        assertThatThrownBy(() -> read(file, 4096, BIG_FILE)).isInstanceOfSatisfying(GgufPrefixTooShortException.class,
                e -> assertThat(e.needed()).isEqualTo(file.length));
        assertThat(read(file, file.length, BIG_FILE).string("tokenizer.chat_template")).hasSize(100_000);
    }

    @Test
    void errorsWithinThePrefixAreFormatErrorsNotRequestsForMore() {
        byte[] badMagic = GgufTestFiles.smallModel();
        badMagic[0] = 'X';
        assertFormatError(badMagic, 4, "bad magic");
        byte[] badVersion = GgufBytes.header(9, 0, 1).bytes();
        assertFormatError(badVersion, 8, "unsupported GGUF version 9");
        assertFormatError(GgufBytes.header(3, 0, GgufFile.MAX_METADATA_ENTRIES + 1L).bytes(), 24, "metadata entry count");
        byte[] hugeString = GgufBytes.header(3, 0, 1).str("k").u32(GgufFile.ValueType.STRING).u64(GgufFile.MAX_STRING_BYTES + 1L).bytes();
        assertFormatError(hugeString, hugeString.length, "limit is " + GgufFile.MAX_STRING_BYTES);
        byte[] unknownType = GgufBytes.header(3, 0, 1).str("k").u32(99).bytes();
        assertFormatError(unknownType, unknownType.length, "unknown value type 99");
        byte[] duplicate = GgufBytes.header(3, 0, 2).kvU32("k", 1).kvU32("k", 2).bytes();
        assertFormatError(duplicate, duplicate.length, "duplicate metadata key 'k'");
        byte[] badAlignment = GgufBytes.header(3, 0, 1).kvU32(GgufFile.ALIGNMENT_KEY, 3).bytes();
        assertFormatError(badAlignment, badAlignment.length, "power of two");
    }

    private static void assertFormatError(byte[] file, int prefix, String message) {
        assertThatThrownBy(() -> read(file, prefix, BIG_FILE)).isInstanceOf(GgufFormatException.class).hasMessageContaining(message);
    }

    @Test
    void metadataRunningPastTheFileIsAFormatError() {
        byte[] file = GgufBytes.header(3, 0, 1).kvString("general.name", "x".repeat(1000)).bytes();
        assertThatThrownBy(() -> read(file, 100, 500)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("the file ends after");
        for (int len = 0; len < file.length; len++) {
            int cut = len;
            assertThatThrownBy(() -> read(file, cut, cut)).as("whole file of %d bytes", cut).isInstanceOf(GgufFormatException.class);
        }
        assertThatThrownBy(() -> read(file, 10, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
