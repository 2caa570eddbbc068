package net.rhizome.inference.gguf;

/**
 * A GGUF file (or metadata derived from it, such as a vocabulary) is malformed, truncated or
 * hostile. The message names the field, key or tensor and what is wrong with it.
 */
public final class GgufFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GgufFormatException(String message) {
        super(message);
    }
}
