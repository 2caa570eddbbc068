package net.rhizome.market.job;

/** A job message that breaks the protocol; the message names what is wrong. */
public final class JobProtocolException extends Exception {
    public JobProtocolException(String message) {
        super(message);
    }
}
