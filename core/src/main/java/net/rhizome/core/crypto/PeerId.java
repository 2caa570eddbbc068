package net.rhizome.core.crypto;

import java.util.Arrays;
import net.rhizome.core.util.Hex;

/**
 * A node's or account's identity: its raw 32-byte Ed25519 public key. The text form is the key
 * in lower-case hex, so an id can be checked against a signature without any lookup.
 */
public final class PeerId implements Comparable<PeerId> {
    public static final int LENGTH = 32;

    private final byte[] key;

    private PeerId(byte[] key) {
        this.key = key;
    }

    public static PeerId of(byte[] publicKey) {
        if (publicKey.length != LENGTH) {
            throw new IllegalArgumentException("peer id must be " + LENGTH + " bytes, got " + publicKey.length);
        }
        return new PeerId(publicKey.clone());
    }

    public static PeerId parse(String text) {
        return new PeerId(Hex.decode(text.trim(), LENGTH, "peer id"));
    }

    /** The raw Ed25519 public key (a copy). */
    public byte[] bytes() {
        return key.clone();
    }

    public String hex() {
        return Hex.encode(key);
    }

    /** The first 8 hex characters, for tables and logs. */
    public String shortId() {
        return hex().substring(0, 8);
    }

    /** Verifies an Ed25519 signature made by this peer's key. */
    public boolean verify(byte[] message, byte[] signature) {
        return Ed25519.verify(key, message, signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId other && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public int compareTo(PeerId other) {
        return Arrays.compareUnsigned(key, other.key);
    }

    @Override
    public String toString() {
        return hex();
    }
}
