package net.rhizome.swarm.session;

import java.time.Duration;

/**
 * Tunables of a swarm client. Rates are bytes per second (0 = unlimited).
 *
 * @param bindHost address to listen on ("127.0.0.1" in tests, "0.0.0.0" on a node)
 * @param port TCP port, 0 for any free port
 * @param uploadSlots peers unchoked by rate, plus one optimistic unchoke
 * @param requestQueue outstanding block requests per peer (pipelining depth)
 * @param snubTimeout a peer that sends nothing we asked for this long is snubbed
 */
public record SwarmConfig(
        String bindHost,
        int port,
        int uploadSlots,
        long uploadRate,
        long downloadRate,
        int maxPeersPerTorrent,
        int requestQueue,
        Duration chokeInterval,
        Duration snubTimeout,
        Duration pexInterval) {

    public static SwarmConfig defaults() {
        return new SwarmConfig("0.0.0.0", 0, 4, 0, 0, 50, 128, Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(60));
    }

    /** Loopback-only settings with short intervals, for tests and benchmarks. */
    public static SwarmConfig loopback() {
        return new SwarmConfig("127.0.0.1", 0, 4, 0, 0, 50, 128, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    public SwarmConfig withRates(long upload, long download) {
        return new SwarmConfig(bindHost, port, uploadSlots, upload, download, maxPeersPerTorrent, requestQueue, chokeInterval, snubTimeout, pexInterval);
    }

    public SwarmConfig withPort(String host, int p) {
        return new SwarmConfig(host, p, uploadSlots, uploadRate, downloadRate, maxPeersPerTorrent, requestQueue, chokeInterval, snubTimeout, pexInterval);
    }
}
