package net.rhizome.ledger.codec;

/** Bytes that are not a valid canonical encoding; the message names what is wrong and where. */
public final class DecodeException extends Exception {
    public DecodeException(String message) {
        super(message);
    }
}
