package net.rhizome.net.transport;

import java.time.Duration;

/**
 * Resource limits of the node transport. Every inbound message is bounded by
 * {@code maxMessageBytes} (gRPC refuses larger ones with RESOURCE_EXHAUSTED before parsing), headers
 * by {@code maxMetadataBytes}; a peer gets at most {@code callsPerSecond} calls per second with
 * bursts of {@code callBurst}, beyond which its calls fail and it is reported as misbehaving.
 *
 * <p>{@code streamBufferBytes} is how many bytes a stream may have queued for sending before
 * {@code isReady()} turns false (gRPC's on-ready threshold, default 32 KiB). With gRPC's default, a
 * sender of 64 KiB messages waits after every message until it has reached the socket, so the
 * event loop idles while the next message is made; a window of several messages keeps it busy.
 * It bounds only senders that honour {@code isReady()}, per call.
 */
public record TransportLimits(
        int maxMessageBytes,
        int maxMetadataBytes,
        int maxConcurrentCallsPerConnection,
        Duration handshakeTimeout,
        Duration keepAliveTime,
        Duration keepAliveTimeout,
        double callsPerSecond,
        int callBurst,
        int streamBufferBytes) {

    public static final TransportLimits DEFAULT = new TransportLimits(
            4 << 20, 16 << 10, 256, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(10), 2000, 4000, 512 << 10);

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
        if (streamBufferBytes < (16 << 10) || streamBufferBytes > (16 << 20)) {
            throw new IllegalArgumentException("streamBufferBytes must be 16 KiB..16 MiB, got " + streamBufferBytes);
        }
        requirePositive(handshakeTimeout, "handshakeTimeout");
        requirePositive(keepAliveTime, "keepAliveTime");
        requirePositive(keepAliveTimeout, "keepAliveTimeout");
    }

    public TransportLimits withMaxMessageBytes(int bytes) {
        return new TransportLimits(bytes, maxMetadataBytes, maxConcurrentCallsPerConnection, handshakeTimeout,
                keepAliveTime, keepAliveTimeout, callsPerSecond, callBurst, streamBufferBytes);
    }

    public TransportLimits withCallRate(double perSecond, int burst) {
        return new TransportLimits(maxMessageBytes, maxMetadataBytes, maxConcurrentCallsPerConnection, handshakeTimeout,
                keepAliveTime, keepAliveTimeout, perSecond, burst, streamBufferBytes);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
