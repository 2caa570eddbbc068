package net.rhizome.net.dht;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.crypto.Hashes;

/**
 * BEP 44 storage: immutable items under SHA-1 of their bencoding, mutable items under
 * SHA-1(key ‖ salt), each kept for the configured time after its last put. Enforces the
 * signature, size, sequence-number and compare-and-swap rules and reports violations with the
 * BEP 44 error codes.
 */
public final class ItemStore {
    /** Why a put was refused, as a KRPC error code and message. */
    public record Rejection(int code, String message) {}

    /** A stored item: an immutable value or a mutable item. */
    public sealed interface Item permits Immutable, Mutable {}

    public record Immutable(BValue value) implements Item {}

    public record Mutable(MutableItem item) implements Item {}

    private record Stored(Item item, long expiresAt) {}

    private final Clock clock;
    private final long ttlMillis;
    private final int maxItems;
    private final Map<NodeId, Stored> items = new HashMap<>();

    public ItemStore(Clock clock, Duration ttl, int maxItems) {
        this.clock = clock;
        this.ttlMillis = ttl.toMillis();
        this.maxItems = maxItems;
    }

    public static NodeId immutableTarget(BValue value) {
        return NodeId.of(Hashes.sha1(value.encode()));
    }

    public synchronized Optional<Rejection> putImmutable(BValue value) {
        if (value.encode().length > MutableItem.MAX_VALUE_BYTES) {
            return Optional.of(new Rejection(KrpcMessage.Error.VALUE_TOO_BIG, "message (v field) too big"));
        }
        return store(immutableTarget(value), new Immutable(value));
    }

    public synchronized Optional<Rejection> putMutable(MutableItem item, OptionalLong cas) {
        if (item.salt().length > MutableItem.MAX_SALT_BYTES) {
            return Optional.of(new Rejection(KrpcMessage.Error.SALT_TOO_BIG, "salt (salt field) too big"));
        }
        if (item.value().encode().length > MutableItem.MAX_VALUE_BYTES) {
            return Optional.of(new Rejection(KrpcMessage.Error.VALUE_TOO_BIG, "message (v field) too big"));
        }
        if (!item.verify()) {
            return Optional.of(new Rejection(KrpcMessage.Error.INVALID_SIGNATURE, "invalid signature"));
        }
        NodeId target = item.target();
        Optional<MutableItem> current = getMutable(target);
        if (current.isPresent()) {
            MutableItem old = current.get();
            if (cas.isPresent() && cas.getAsLong() != old.seq()) {
                return Optional.of(new Rejection(KrpcMessage.Error.CAS_MISMATCH, "CAS mismatch, stored seq is " + old.seq()));
            }
            if (item.seq() < old.seq() || item.seq() == old.seq() && !item.value().equals(old.value())) {
                return Optional.of(new Rejection(KrpcMessage.Error.SEQ_TOO_LOW, "sequence number less than current"));
            }
        }
        return store(target, new Mutable(item));
    }

    public synchronized Optional<Item> get(NodeId target) {
        Stored s = items.get(target);
        if (s == null) {
            return Optional.empty();
        }
        if (s.expiresAt <= clock.millis()) {
            items.remove(target);
            return Optional.empty();
        }
        return Optional.of(s.item);
    }

    public synchronized void expire() {
        long now = clock.millis();
        items.values().removeIf(s -> s.expiresAt <= now);
    }

    public synchronized int size() {
        return items.size();
    }

    private Optional<MutableItem> getMutable(NodeId target) {
        return get(target).flatMap(i -> i instanceof Mutable m ? Optional.of(m.item()) : Optional.empty());
    }

    private Optional<Rejection> store(NodeId target, Item item) {
        if (!items.containsKey(target) && items.size() >= maxItems) {
            expire();
            if (items.size() >= maxItems) {
                return Optional.of(new Rejection(KrpcMessage.Error.SERVER, "storage full"));
            }
        }
        items.put(target, new Stored(item, clock.millis() + ttlMillis));
        return Optional.empty();
    }
}
