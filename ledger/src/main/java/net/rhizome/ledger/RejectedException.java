package net.rhizome.ledger;

/** Thrown inside the state machine to abandon a transaction; its changes are discarded. */
public final class RejectedException extends Exception {
    private final transient Rejection rejection;

    public RejectedException(RejectCode code, String message) {
        super(code + ": " + message, null, false, false);
        this.rejection = new Rejection(code, message);
    }

    public Rejection rejection() {
        return rejection;
    }
}
