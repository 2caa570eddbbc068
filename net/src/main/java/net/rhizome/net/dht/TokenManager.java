package net.rhizome.net.dht;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import net.rhizome.core.crypto.Hashes;

/**
 * Write tokens as BEP 5 describes: SHA-1 of the requester's IP and a secret that changes every
 * rotation period; tokens made with the current or the previous secret are accepted, so a token
 * lives between one and two periods and only for the IP it was handed to.
 */
public final class TokenManager {
    static final int TOKEN_LENGTH = 8;
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final long rotationMillis;
    private byte[] current = new byte[16];
    private byte[] previous = new byte[16];
    private long rotatedAt;

    public TokenManager(Clock clock, Duration rotation) {
        this.clock = clock;
        this.rotationMillis = rotation.toMillis();
        random.nextBytes(current);
        random.nextBytes(previous);
        rotatedAt = clock.millis();
    }

    public synchronized byte[] tokenFor(InetAddress requester) {
        rotateIfDue();
        return token(current, requester);
    }

    public synchronized boolean isValid(byte[] token, InetAddress requester) {
        rotateIfDue();
        return MessageDigest.isEqual(token, token(current, requester)) || MessageDigest.isEqual(token, token(previous, requester));
    }

    private void rotateIfDue() {
        long now = clock.millis();
        if (now - rotatedAt >= rotationMillis) {
            // After two or more idle periods, the old current secret is too old to honour.
            previous = now - rotatedAt >= 2 * rotationMillis ? fresh() : current;
            current = fresh();
            rotatedAt = now;
        }
    }

    private byte[] fresh() {
        byte[] s = new byte[16];
        random.nextBytes(s);
        return s;
    }

    private static byte[] token(byte[] secret, InetAddress ip) {
        return Arrays.copyOf(Hashes.sha1(ip.getAddress(), secret), TOKEN_LENGTH);
    }
}
