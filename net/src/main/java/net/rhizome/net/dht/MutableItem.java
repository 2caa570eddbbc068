package net.rhizome.net.dht;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.crypto.Ed25519;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.core.crypto.KeyPair;

/**
 * A BEP 44 mutable item: a bencoded value signed with an Ed25519 key over the buffer
 * {@code [4:salt<len>:<salt>]3:seqi<seq>e1:v<bencoded value>}; stored under SHA-1(key ‖ salt).
 * The signature covers the canonical encoding of the value, so a value sent in non-canonical
 * bencode (unsorted keys) does not verify.
 */
public record MutableItem(byte[] publicKey, byte[] salt, long seq, BValue value, byte[] signature) {
    public static final int MAX_VALUE_BYTES = 1000;
    public static final int MAX_SALT_BYTES = 64;

    public MutableItem {
        publicKey = publicKey.clone();
        salt = salt.clone();
        signature = signature.clone();
    }

    public static MutableItem sign(KeyPair key, byte[] salt, long seq, BValue value) {
        checkSizes(salt, value);
        return new MutableItem(key.publicKey(), salt, seq, value, key.sign(signedBuffer(salt, seq, value)));
    }

    /** SHA-1(public key ‖ salt), where a node stores and looks up this key's item under this salt. */
    public static NodeId target(byte[] publicKey, byte[] salt) {
        return NodeId.of(Hashes.sha1(publicKey, salt));
    }

    public NodeId target() {
        return target(publicKey, salt);
    }

    /** Sizes within BEP 44 limits and a valid signature by {@link #publicKey}. */
    public boolean verify() {
        return salt.length <= MAX_SALT_BYTES && value.encode().length <= MAX_VALUE_BYTES
                && Ed25519.verify(publicKey, signedBuffer(salt, seq, value), signature);
    }

    public static byte[] signedBuffer(byte[] salt, long seq, BValue value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (salt.length > 0) {
            out.writeBytes(("4:salt" + salt.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(salt);
        }
        out.writeBytes(("3:seqi" + seq + "e1:v").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(value.encode());
        return out.toByteArray();
    }

    static void checkSizes(byte[] salt, BValue value) {
        if (salt.length > MAX_SALT_BYTES) {
            throw new IllegalArgumentException("BEP 44 salt is " + salt.length + " bytes, limit " + MAX_SALT_BYTES);
        }
        int size = value.encode().length;
        if (size > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("BEP 44 value is " + size + " bytes bencoded, limit " + MAX_VALUE_BYTES);
        }
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MutableItem m && Arrays.equals(publicKey, m.publicKey) && Arrays.equals(salt, m.salt)
                && seq == m.seq && value.equals(m.value) && Arrays.equals(signature, m.signature);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey) * 31 + Long.hashCode(seq);
    }

    @Override
    public String toString() {
        return "MutableItem[target=" + target() + ", seq=" + seq + "]";
    }
}
