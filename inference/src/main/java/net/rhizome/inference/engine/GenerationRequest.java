package net.rhizome.inference.engine;

import net.rhizome.inference.sampler.SamplingParams;

/**
 * One job: prompt tokens (including BOS if wanted), sampling parameters and the job id that keys
 * the random draws together with the seed.
 *
 * @param hashLogits also hash the logits of every position (prompt positions included), for determinism checks
 */
public record GenerationRequest(int[] promptTokens, SamplingParams params, String jobId, boolean hashLogits) {

    public GenerationRequest {
        promptTokens = promptTokens.clone();
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token (e.g. BOS)");
        }
        if (jobId == null) {
            throw new IllegalArgumentException("job id must not be null");
        }
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }
}
