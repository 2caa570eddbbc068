package net.rhizome.net.transport;

import java.time.Duration;

/**
 * Resource limits of the node transport. Every inbound message is bounded by
 * {@code maxMessageBytes} (gRPC refuses larger ones with RESOURCE_EXHAUSTED before parsing), headers
 * by {@code maxMetadataBytes}; a peer gets at most {@code callsPerSecond} calls per second with
 * bursts of {@code callBurst}, beyond which its calls fail and it is reported as misbehaving.
 */
public record TransportLimits(
        int maxMessageBytes,
        int maxMetadataBytes,
        int maxConcurrentCallsPerConnection,
        Duration handshakeTimeout,
        Duration keepAliveTime,
        Duration keepAliveTimeout,
        double callsPerSecond,
        int callBurst) {

    public static final TransportLimits DEFAULT = new TransportLimits(
            4 << 20, 16 << 10, 256, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(10), 2000, 4000);

    public TransportLimits {
        if (maxMessageBytes < 1024 || maxMessageBytes > (64 << 20)) {
            throw new IllegalArgumentException("maxMessageBytes must be 1 KiB..64 MiB, got " + maxMessageBytes);
        }
        if (maxMetadataBytes < 1024 || maxMetadataBytes > (1 << 20)) {
            throw new IllegalArgumentException("maxMetadataBytes must be 1 KiB..1 MiB, got " + maxMetadataBytes);
        }
        if (maxConcurrentCallsPerConnection < 1) {
            throw new IllegalArgumentException("maxConcurrentCallsPerConnection must be positive");
        }
        if (callsPerSecond <= 0 || callBurst < 1) {
            throw new IllegalArgumentException("call rate limits must be positive");
        }
        requirePositive(handshakeTimeout, "handshakeTimeout");
        requirePositive(keepAliveTime, "keepAliveTime");
        requirePositive(keepAliveTimeout, "keepAliveTimeout");
    }

    public TransportLimits withMaxMessageBytes(int bytes) {
        return new TransportLimits(bytes, maxMetadataBytes, maxConcurrentCallsPerConnection, handshakeTimeout,
                keepAliveTime, keepAliveTimeout, callsPerSecond, callBurst);
    }

    public TransportLimits withCallRate(double perSecond, int burst) {
        return new TransportLimits(maxMessageBytes, maxMetadataBytes, maxConcurrentCallsPerConnection, handshakeTimeout,
                keepAliveTime, keepAliveTimeout, perSecond, burst);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
