package net.rhizome.ledger;

import java.util.Arrays;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.core.util.Hex;

/** A 32-byte identifier: block and transaction hashes, channel/escrow/challenge ids, model ids, job ids. */
public final class Hash32 implements Comparable<Hash32> {
    public static final int LENGTH = 32;
    public static final Hash32 ZERO = new Hash32(new byte[LENGTH]);

    private final byte[] bytes;

    private Hash32(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Hash32 of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("hash must be " + LENGTH + " bytes, got " + bytes.length);
        }
        return new Hash32(bytes.clone());
    }

    public static Hash32 sha256(byte[]... parts) {
        return new Hash32(Hashes.sha256(parts));
    }

    public static Hash32 parse(String hex) {
        return new Hash32(Hex.decode(hex.trim(), LENGTH, "hash"));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public String hex() {
        return Hex.encode(bytes);
    }

    public String shortHex() {
        return hex().substring(0, 12);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash32 other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF);
    }

    @Override
    public int compareTo(Hash32 o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
