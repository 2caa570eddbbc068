package net.rhizome.core.crypto;

/**
 * Raw Ed25519 (RFC 8032) over 32-byte seeds and public keys. Backed by Bouncy Castle's
 * constant-time implementation, which verifies several times faster than the JDK's provider;
 * vouchers and ledger transactions are checked at high rates.
 */
public final class Ed25519 {
    public static final int SEED_LENGTH = 32;
    public static final int PUBLIC_KEY_LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    static {
        org.bouncycastle.math.ec.rfc8032.Ed25519.precompute();
    }

    private Ed25519() {}

    public static byte[] publicKey(byte[] seed) {
        requireLength(seed, SEED_LENGTH, "Ed25519 seed");
        byte[] pk = new byte[PUBLIC_KEY_LENGTH];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pk, 0);
        return pk;
    }

    public static byte[] sign(byte[] seed, byte[] publicKey, byte[] message) {
        requireLength(seed, SEED_LENGTH, "Ed25519 seed");
        requireLength(publicKey, PUBLIC_KEY_LENGTH, "Ed25519 public key");
        byte[] sig = new byte[SIGNATURE_LENGTH];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, sig, 0);
        return sig;
    }

    /** False for a wrong signature and for malformed keys or signatures; never throws on bad input. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || signature == null || message == null
                || publicKey.length != PUBLIC_KEY_LENGTH || signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        try {
            return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
        } catch (RuntimeException malformedPoint) {
            return false;
        }
    }

    private static void requireLength(byte[] bytes, int length, String what) {
        if (bytes.length != length) {
            throw new IllegalArgumentException(what + " must be " + length + " bytes, got " + bytes.length);
        }
    }
}
