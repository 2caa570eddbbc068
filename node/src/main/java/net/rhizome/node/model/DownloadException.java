package net.rhizome.node.model;

import java.io.IOException;

/** A model download failed; {@code retryable} when another attempt (resuming with a Range request) may succeed. */
public final class DownloadException extends IOException {
    private final boolean retryable;

    public DownloadException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
