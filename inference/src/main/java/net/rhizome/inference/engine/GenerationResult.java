package net.rhizome.inference.engine;

import java.util.HexFormat;

/**
 * The outcome of a generation.
 *
 * @param tokens       generated token ids (an end-of-generation token, if sampled, is the last one)
 * @param text         generated text, without the end token and without a matched stop string
 * @param logitsSha256 SHA-256 of all logits as little-endian float bits, or null if not requested
 */
public record GenerationResult(
        int[] tokens,
        String text,
        StopReason stopReason,
        int promptTokens,
        long prefillNanos,
        long decodeNanos,
        byte[] logitsSha256) {

    public double promptTokensPerSecond() {
        return prefillNanos == 0 ? 0 : promptTokens * 1e9 / prefillNanos;
    }

    /** Decode speed over the tokens after the first (the first comes out of the prefill). */
    public double tokensPerSecond() {
        return decodeNanos == 0 || tokens.length <= 1 ? 0 : (tokens.length - 1) * 1e9 / decodeNanos;
    }

    public String logitsHashHex() {
        return logitsSha256 == null ? null : HexFormat.of().formatHex(logitsSha256);
    }
}
