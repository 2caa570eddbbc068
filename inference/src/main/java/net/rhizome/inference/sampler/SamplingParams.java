package net.rhizome.inference.sampler;

import java.util.List;

/**
 * How tokens are chosen. {@code temperature <= 0} is greedy (the other filters are then unused).
 *
 * @param topK              keep the k most likely tokens; 0 = off
 * @param topP              keep the smallest prefix of most likely tokens whose mass reaches p; 1 = off
 * @param minP              drop tokens less likely than {@code minP * p(best)}; 0 = off
 * @param repetitionPenalty divide positive (multiply negative) logits of recent tokens; 1 = off
 * @param repeatLastN       how many recent tokens (prompt included) the penalty looks at
 * @param maxTokens         most tokens to generate
 * @param stopStrings       generation ends when the text contains one of these (excluded from the text)
 * @param seed              seed of the counter-based random generator (see {@link CounterRng})
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repetitionPenalty,
        int repeatLastN,
        int maxTokens,
        List<String> stopStrings,
        long seed) {

    public static final int MAX_TOKENS_LIMIT = 1 << 20;

    public SamplingParams {
        stopStrings = List.copyOf(stopStrings);
        if (!Float.isFinite(temperature) || temperature < 0) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min-p must be in [0, 1], got " + minP);
        }
        if (!(repetitionPenalty > 0) || !Float.isFinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition penalty must be a finite number > 0, got " + repetitionPenalty);
        }
        if (repeatLastN < 0) {
            throw new IllegalArgumentException("repeat-last-n must be >= 0, got " + repeatLastN);
        }
        if (maxTokens < 0 || maxTokens > MAX_TOKENS_LIMIT) {
            throw new IllegalArgumentException("max tokens must be in 0.." + MAX_TOKENS_LIMIT + ", got " + maxTokens);
        }
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    /** Greedy decoding of up to {@code maxTokens} tokens. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0, 0, 1, 0, 1, 64, maxTokens, List.of(), 0);
    }

    public boolean isGreedy() {
        return temperature <= 0;
    }

    public SamplingParams withTemperature(float t) {
        return new SamplingParams(t, topK, topP, minP, repetitionPenalty, repeatLastN, maxTokens, stopStrings, seed);
    }

    public SamplingParams withTopP(float p) {
        return new SamplingParams(temperature, topK, p, minP, repetitionPenalty, repeatLastN, maxTokens, stopStrings, seed);
    }

    public SamplingParams withSeed(long s) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, maxTokens, stopStrings, s);
    }

    public SamplingParams withStopStrings(List<String> stops) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, maxTokens, stops, seed);
    }
}
