package net.rhizome.ledger;

import java.util.Objects;

/** A rejected transaction: a stable code and a message naming the numbers involved. */
public record Rejection(RejectCode code, String message) {
    public Rejection {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return code + ": " + message;
    }
}
