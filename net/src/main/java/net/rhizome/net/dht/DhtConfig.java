package net.rhizome.net.dht;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;

/**
 * Settings of one DHT node. {@link #defaults} gives the BEP 5 values (k = 8, α = 3, 15-minute
 * refresh and questionable period, 5-minute token rotation); tests shorten the timers with the
 * {@code with…} methods.
 *
 * @param ratePerSecond datagrams a second allowed from one source IP (on a devnet every node
 *     shares 127.0.0.1, so the default leaves room for a few dozen local peers)
 */
public record DhtConfig(
        InetSocketAddress bindAddress,
        NodeId nodeId,
        int k,
        int alpha,
        Duration queryTimeout,
        Duration refreshInterval,
        Duration questionableAfter,
        Duration maintenanceInterval,
        Duration tokenRotation,
        Duration peerTtl,
        Duration itemTtl,
        int maxFailures,
        double ratePerSecond,
        double rateBurst,
        boolean readOnly,
        Clock clock) {

    public DhtConfig {
        if (k < 1 || alpha < 1 || maxFailures < 1) {
            throw new IllegalArgumentException("k, alpha and maxFailures must be positive");
        }
        if (ratePerSecond <= 0 || rateBurst < 1) {
            throw new IllegalArgumentException("rate limit must be positive with a burst of at least 1");
        }
    }

    public static DhtConfig defaults(InetSocketAddress bindAddress) {
        return new DhtConfig(bindAddress, NodeId.random(), 8, 3, Duration.ofSeconds(2), Duration.ofMinutes(15),
                Duration.ofMinutes(15), Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(30),
                Duration.ofHours(2), 2, 200, 400, false, Clock.systemUTC());
    }

    public DhtConfig withNodeId(NodeId id) {
        return new DhtConfig(bindAddress, id, k, alpha, queryTimeout, refreshInterval, questionableAfter, maintenanceInterval,
                tokenRotation, peerTtl, itemTtl, maxFailures, ratePerSecond, rateBurst, readOnly, clock);
    }

    public DhtConfig withTimers(Duration queryTimeout, Duration refreshInterval, Duration questionableAfter, Duration maintenanceInterval) {
        return new DhtConfig(bindAddress, nodeId, k, alpha, queryTimeout, refreshInterval, questionableAfter, maintenanceInterval,
                tokenRotation, peerTtl, itemTtl, maxFailures, ratePerSecond, rateBurst, readOnly, clock);
    }

    public DhtConfig withRateLimit(double perSecond, double burst) {
        return new DhtConfig(bindAddress, nodeId, k, alpha, queryTimeout, refreshInterval, questionableAfter, maintenanceInterval,
                tokenRotation, peerTtl, itemTtl, maxFailures, perSecond, burst, readOnly, clock);
    }

    public DhtConfig withReadOnly(boolean value) {
        return new DhtConfig(bindAddress, nodeId, k, alpha, queryTimeout, refreshInterval, questionableAfter, maintenanceInterval,
                tokenRotation, peerTtl, itemTtl, maxFailures, ratePerSecond, rateBurst, value, clock);
    }

    public DhtConfig withClock(Clock value) {
        return new DhtConfig(bindAddress, nodeId, k, alpha, queryTimeout, refreshInterval, questionableAfter, maintenanceInterval,
                tokenRotation, peerTtl, itemTtl, maxFailures, ratePerSecond, rateBurst, readOnly, value);
    }
}
