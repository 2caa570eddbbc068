package net.rhizome.net.peers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.transport.HostPort;
import net.rhizome.net.transport.Misbehaviour;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Rhizome peers this node knows and has verified over the transport. Peers enter only after an
 * authenticated connection proved their id; they leave when silent for longer than the configured
 * timeout or when misbehaviour drives their score to zero (then they are refused for a ban period).
 * Thread-safe.
 */
public final class PeerBook implements Misbehaviour {
    public static final int INITIAL_SCORE = 100;
    /** Points a misbehaviour report costs. */
    public static final int MISBEHAVIOUR_PENALTY = 10;
    private static final Logger log = LoggerFactory.getLogger(PeerBook.class);

    private final PeerId self;
    private final Clock clock;
    private final int maxPeers;
    private final Duration banPeriod;
    private final Map<PeerId, Peer> peers = new ConcurrentHashMap<>();
    private final Map<PeerId, Instant> bannedUntil = new ConcurrentHashMap<>();
    private final Map<PeerId, Integer> strangers = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, Integer> eldest) {
            return size() > maxPeers;
        }
    };

    public PeerBook(PeerId self, Clock clock, int maxPeers, Duration banPeriod) {
        this.self = self;
        this.clock = clock;
        this.maxPeers = maxPeers;
        this.banPeriod = banPeriod;
    }

    public PeerBook(PeerId self) {
        this(self, Clock.systemUTC(), 10_000, Duration.ofMinutes(10));
    }

    /**
     * Records a peer whose id the transport authenticated at {@code address}. Returns false (and
     * changes nothing) for ourselves, a banned peer, or a full book.
     */
    public boolean verified(PeerId id, HostPort address, PeerDetails details) {
        if (id.equals(self) || isBanned(id)) {
            return false;
        }
        Instant now = clock.instant();
        Peer[] added = new Peer[1];
        peers.compute(id, (k, old) -> {
            if (old != null) {
                return old.update(address, details, now);
            }
            if (peers.size() >= maxPeers) {
                return null;
            }
            added[0] = new Peer(id, address, details, now, now, INITIAL_SCORE, 0, "");
            return added[0];
        });
        if (added[0] != null) {
            log.info("peer joined peer={} rpc={} roles={}", id.shortId(), address, new java.util.TreeSet<>(details.roles()));
        }
        return peers.containsKey(id);
    }

    /** A liveness check of {@code id} succeeded and returned its {@code current} (verified) details. */
    public void alive(PeerId id, PeerDetails current) {
        Instant now = clock.instant();
        peers.computeIfPresent(id, (k, p) -> p.alive(now, current));
    }

    /** A liveness check of {@code id} failed; the peer stays until it has been silent for the timeout. */
    public void unreachable(PeerId id, String problem) {
        peers.computeIfPresent(id, (k, p) -> p.failed(problem));
    }

    /**
     * Lowers the peer's score; at zero it is dropped and banned for the ban period. Callers not
     * (yet) in the book are scored the same way in a bounded side table, so a stranger cannot
     * misbehave for free.
     */
    @Override
    public void report(PeerId id, String reason) {
        Peer after = peers.computeIfPresent(id, (k, p) -> p.penalized(MISBEHAVIOUR_PENALTY, reason));
        int score;
        if (after != null) {
            score = after.score();
        } else {
            synchronized (strangers) {
                score = strangers.merge(id, INITIAL_SCORE - MISBEHAVIOUR_PENALTY, (old, x) -> old - MISBEHAVIOUR_PENALTY);
            }
        }
        if (score <= 0) {
            peers.remove(id);
            synchronized (strangers) {
                strangers.remove(id);
            }
            bannedUntil.put(id, clock.instant().plus(banPeriod));
            log.warn("peer banned peer={} for={} last=\"{}\"", id.shortId(), banPeriod, reason);
        }
    }

    @Override
    public boolean refuses(PeerId id) {
        return isBanned(id);
    }

    public boolean isBanned(PeerId id) {
        Instant until = bannedUntil.get(id);
        if (until == null) {
            return false;
        }
        if (clock.instant().isAfter(until)) {
            bannedUntil.remove(id, until);
            return false;
        }
        return true;
    }

    /** Drops every peer not heard from within {@code timeout}; returns the dropped peers. */
    public List<Peer> evictSilent(Duration timeout) {
        Instant cutoff = clock.instant().minus(timeout);
        List<Peer> evicted = new ArrayList<>();
        for (Peer p : peers.values()) {
            if (p.lastSeen().isBefore(cutoff) && peers.remove(p.id(), p)) {
                evicted.add(p);
                log.info("peer left peer={} silent_since={} last_problem=\"{}\"", p.id().shortId(), p.lastSeen(), p.lastProblem());
            }
        }
        return evicted;
    }

    public Optional<Peer> get(PeerId id) {
        return Optional.ofNullable(peers.get(id));
    }

    public boolean knowsAddress(HostPort address) {
        return peers.values().stream().anyMatch(p -> p.rpcAddress().equals(address));
    }

    /** All peers, ordered by id. */
    public List<Peer> snapshot() {
        return peers.values().stream().sorted(Comparator.comparing(Peer::id)).toList();
    }

    public int size() {
        return peers.size();
    }

    public PeerId self() {
        return self;
    }
}
