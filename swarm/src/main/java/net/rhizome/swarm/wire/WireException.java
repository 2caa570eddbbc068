package net.rhizome.swarm.wire;

/** A peer broke the wire protocol (bad frame, oversized message, out-of-range request); the session is closed. */
public class WireException extends RuntimeException {
    public WireException(String message) {
        super(message);
    }
}
