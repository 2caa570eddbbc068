package net.rhizome.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.rhizome.inference.model.Session;
import net.rhizome.inference.quant.Dequant;
import net.rhizome.inference.sampler.Sampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** stories260K against llama.cpp: greedy tokens for 256 steps, and the top logits at the prompt's end. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LlamaCppReferenceTest {
    private static final int STEPS = 256;

    @ParameterizedTest
    @ValueSource(strings = {"", "Once upon a time"})
    void greedyDecodeMatchesLlamaCppTokenForToken(String prompt) throws Exception {
        Path model = TestModels.stories260K();
        List<String> expected = LlamaCpp.greedyPieces(model, prompt, STEPS);
        try (InferenceEngine e = InferenceEngine.load(model, EngineOptions.defaults(), LoadProgress.NONE)) {
            List<String> actual = greedyPieces(e, e.encodePrompt(prompt, false), STEPS);
            assertThat(expected).hasSize(STEPS);
            assertThat(actual).containsExactlyElementsOf(expected);
        }
    }

    /** Greedy decoding that, like llama.cpp's ignore_eos, never picks an end-of-generation token; returns each step's text. */
    static List<String> greedyPieces(InferenceEngine e, int[] prompt, int steps) {
        Session s = e.newSession();
        float[] logits = s.forward(prompt, prompt.length - 1, e.parallel());
        List<String> pieces = new ArrayList<>();
        var decoder = e.tokenizer().streamingDecoder(); // like llama.cpp's server: control tokens print nothing, partial UTF-8 waits
        for (int i = 0; i < steps; i++) {
            for (int t = 0; t < logits.length; t++) {
                if (e.tokenizer().isEndOfGeneration(t)) {
                    logits[t] = Float.NEGATIVE_INFINITY;
                }
            }
            int token = Sampler.argmax(logits);
            pieces.add(decoder.accept(token));
            logits = s.forward(new int[] {token}, 0, e.parallel());
        }
        return pieces;
    }

    /**
     * llama.cpp gives the last token's final hidden state (L2-normalised). We compare our hidden
     * state with it, and our logits (scaled by 1/|h|) with W_out · h_llama computed in double: the
     * ten largest must agree within 1e-4 of the largest logit.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Once upon a time", "The little dog was sad because", "Tom and Lily went to the park. They saw"})
    void topLogitsMatchLlamaCpp(String prompt) throws Exception {
        Path model = TestModels.stories260K();
        float[] ref = LlamaCpp.embedding(model, prompt);
        try (InferenceEngine e = InferenceEngine.load(model, EngineOptions.defaults(), LoadProgress.NONE)) {
            int[] tokens = e.encodePrompt(prompt, false);
            float[] hidden = e.embedding(tokens);
            double norm = Math.sqrt(dot(hidden, hidden));
            assertThat(ref).hasSameSizeAs(hidden);
            for (int i = 0; i < ref.length; i++) {
                assertThat(hidden[i] / norm).as("hidden[%d]", i).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-5));
            }
            float[] logits = Arrays.copyOfRange(e.logits(tokens), (tokens.length - 1) * e.config().vocab(), tokens.length * e.config().vocab());
            var out = e.gguf().tensor("output.weight").orElseGet(() -> e.gguf().requireTensor("token_embd.weight"));
            int vocab = e.config().vocab(), dim = e.config().dim();
            float[] row = new float[dim];
            double[] refLogits = new double[vocab];
            for (int r = 0; r < vocab; r++) {
                Dequant.decode(out.type(), out.data(), (long) r * out.type().byteSize(dim), dim, row, 0);
                double sum = 0;
                for (int i = 0; i < dim; i++) {
                    sum += (double) row[i] * ref[i];
                }
                refLogits[r] = sum;
            }
            Integer[] order = new Integer[vocab];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> Double.compare(refLogits[b], refLogits[a]));
            double top = Math.abs(refLogits[order[0]]);
            assertThat(Sampler.argmax(logits)).isEqualTo(order[0]);
            for (int k = 0; k < 10; k++) {
                int id = order[k];
                assertThat(logits[id] / norm).as("logit of token %d", id).isCloseTo(refLogits[id], org.assertj.core.data.Offset.offset(1e-4 * top));
            }
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Test
    void referenceIsNotTrivial() {
        Path model = TestModels.stories260K();
        assertThat(String.join("", LlamaCpp.greedyPieces(model, "Once upon a time", 20))).contains("Lily");
    }
}
