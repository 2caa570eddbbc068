package net.rhizome.market.job;

import net.rhizome.market.proto.Sampling;

/** Sampling parameters of a job, validated; the engine's output is a pure function of these and the prompt. */
public record SamplingParams(float temperature, float topP, int topK, float minP, float repetitionPenalty, long seed) {
    public static final SamplingParams GREEDY = new SamplingParams(0f, 1f, 0, 0f, 1f, 0L);

    public SamplingParams {
        if (!(temperature >= 0f && temperature <= 2f)) {
            throw new IllegalArgumentException("temperature must be 0..2, got " + temperature);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must not be negative, got " + topK);
        }
        if (!(minP >= 0f && minP <= 1f)) {
            throw new IllegalArgumentException("min_p must be 0..1, got " + minP);
        }
        if (!(repetitionPenalty > 0f && repetitionPenalty <= 10f)) {
            throw new IllegalArgumentException("repetition penalty must be in (0, 10], got " + repetitionPenalty);
        }
    }

    Sampling toProto() {
        return Sampling.newBuilder().setTemperature(temperature).setTopP(topP).setTopK(topK).setMinP(minP)
                .setRepetitionPenalty(repetitionPenalty).setSeed(seed).build();
    }

    static SamplingParams fromProto(Sampling s) throws JobProtocolException {
        try {
            return new SamplingParams(s.getTemperature(), s.getTopP(), s.getTopK(), s.getMinP(), s.getRepetitionPenalty(), s.getSeed());
        } catch (IllegalArgumentException e) {
            throw new JobProtocolException("job request sampling: " + e.getMessage());
        }
    }
}
