package net.rhizome.ledger.store;

/** The ledger file cannot be read or written; the message names the file and the step. */
public final class StoreException extends Exception {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
