package net.rhizome.inference.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {

    static Path testModel(String name) {
        String dir = System.getenv("RHIZOME_TEST_MODELS");
        assumeThat(dir).as("RHIZOME_TEST_MODELS is not set (or empty); skipping test that needs " + name).isNotBlank();
        return Path.of(dir, name);
    }

    @Test
    void readsStories260K() throws Exception {
        try (GgufFile f = GgufFile.open(testModel("stories260K.gguf"))) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.string("general.architecture")).isEqualTo("llama");
            assertThat(f.integer("llama.embedding_length")).isEqualTo(64);
            assertThat(f.integer("llama.block_count")).isEqualTo(5);
            assertThat(f.floating("llama.attention.layer_norm_rms_epsilon")).isEqualTo(1e-5f);
            assertThat(f.stringArray("tokenizer.ggml.tokens")).hasSize(512).startsWith("<unk>", "<s>", "</s>", "<0x00>");
            assertThat(f.floatArray("tokenizer.ggml.scores")).hasSize(512);
            assertThat(f.intArray("tokenizer.ggml.token_type")).hasSize(512).startsWith(2, 3, 3, 6);
            assertThat(f.tensors()).hasSize(48);
            GgufTensor emb = f.requireTensor("token_embd.weight");
            assertThat(emb.type()).isEqualTo(GgmlType.F32);
            assertThat(emb.dims()).containsExactly(64, 512);
            assertThat(emb.elementCount()).isEqualTo(64 * 512);
            assertThat(emb.byteSize()).isEqualTo(64 * 512 * 4);
            assertThat(emb.fileOffset() % f.alignment()).isZero();
            assertThat(emb.data().byteSize()).isEqualTo(emb.byteSize());
            assertThat(f.tensor("no.such.tensor")).isEmpty();
            // every tensor's data is finite floats: the slice really points at the weights
            float v = emb.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            assertThat(Float.isFinite(v)).isTrue();
        }
    }

    @Test
    void readsConstructedFileWithTwoTensors(@TempDir Path dir) throws Exception {
        GgufBytes b = GgufBytes.header(3, 2, 3)
                .kvString("general.architecture", "llama")
                .kvU32("general.alignment", 64)
                .kvFloats("some.floats", 1.5f, -2f)
                .tensorInfo("a", GgmlType.F32, 0, 4, 2)
                .tensorInfo("b", GgmlType.Q8_0, 64, 32);
        b.pad(64);
        int dataStart = b.size();
        for (int i = 0; i < 8; i++) {
            b.f32(i);
        }
        b.pad(64).zeros(34);
        Path file = dir.resolve("x.gguf");
        Files.write(file, b.bytes());
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.alignment()).isEqualTo(64);
            assertThat(f.dataOffset()).isEqualTo(dataStart);
            assertThat(f.floatArray("some.floats")).containsExactly(1.5f, -2f);
            GgufTensor a = f.requireTensor("a");
            assertThat(a.fileOffset()).isEqualTo(dataStart);
            assertThat(a.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 7 * 4)).isEqualTo(7f);
            GgufTensor q = f.requireTensor("b");
            assertThat(q.byteSize()).isEqualTo(34);
            assertThat(q.fileOffset()).isEqualTo(dataStart + 64);
        }
    }
}
