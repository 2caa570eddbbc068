package net.rhizome.node.client;

/** A node could not be found or reached, or it refused a request; the message is one line for the user. */
public final class NodeClientException extends RuntimeException {
    private final int httpStatus;

    public NodeClientException(String message, int httpStatus) {
        super(message);
        this.httpStatus = httpStatus;
    }

    public NodeClientException(String message) {
        this(message, 0);
    }

    /** The HTTP status the node answered with, or 0 when there was no answer. */
    public int httpStatus() {
        return httpStatus;
    }
}
