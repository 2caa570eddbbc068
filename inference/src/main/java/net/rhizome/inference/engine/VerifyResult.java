package net.rhizome.inference.engine;

/** Outcome of re-checking claimed output tokens. */
public sealed interface VerifyResult {
    /** Every claimed token is what the sampler chooses. */
    record Match(int tokens) implements VerifyResult {}

    /**
     * The first position where the claim differs.
     *
     * @param position index into the claimed tokens
     * @param expected the token the sampler chooses there
     * @param claimed  the token that was claimed
     */
    record Mismatch(int position, int expected, int claimed, String reason) implements VerifyResult {}

    default boolean matches() {
        return this instanceof Match;
    }
}
