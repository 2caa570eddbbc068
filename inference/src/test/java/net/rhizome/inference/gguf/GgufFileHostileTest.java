package net.rhizome.inference.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each class of broken or hostile file gets one clear {@link GgufFormatException} naming what is wrong. */
class GgufFileHostileTest {

    private static AbstractThrowableAssert<?, ?> rejects(GgufBytes b) {
        return assertThatThrownBy(b::parse).isInstanceOf(GgufFormatException.class);
    }

    @Test
    void smallModelIsValid() {
        GgufFile f = GgufFile.of(MemorySegment.ofArray(GgufTestFiles.smallModel()));
        assertThat(f.tensors()).extracting(GgufTensor::name).containsExactly("w", "q", "k");
        assertThat(f.requireTensor("k").byteSize()).isEqualTo(GgmlType.Q4_K.bytesPerBlock());
        assertThat(f.optBoolean("flag")).contains(true);
        assertThat(f.integer("big")).isEqualTo(1L << 40);
        assertThat(f.floating("llama.rope.freq_base")).isEqualTo(10000.0);
        assertThatThrownBy(() -> f.string("llama.block_count")).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("'llama.block_count' should be a string but is a long (2)");
        assertThatThrownBy(() -> f.integer("no.such.key")).hasMessageContaining("missing metadata key 'no.such.key'");
        assertThatThrownBy(() -> f.requireTensor("output.weight")).hasMessageContaining("missing tensor 'output.weight'");
    }

    @Test
    void everyTruncationIsRejectedCleanly() {
        byte[] full = GgufTestFiles.smallModel();
        for (int len = 0; len < full.length; len++) {
            byte[] prefix = Arrays.copyOf(full, len);
            assertThatThrownBy(() -> GgufFile.of(MemorySegment.ofArray(prefix)))
                    .as("prefix of %d bytes", len).isInstanceOf(GgufFormatException.class);
        }
    }

    @Test
    void badMagic() {
        byte[] file = GgufTestFiles.smallModel();
        file[0] = 'X';
        assertThatThrownBy(() -> GgufFile.of(MemorySegment.ofArray(file))).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("bad magic").hasMessageContaining("not a GGUF file");
    }

    @Test
    void versionTwoHasTheSameLayout() {
        GgufFile f = GgufBytes.header(2, 0, 1).kvU32("llama.block_count", 22).parse();
        assertThat(f.version()).isEqualTo(2);
        assertThat(f.integer("llama.block_count")).isEqualTo(22);
    }

    @Test
    void unsupportedVersions() {
        rejects(GgufBytes.header(1, 0, 0).zeros(8)).hasMessageContaining("unsupported GGUF version 1");
        rejects(GgufBytes.header(Integer.reverseBytes(3), 0, 0)).hasMessageContaining("big-endian");
    }

    @Test
    void hugeCounts() {
        rejects(GgufBytes.header(3, 1L << 62, 0)).hasMessageContaining("tensor count");
        rejects(GgufBytes.header(3, 0, -1L)).hasMessageContaining("metadata entry count is 18446744073709551615");
        rejects(GgufBytes.header(3, 1000, 0)).hasMessageContaining("tensor count is 1000 but only 8 bytes remain");
    }

    @Test
    void hugeStringsAndArrays() {
        rejects(GgufBytes.header(3, 0, 1).u64(1L << 40).zeros(8)).hasMessageContaining("metadata key #0 length is 1099511627776 bytes");
        rejects(GgufBytes.header(3, 0, 1).str("k").u32(GgufFile.ValueType.STRING).u64(1L << 33))
                .hasMessageContaining("metadata 'k' length");
        rejects(GgufBytes.header(3, 0, 1).str("k").u32(GgufFile.ValueType.ARRAY).u32(GgufFile.ValueType.UINT8).u64(1L << 50))
                .hasMessageContaining("metadata array 'k' length");
        rejects(GgufBytes.header(3, 0, 1).str("k").u32(GgufFile.ValueType.ARRAY).u32(GgufFile.ValueType.STRING).u64(1000).zeros(16))
                .hasMessageContaining("metadata array 'k' length is 1000 but only 16 bytes remain");
        rejects(GgufBytes.header(3, 0, 1).str("k").u32(GgufFile.ValueType.ARRAY).u32(GgufFile.ValueType.ARRAY).u64(1))
                .hasMessageContaining("nested arrays");
    }

    @Test
    void unknownTypes() {
        rejects(GgufBytes.header(3, 0, 1).str("k").u32(77).u32(0)).hasMessageContaining("metadata 'k' has unknown value type 77");
    }

    @Test
    void unknownTensorType() {
        GgufBytes b = GgufBytes.header(3, 1, 0).str("blk.0.attn_q.weight").u32(1).u64(32).u32(99).u64(0);
        b.pad(32).zeros(128);
        rejects(b).hasMessageContaining("tensor 'blk.0.attn_q.weight' has unknown ggml type 99");
    }

    @Test
    void offsetsPastTheEnd() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", GgmlType.F32, 0, 64);
        b.pad(32).zeros(100);
        rejects(b).hasMessageContaining("tensor 't' data").hasMessageContaining("past the end of the file");
        GgufBytes far = GgufBytes.header(3, 1, 0).tensorInfo("t", GgmlType.F32, Long.MAX_VALUE - 31, 1);
        far.pad(32).zeros(4);
        rejects(far).hasMessageContaining("tensor 't'");
    }

    @Test
    void overlappingTensors() {
        GgufBytes b = GgufBytes.header(3, 2, 0).tensorInfo("a", GgmlType.F32, 0, 16).tensorInfo("b", GgmlType.F32, 32, 16);
        b.pad(32).zeros(128);
        rejects(b).hasMessageContaining("tensor 'b' overlaps tensor 'a'");
    }

    @Test
    void misalignedOffset() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("a", GgmlType.F32, 4, 4);
        b.pad(32).zeros(64);
        rejects(b).hasMessageContaining("offset 4 is not a multiple of the alignment 32");
    }

    @Test
    void shapesThatOverflowOrBreakBlocks() {
        rejects(GgufBytes.header(3, 1, 0).tensorInfo("a", GgmlType.F32, 0, 1L << 40, 1L << 40)).hasMessageContaining("overflows 64 bits");
        rejects(GgufBytes.header(3, 1, 0).tensorInfo("a", GgmlType.F32, 0, 1L << 62)).hasMessageContaining("byte size overflows");
        rejects(GgufBytes.header(3, 1, 0).tensorInfo("a", GgmlType.F32, 0, -5)).hasMessageContaining("dimension 0 is negative");
        rejects(GgufBytes.header(3, 1, 0).tensorInfo("a", GgmlType.Q8_0, 0, 33))
                .hasMessageContaining("row length 33 is not a multiple of the Q8_0 block size 32");
        rejects(GgufBytes.header(3, 1, 0).tensorInfo("a", GgmlType.F32, 0, 1, 1, 1, 1, 1)).hasMessageContaining("5 dimensions");
    }

    @Test
    void duplicates() {
        rejects(GgufBytes.header(3, 0, 2).kvU32("k", 1).kvU32("k", 2)).hasMessageContaining("duplicate metadata key 'k'");
        GgufBytes b = GgufBytes.header(3, 2, 0).tensorInfo("a", GgmlType.F32, 0, 8).tensorInfo("a", GgmlType.F32, 32, 8);
        b.pad(32).zeros(64);
        rejects(b).hasMessageContaining("duplicate tensor name 'a'");
    }

    @Test
    void badAlignment() {
        rejects(GgufBytes.header(3, 0, 1).kvU32(GgufFile.ALIGNMENT_KEY, 24)).hasMessageContaining("general.alignment must be a power of two");
        rejects(GgufBytes.header(3, 0, 1).kvString(GgufFile.ALIGNMENT_KEY, "32")).hasMessageContaining("general.alignment");
    }

    @Test
    void badBooleanAndHugeUnsigned() {
        rejects(GgufBytes.header(3, 0, 1).str("b").u32(GgufFile.ValueType.BOOL).u8(7)).hasMessageContaining("boolean byte is 7");
        rejects(GgufBytes.header(3, 0, 1).str("u").u32(GgufFile.ValueType.UINT64).u64(-1L)).hasMessageContaining("exceeds 2^63-1");
    }

    @Test
    void fileErrorsNameThePath(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> GgufFile.open(dir.resolve("missing.gguf"))).isInstanceOf(NoSuchFileException.class);
        Path empty = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        assertThatThrownBy(() -> GgufFile.open(empty)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining(empty.toString()).hasMessageContaining("too short");
    }
}
