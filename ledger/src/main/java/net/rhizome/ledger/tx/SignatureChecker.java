package net.rhizome.ledger.tx;

import java.util.concurrent.ConcurrentHashMap;
import net.rhizome.core.crypto.Ed25519;
import net.rhizome.core.crypto.PeerId;

/**
 * Ed25519 verification that keeps decoded public keys: vouchers and transactions come from few
 * payers and senders again and again, and decoding (decompressing) the key point is a fixed part of
 * every check. Same acceptance rule as {@link PeerId#verify}. Thread-safe; at most
 * {@code capacity} keys are kept (the cache is dropped when full).
 */
public final class SignatureChecker {
    private final int capacity;
    private final ConcurrentHashMap<PeerId, org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint> points = new ConcurrentHashMap<>();

    public SignatureChecker(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    public SignatureChecker() {
        this(65_536);
    }

    /** False for a wrong signature or an invalid key; never throws on bad input. */
    public boolean verify(PeerId key, byte[] message, byte[] signature) {
        if (signature.length != Ed25519.SIGNATURE_LENGTH) {
            return false;
        }
        var point = points.get(key);
        if (point == null) {
            point = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartialExport(key.bytes(), 0);
            if (point == null) {
                return false;
            }
            if (points.size() >= capacity) {
                points.clear();
            }
            points.put(key, point);
        }
        try {
            return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, point, message, 0, message.length);
        } catch (RuntimeException malformed) {
            return false;
        }
    }
}
