package net.rhizome.inference.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import net.rhizome.inference.engine.EngineOptions;
import net.rhizome.inference.engine.GenerationRequest;
import net.rhizome.inference.engine.InferenceEngine;
import net.rhizome.inference.engine.LoadProgress;
import net.rhizome.inference.engine.TokenListener;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.sampler.SamplingParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SyntheticModelsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void writesLoadableModelsOfEveryType(GgmlType type) throws Exception {
        Path p = dir.resolve("m.gguf");
        SyntheticModels.write(ModelShape.TINY, type, 3, p);
        try (GgufFile g = GgufFile.open(p)) {
            assertThat(g.string("general.architecture")).isEqualTo("llama");
            assertThat(g.requireTensor("blk.1.ffn_down.weight").type()).isEqualTo(type);
            assertThat(g.tensor("output.weight")).isEmpty(); // tiny ties its embeddings
            assertThat(g.stringArray("tokenizer.ggml.tokens")).hasSize(512);
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
        Path a = dir.resolve("a.gguf"), b = dir.resolve("b.gguf"), c = dir.resolve("c.gguf");
        SyntheticModels.write(ModelShape.TINY, GgmlType.Q4_K, 1, a);
        SyntheticModels.write(ModelShape.TINY, GgmlType.Q4_K, 1, b);
        SyntheticModels.write(ModelShape.TINY, GgmlType.Q4_K, 2, c);
        assertThat(Files.mismatch(a, b)).isEqualTo(-1);
        assertThat(Files.mismatch(a, c)).isNotEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-qwen3"})
    void qwenShapesRunAndAreRepeatable(String shape) throws Exception {
        Path p = dir.resolve(shape + ".gguf");
        SyntheticModels.write(ModelShape.named(shape), GgmlType.Q8_0, 5, p);
        try (InferenceEngine e = InferenceEngine.load(p, EngineOptions.defaults().withMaxContext(128), LoadProgress.NONE)) {
            var req = new GenerationRequest(e.encodePrompt("hello world", false), SamplingParams.greedy(12), "j", true);
            var first = e.generate(req, TokenListener.NONE);
            var second = e.generate(req, TokenListener.NONE);
            assertThat(first.tokens()).hasSizeBetween(1, 12).isEqualTo(second.tokens());
            assertThat(first.logitsHashHex()).isEqualTo(second.logitsHashHex());
        }
    }

    @Test
    void rejectsTypesTheShapeCannotHold() {
        assertThatThrownBy(() -> SyntheticModels.write(ModelShape.STORIES15M, GgmlType.Q4_K, 1, dir.resolve("x.gguf")))
                .hasMessageContaining("multiples of 256");
        assertThatThrownBy(() -> ModelShape.named("huge")).hasMessageContaining("unknown shape 'huge'");
    }
}
