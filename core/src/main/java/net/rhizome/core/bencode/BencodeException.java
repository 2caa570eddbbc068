package net.rhizome.core.bencode;

/** Malformed or over-limit bencoded input; the message names what is wrong and where. */
public class BencodeException extends RuntimeException {
    public BencodeException(String message) {
        super(message);
    }
}
