package net.rhizome.net.dht;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Announced peers per info-hash with expiry; bounded in info-hashes and peers per info-hash. */
public final class PeerStore {
    private final Clock clock;
    private final long ttlMillis;
    private final int maxHashes;
    private final int maxPeersPerHash;
    private final Map<NodeId, LinkedHashMap<InetSocketAddress, Long>> peers = new HashMap<>();

    public PeerStore(Clock clock, Duration ttl, int maxHashes, int maxPeersPerHash) {
        this.clock = clock;
        this.ttlMillis = ttl.toMillis();
        this.maxHashes = maxHashes;
        this.maxPeersPerHash = maxPeersPerHash;
    }

    /** Stores or refreshes a peer; returns false when the store is full of other info-hashes. */
    public synchronized boolean add(NodeId infoHash, InetSocketAddress peer) {
        long now = clock.millis();
        LinkedHashMap<InetSocketAddress, Long> set = peers.get(infoHash);
        if (set == null) {
            if (peers.size() >= maxHashes) {
                expire();
                if (peers.size() >= maxHashes) {
                    return false;
                }
            }
            set = new LinkedHashMap<>();
            peers.put(infoHash, set);
        }
        set.remove(peer);
        set.put(peer, now + ttlMillis);
        if (set.size() > maxPeersPerHash) {
            set.remove(set.keySet().iterator().next());
        }
        return true;
    }

    /** Up to {@code max} live peers for {@code infoHash}, a random sample when there are more. */
    public synchronized List<InetSocketAddress> get(NodeId infoHash, int max) {
        LinkedHashMap<InetSocketAddress, Long> set = peers.get(infoHash);
        if (set == null) {
            return List.of();
        }
        long now = clock.millis();
        set.values().removeIf(expiry -> expiry <= now);
        if (set.isEmpty()) {
            peers.remove(infoHash);
            return List.of();
        }
        List<InetSocketAddress> all = new ArrayList<>(set.keySet());
        Collections.shuffle(all);
        return List.copyOf(all.subList(0, Math.min(max, all.size())));
    }

    public synchronized void expire() {
        long now = clock.millis();
        peers.values().forEach(set -> set.values().removeIf(expiry -> expiry <= now));
        peers.values().removeIf(Map::isEmpty);
    }

    public synchronized int size() {
        return peers.values().stream().mapToInt(Map::size).sum();
    }
}
