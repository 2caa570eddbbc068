package net.rhizome.inference.engine;

/** Receives generated tokens as they are produced. */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = (index, token, text) -> { };

    /**
     * @param index position in the generated sequence (0 = first generated token)
     * @param token the token id
     * @param text  text that became complete with this token (may be empty: partial UTF-8, control tokens)
     */
    void onToken(int index, int token, String text);
}
