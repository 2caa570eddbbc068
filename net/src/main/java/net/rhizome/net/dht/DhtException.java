package net.rhizome.net.dht;

/** A DHT operation failed: timeout, error reply, or no reachable node. */
public class DhtException extends RuntimeException {
    public DhtException(String message) {
        super(message);
    }
}
