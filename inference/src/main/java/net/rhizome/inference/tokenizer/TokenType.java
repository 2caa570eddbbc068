package net.rhizome.inference.tokenizer;

/** Token types as numbered in {@code tokenizer.ggml.token_type}. */
public enum TokenType {
    UNDEFINED,
    NORMAL,
    UNKNOWN,
    /** Markers such as BOS/EOS/{@code <|im_end|>}: matched in text only when special parsing is on. */
    CONTROL,
    /** Added vocabulary that is always matched verbatim before normal tokenization. */
    USER_DEFINED,
    UNUSED,
    /** SentencePiece byte-fallback token {@code <0xNN>}. */
    BYTE;

    private static final TokenType[] VALUES = values();

    static TokenType fromId(int id) {
        if (id < 0 || id >= VALUES.length) {
            throw new IllegalArgumentException("unknown token type " + id);
        }
        return VALUES[id];
    }
}
