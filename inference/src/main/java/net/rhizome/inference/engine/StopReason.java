package net.rhizome.inference.engine;

/** Why a generation ended. */
public enum StopReason {
    /** The model produced an end-of-generation token (it is the last of the tokens). */
    END_OF_GENERATION,
    /** {@code maxTokens} were generated. */
    MAX_TOKENS,
    /** The text reached one of the stop strings. */
    STOP_STRING,
    /** The KV cache is full. */
    CONTEXT_FULL
}
