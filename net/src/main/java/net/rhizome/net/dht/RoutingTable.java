package net.rhizome.net.dht;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Kademlia routing table as BEP 5 describes it: buckets of at most {@code k} nodes, where only the
 * bucket covering our own id splits. Bucket {@code i} holds the nodes whose id shares exactly
 * {@code i} leading bits with ours; the last bucket holds everything closer. Nodes that fail
 * {@code maxFailures} queries in a row are bad and evicted; nodes silent for the questionable
 * period are pinged before a newcomer can take their place. Thread-safe.
 */
public final class RoutingTable {
    private final NodeId self;
    private final int k;
    private final int maxFailures;
    private final Duration questionableAfter;
    private final Clock clock;
    private final List<Bucket> buckets = new ArrayList<>();

    public RoutingTable(NodeId self, int k, int maxFailures, Duration questionableAfter, Clock clock) {
        this.self = self;
        this.k = k;
        this.maxFailures = maxFailures;
        this.questionableAfter = questionableAfter;
        this.clock = clock;
        buckets.add(new Bucket(clock.millis()));
    }

    /**
     * Records that {@code node} was heard from: a response ({@code responded}) or a query. Returns a
     * questionable node the caller should ping when the node's bucket is full; if that ping fails,
     * {@link #failed} evicts it and the newcomer waiting in the replacement cache moves in.
     */
    public synchronized Optional<NodeInfo> heard(NodeInfo node, boolean responded) {
        if (node.id().equals(self)) {
            return Optional.empty();
        }
        long now = clock.millis();
        while (true) {
            Bucket bucket = bucketFor(node.id());
            Entry existing = bucket.find(node.id());
            if (existing != null) {
                if (existing.info.address().equals(node.address()) || existing.failures > 0) {
                    existing.info = node;
                    existing.touch(now, responded);
                    bucket.changed = now;
                }
                return Optional.empty();
            }
            if (bucket.entries.size() < k) {
                Entry e = new Entry(node);
                e.touch(now, responded);
                bucket.entries.add(e);
                bucket.replacements.removeIf(r -> r.info.id().equals(node.id()));
                bucket.changed = now;
                return Optional.empty();
            }
            if (bucket == last() && buckets.size() < NodeId.BITS) {
                split();
                continue;
            }
            bucket.addReplacement(node, responded, now, k);
            return bucket.entries.stream()
                    .filter(e -> !e.pinging && isQuestionable(e, now))
                    .min(Comparator.comparingLong(e -> e.lastSeen))
                    .map(e -> {
                        e.pinging = true;
                        return e.info;
                    });
        }
    }

    /** A query to {@code id} timed out; after {@code maxFailures} in a row the node is evicted. */
    public synchronized void failed(NodeId id) {
        Bucket bucket = bucketFor(id);
        Entry e = bucket.find(id);
        if (e == null) {
            bucket.replacements.removeIf(r -> r.info.id().equals(id));
            return;
        }
        e.pinging = false;
        if (++e.failures >= maxFailures) {
            bucket.entries.remove(e);
            Entry replacement = bucket.replacements.pollLast();
            if (replacement != null) {
                bucket.entries.add(replacement);
            }
            bucket.changed = clock.millis();
        }
    }

    /** Up to {@code n} known nodes closest to {@code target}, nearest first; bad nodes excluded. */
    public synchronized List<NodeInfo> closest(NodeId target, int n) {
        return buckets.stream()
                .flatMap(b -> b.entries.stream())
                .filter(e -> e.failures < maxFailures)
                .map(e -> e.info)
                .sorted((a, b) -> target.compareDistance(a.id(), b.id()))
                .limit(n)
                .toList();
    }

    public synchronized List<NodeInfo> snapshot() {
        return buckets.stream().flatMap(b -> b.entries.stream()).map(e -> e.info).toList();
    }

    public synchronized int size() {
        return buckets.stream().mapToInt(b -> b.entries.size()).sum();
    }

    /** The nodes of each bucket, for invariant checks. */
    public synchronized List<List<NodeInfo>> buckets() {
        return buckets.stream().map(b -> b.entries.stream().map(e -> e.info).toList()).toList();
    }

    /**
     * Random targets inside every bucket that has not changed for {@code interval}; each such
     * bucket is marked as refreshed now, and the caller runs a lookup for the target.
     */
    public synchronized List<NodeId> bucketsToRefresh(Duration interval) {
        long now = clock.millis();
        List<NodeId> targets = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i++) {
            Bucket b = buckets.get(i);
            if (now - b.changed >= interval.toMillis()) {
                b.changed = now;
                targets.add(self.randomWithCommonPrefix(i == buckets.size() - 1 ? NodeId.BITS : i));
            }
        }
        return targets;
    }

    /** Nodes not heard from for the questionable period; the caller pings them. */
    public synchronized List<NodeInfo> questionable() {
        long now = clock.millis();
        List<NodeInfo> out = new ArrayList<>();
        for (Bucket b : buckets) {
            for (Entry e : b.entries) {
                if (!e.pinging && now - e.lastSeen >= questionableAfter.toMillis()) {
                    e.pinging = true;
                    out.add(e.info);
                }
            }
        }
        return out;
    }

    private boolean isQuestionable(Entry e, long now) {
        return !e.everResponded || now - e.lastSeen >= questionableAfter.toMillis();
    }

    private Bucket bucketFor(NodeId id) {
        return buckets.get(Math.min(self.commonPrefixLength(id), buckets.size() - 1));
    }

    private Bucket last() {
        return buckets.get(buckets.size() - 1);
    }

    private void split() {
        int depth = buckets.size() - 1;
        Bucket old = last();
        Bucket closer = new Bucket(old.changed);
        moveCloser(old.entries, closer.entries, depth);
        moveCloser(old.replacements, closer.replacements, depth);
        buckets.add(closer);
    }

    private void moveCloser(Collection<Entry> from, Collection<Entry> to, int depth) {
        for (Iterator<Entry> it = from.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (self.commonPrefixLength(e.info.id()) > depth) {
                it.remove();
                to.add(e);
            }
        }
    }

    private static final class Bucket {
        final List<Entry> entries = new ArrayList<>();
        /** Newcomers waiting for a slot, most recently heard last. */
        final Deque<Entry> replacements = new ArrayDeque<>();
        long changed;

        Bucket(long now) {
            this.changed = now;
        }

        Entry find(NodeId id) {
            for (Entry e : entries) {
                if (e.info.id().equals(id)) {
                    return e;
                }
            }
            return null;
        }

        void addReplacement(NodeInfo node, boolean responded, long now, int max) {
            replacements.removeIf(r -> r.info.id().equals(node.id()));
            Entry e = new Entry(node);
            e.touch(now, responded);
            replacements.addLast(e);
            if (replacements.size() > max) {
                replacements.removeFirst();
            }
        }
    }

    private static final class Entry {
        NodeInfo info;
        long lastSeen;
        int failures;
        boolean everResponded;
        boolean pinging;

        Entry(NodeInfo info) {
            this.info = info;
        }

        void touch(long now, boolean responded) {
            if (responded) {
                lastSeen = now;
                everResponded = true;
                failures = 0;
                pinging = false;
            } else if (everResponded) {
                // BEP 5: a node that once responded stays good while it keeps querying us.
                lastSeen = now;
            }
        }
    }
}
