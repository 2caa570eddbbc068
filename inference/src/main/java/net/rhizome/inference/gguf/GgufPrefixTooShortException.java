package net.rhizome.inference.gguf;

/**
 * The first bytes of a GGUF file at hand end inside its metadata: read again with at least {@link #needed()}
 * bytes. Not a format error: everything up to the end of the prefix was valid.
 */
public final class GgufPrefixTooShortException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long needed;

    GgufPrefixTooShortException(long have, long needed) {
        super("need more bytes: " + needed + " (the GGUF metadata runs past the first " + have + ")");
        this.needed = needed;
    }

    /** A lower bound on the prefix length that the next read needs. */
    public long needed() {
        return needed;
    }
}
