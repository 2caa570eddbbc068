package net.rhizome.net.peers;

import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.transport.HostPort;
import net.rhizome.net.transport.NodeTransport;

/**
 * One authenticated gRPC channel per peer, created on first use from the peer book's address and
 * pinned to the peer's id. Services of other modules call peers through {@link #channel(PeerId)}.
 */
public final class PeerConnections implements AutoCloseable {
    private record Entry(HostPort address, ManagedChannel channel) {}

    private final NodeTransport transport;
    private final PeerBook book;
    private final Map<PeerId, Entry> channels = new ConcurrentHashMap<>();
    private volatile PeerId self;
    private volatile HostPort selfAddress;

    public PeerConnections(NodeTransport transport, PeerBook book) {
        this.transport = transport;
        this.book = book;
    }

    /**
     * This node's own id and listening address: its services are then called like any peer's (a
     * gateway routing a job to the worker in its own process goes through the same transport).
     */
    public void listeningAs(PeerId id, HostPort address) {
        self = id;
        selfAddress = address;
    }

    /**
     * A channel to a peer in the book, or to this node itself once {@link #listeningAs} named it
     * (reconnecting when the address changed).
     *
     * @throws IllegalArgumentException when the peer is not in the book
     */
    public ManagedChannel channel(PeerId id) {
        if (id.equals(self)) {
            return channel(id, selfAddress);
        }
        Peer peer = book.get(id).orElseThrow(() -> new IllegalArgumentException("peer " + id.shortId() + " is not in the peer book"));
        return channel(id, peer.rpcAddress());
    }

    /** A channel to {@code id} at a known address, whether or not it is in the book yet. */
    public ManagedChannel channel(PeerId id, HostPort address) {
        Entry entry = channels.compute(id, (k, old) -> {
            if (old != null && old.address.equals(address) && !old.channel.isShutdown()) {
                return old;
            }
            if (old != null) {
                old.channel.shutdownNow();
            }
            return new Entry(address, transport.connect(id, address));
        });
        return entry.channel;
    }

    /** Takes over a channel already authenticated to {@code id} (e.g. from {@link NodeTransport#discover}). */
    public void adopt(PeerId id, HostPort address, ManagedChannel channel) {
        Entry old = channels.put(id, new Entry(address, channel));
        if (old != null && old.channel != channel) {
            old.channel.shutdownNow();
        }
    }

    /** Closes the channel of a peer that left. */
    public void drop(PeerId id) {
        Entry entry = channels.remove(id);
        if (entry != null) {
            entry.channel.shutdownNow();
        }
    }

    @Override
    public void close() {
        channels.keySet().forEach(this::drop);
    }
}
