package net.rhizome.core.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The hash functions the protocols name: SHA-256 (models, ledger, Merkle trees) and SHA-1 (BitTorrent v1, DHT ids). */
public final class Hashes {
    private Hashes() {}

    public static MessageDigest sha256Digest() {
        return digest("SHA-256");
    }

    public static MessageDigest sha1Digest() {
        return digest("SHA-1");
    }

    public static byte[] sha256(byte[]... parts) {
        MessageDigest md = sha256Digest();
        for (byte[] part : parts) {
            md.update(part);
        }
        return md.digest();
    }

    public static byte[] sha1(byte[]... parts) {
        MessageDigest md = sha1Digest();
        for (byte[] part : parts) {
            md.update(part);
        }
        return md.digest();
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
