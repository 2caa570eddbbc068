package net.rhizome.market.worker;

import java.util.Optional;
import net.rhizome.inference.gguf.GgufFile;

/**
 * How a model pools token states into one embedding, from GGUF metadata {@code {arch}.pooling_type}
 * (llama.cpp's numbering). The engine computes last-token pooling only, so a model is an embedding
 * model here exactly when it declares {@link #LAST}; other pooling types are recognised but not served.
 */
public enum Pooling {
    NONE, MEAN, CLS, LAST, RANK;

    /** The declared pooling type, empty when the key is absent; an unknown number is a clear error. */
    public static Optional<Pooling> of(GgufFile gguf) {
        String key = gguf.optString("general.architecture").orElse("") + ".pooling_type";
        var v = gguf.optInteger(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        long n = v.getAsLong();
        if (n < 0 || n >= values().length) {
            throw new IllegalArgumentException("metadata '" + key + "' is " + n + ", expected 0.." + (values().length - 1));
        }
        return Optional.of(values()[(int) n]);
    }

    /** Whether this engine can serve {@code gguf} as an embedding model (an unknown pooling type: no). */
    public static boolean embeds(GgufFile gguf) {
        try {
            return of(gguf).orElse(NONE) == LAST;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
