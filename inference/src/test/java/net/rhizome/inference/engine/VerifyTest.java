package net.rhizome.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.rhizome.inference.sampler.SamplingParams;
import org.junit.jupiter.api.Test;

class VerifyTest {
    private static final SamplingParams SAMPLED = new SamplingParams(1.0f, 0, 0.9f, 0.05f, 1.1f, 64, 64, List.of(), 99);

    @Test
    void acceptsWhatGenerateProducedAndFindsTheFirstTamperedToken() throws Exception {
        try (InferenceEngine e = InferenceEngine.load(TestModels.stories260K(), EngineOptions.defaults(), LoadProgress.NONE)) {
            int[] prompt = e.encodePrompt("Once upon a time", false);
            GenerationResult r = e.generate(new GenerationRequest(prompt, SAMPLED, "job-7", false), TokenListener.NONE);
            assertThat(r.tokens().length).isGreaterThan(10);
            assertThat(e.verify(prompt, r.tokens(), SAMPLED, "job-7")).isEqualTo(new VerifyResult.Match(r.tokens().length));

            int[] tampered = r.tokens().clone();
            tampered[7] = (tampered[7] + 1) % e.config().vocab();
            VerifyResult v = e.verify(prompt, tampered, SAMPLED, "job-7");
            assertThat(v).isInstanceOfSatisfying(VerifyResult.Mismatch.class, m -> {
                assertThat(m.position()).isEqualTo(7);
                assertThat(m.expected()).isEqualTo(r.tokens()[7]);
            });
            // the random draws are keyed by the job id: another job's claim does not verify
            assertThat(e.verify(prompt, r.tokens(), SAMPLED, "job-8").matches()).isFalse();
        }
    }

    @Test
    void rejectsClaimsLongerThanMaxTokensAndTokensAfterTheEnd() throws Exception {
        try (InferenceEngine e = InferenceEngine.load(TestModels.stories260K(), EngineOptions.defaults(), LoadProgress.NONE)) {
            int[] prompt = e.encodePrompt("Once upon a time", false);
            SamplingParams p = SamplingParams.greedy(4);
            GenerationResult r = e.generate(new GenerationRequest(prompt, p, "j", false), TokenListener.NONE);
            assertThat(e.verify(prompt, r.tokens(), p, "j").matches()).isTrue();
            int[] tooLong = java.util.Arrays.copyOf(r.tokens(), 5);
            assertThat(e.verify(prompt, tooLong, p, "j")).isInstanceOf(VerifyResult.Mismatch.class);
        }
    }

    @Test
    void stopStringsCutTheTextAndEndTheGeneration() throws Exception {
        try (InferenceEngine e = InferenceEngine.load(TestModels.stories260K(), EngineOptions.defaults(), LoadProgress.NONE)) {
            int[] prompt = e.encodePrompt("Once upon a time", false);
            SamplingParams p = SamplingParams.greedy(100).withStopStrings(List.of("Lily"));
            StringBuilder streamed = new StringBuilder();
            GenerationResult r = e.generate(new GenerationRequest(prompt, p, "j", false), (i, t, text) -> streamed.append(text));
            assertThat(r.stopReason()).isEqualTo(StopReason.STOP_STRING);
            assertThat(r.text()).isEqualTo(", there was a little girl named ").isEqualTo(streamed.toString());
        }
    }
}
