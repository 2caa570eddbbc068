package net.rhizome.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Synthetic models of every supported type against llama.cpp: the last token's hidden state and
 * greedy tokens. Tolerances (largest difference of the L2-normalised hidden state, relative to its
 * largest element) follow from what llama.cpp's CPU kernels do to the activations, which we keep in
 * F32: F32 weights multiply F32 activations (float rounding only); F16 weights make it round the
 * activations to F16 (2^-11 relative); BF16 to BF16 (2^-8); Q8_0/Q4_0 quantise them to Q8_0 and
 * the K types to Q8_K (steps of 1/127 of the block maximum), errors that grow through the layers.
 * (Measured: F32 5e-7, F16 6e-4, BF16 5e-3, quantised types 4e-3 to 3e-2.)
 *
 * <p>Random weights give next-token distributions with near ties, so a few-percent difference in
 * the logits eventually flips a greedy choice: we require agreement for 16 steps where llama.cpp
 * keeps F32/F16 precision, 8 for BF16 and 4 for the quantised types. Texts are compared as a
 * prefix because the two stream partial UTF-8 differently. qwen3 is not in the
 * bundled llama.cpp build (b4916), so it is only covered by our own tests.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SyntheticLlamaCppTest {
    @TempDir
    static Path dir;

    @ParameterizedTest
    @CsvSource({
        "tiny, F32, 1e-5, 16", "tiny, F16, 4e-3, 16", "tiny, BF16, 3e-2, 8", "tiny, Q8_0, 5e-2, 4", "tiny, Q4_0, 5e-2, 4",
        "tiny, Q4_K, 5e-2, 4", "tiny, Q5_K, 5e-2, 4", "tiny, Q6_K, 5e-2, 4",
        "tiny-qwen2, F32, 1e-5, 16", "tiny-qwen2, Q8_0, 5e-2, 4"})
    void agreesWithLlamaCpp(String shape, GgmlType type, double tolerance, int steps) throws Exception {
        Path model = dir.resolve(shape + "-" + type + ".gguf");
        SyntheticModels.write(ModelShape.named(shape), type, 7, model);
        String prompt = "the quick brown fox";
        float[] ref = LlamaCpp.embedding(model, prompt);
        List<String> expected = LlamaCpp.greedyPieces(model, prompt, 16);
        try (InferenceEngine e = InferenceEngine.load(model, EngineOptions.defaults(), LoadProgress.NONE)) {
            float[] h = e.embedding(e.encodePrompt(prompt, false));
            double norm = 0, max = 0, diff = 0;
            for (float v : h) {
                norm += (double) v * v;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < h.length; i++) {
                max = Math.max(max, Math.abs(ref[i]));
                diff = Math.max(diff, Math.abs(h[i] / norm - ref[i]));
            }
            String actual = String.join("", LlamaCppReferenceTest.greedyPieces(e, e.encodePrompt(prompt, false), steps));
            System.out.printf("SYNTH %s %s relative hidden-state difference %.3g%n", shape, type, diff / max);
            assertThat(diff / max).as("hidden-state difference").isLessThan(tolerance);
            assertThat(actual).isNotEmpty();
            assertThat(String.join("", expected)).startsWith(actual);
        }
    }
}
