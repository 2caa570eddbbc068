package net.rhizome.market.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import net.rhizome.inference.engine.EngineOptions;
import net.rhizome.inference.engine.InferenceEngine;
import net.rhizome.inference.engine.LoadProgress;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import net.rhizome.ledger.Hash32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker embeds only with models that declare last-token pooling, and gives the engine's vector at unit length. */
class EngineEmbeddingTest {
    static final Hash32 MODEL = Hash32.sha256("tiny".getBytes());

    @TempDir
    Path dir;

    InferenceEngine load(OptionalInt pooling) throws Exception {
        Path file = dir.resolve("tiny-" + pooling.orElse(-1) + ".gguf");
        SyntheticModels.write(ModelShape.TINY, GgmlType.Q8_0, 7, pooling, file);
        return InferenceEngine.load(file, EngineOptions.defaults().withThreads(1), LoadProgress.NONE);
    }

    @Test
    void lastTokenPoolingModelsEmbedAtUnitLength() throws Exception {
        try (InferenceEngine engine = load(OptionalInt.of(Pooling.LAST.ordinal()))) {
            assertThat(Pooling.of(engine.gguf())).contains(Pooling.LAST);
            EngineGenerator generator = new EngineGenerator(Map.of(MODEL, engine));
            int[] tokens = {1, 300, 301, 302};
            float[] v = generator.embed(MODEL, tokens);
            float[] raw = engine.embedding(tokens);
            assertThat(v).hasSize(ModelShape.TINY.dim());
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            double rawNorm = Math.sqrt(java.util.stream.IntStream.range(0, raw.length).mapToDouble(i -> raw[i] * raw[i]).sum());
            assertThat(v[3]).isCloseTo((float) (raw[3] / rawNorm), org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(generator.embed(MODEL, tokens)).as("a pure function of the tokens").containsExactly(v);
            assertThatThrownBy(() -> generator.embed(MODEL, new int[] {ModelShape.TINY.vocab()})).hasMessageContaining("outside the vocabulary");
            assertThatThrownBy(() -> generator.embed(Hash32.ZERO, tokens)).hasMessageContaining("not served here");
        }
    }

    @Test
    void otherModelsAreRefused() throws Exception {
        try (InferenceEngine plain = load(OptionalInt.empty()); InferenceEngine mean = load(OptionalInt.of(Pooling.MEAN.ordinal()))) {
            assertThat(Pooling.of(plain.gguf())).isEmpty();
            assertThatThrownBy(() -> new EngineGenerator(Map.of(MODEL, plain)).embed(MODEL, new int[] {1, 2}))
                    .hasMessageContaining("not an embedding model");
            assertThat(Pooling.embeds(mean.gguf())).isFalse();
        }
    }
}
