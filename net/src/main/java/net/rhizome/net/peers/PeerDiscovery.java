package net.rhizome.net.peers;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.dht.DhtKeys;
import net.rhizome.net.dht.DhtNode;
import net.rhizome.net.dht.MutableItem;
import net.rhizome.net.record.NodeRecord;
import net.rhizome.net.transport.HostPort;
import net.rhizome.net.transport.NodeTransport;
import net.rhizome.net.transport.proto.InfoRequest;
import net.rhizome.net.transport.proto.NodeInfo;
import net.rhizome.net.transport.proto.NodeServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills and maintains the {@link PeerBook}. Each round it (re)joins the DHT when its routing table
 * is empty, announces this node's RPC port under {@link DhtKeys#rhizomeNetwork()} and publishes its
 * signed record when due, asks the DHT for other announcers, and verifies each new address over the
 * transport: the TLS handshake proves the peer id, and the node record it hands over must carry a
 * valid signature by that id. Known peers are pinged; peers silent for longer than the timeout are
 * evicted. Runs on one virtual thread.
 */
public final class PeerDiscovery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerDiscovery.class);
    private static final int MAX_NEW_PER_ROUND = 32;

    /**
     * @param interval time between rounds
     * @param peerTimeout silent peers are evicted after this long
     * @param announceInterval how often to re-announce and re-publish the record
     * @param rpcTimeout deadline of each verification and ping call
     */
    public record Settings(Duration interval, Duration peerTimeout, Duration announceInterval, Duration rpcTimeout) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(3));
        }
    }

    private final NodeTransport transport;
    private final DhtNode dht;
    private final OwnRecord ownRecord;
    private final PeerBook book;
    private final PeerConnections connections;
    private final List<InetSocketAddress> bootstrap;
    private final HostPort self;
    private final Settings settings;
    private final Map<HostPort, Instant> retryAfter = new ConcurrentHashMap<>();
    private final java.util.Set<HostPort> verifying = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private volatile Thread loop;
    private Instant nextAnnounce = Instant.MIN;
    private long publishedSeq = -1;

    public PeerDiscovery(NodeTransport transport, DhtNode dht, OwnRecord ownRecord, PeerBook book, PeerConnections connections,
            List<InetSocketAddress> bootstrap, HostPort self, Settings settings) {
        this.transport = transport;
        this.dht = dht;
        this.ownRecord = ownRecord;
        this.book = book;
        this.connections = connections;
        this.bootstrap = List.copyOf(bootstrap);
        this.self = self;
        this.settings = settings;
    }

    public void start() {
        if (running.compareAndSet(false, true)) {
            loop = Thread.ofVirtual().name("peer-discovery").start(this::run);
        }
    }

    private void run() {
        while (running.get()) {
            try {
                round();
            } catch (RuntimeException e) {
                log.warn("discovery round failed: {}", e.toString());
            }
            try {
                Thread.sleep(settings.interval());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One discovery and liveness round. */
    private void round() {
        joinIfAlone();
        announceIfDue();
        for (HostPort candidate : candidates()) {
            if (verifying.add(candidate)) {
                workers.submit(() -> {
                    try {
                        verify(candidate);
                    } finally {
                        verifying.remove(candidate);
                    }
                });
            }
        }
        List<Peer> known = book.snapshot();
        List<? extends java.util.concurrent.Future<?>> pings = known.stream().map(p -> workers.submit(() -> ping(p))).toList();
        for (var ping : pings) {
            try {
                ping.get(settings.rpcTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                // ping() records its own failures
            }
        }
        for (Peer gone : book.evictSilent(settings.peerTimeout())) {
            connections.drop(gone.id());
        }
    }

    private void joinIfAlone() {
        if (!bootstrap.isEmpty() && dht.routingTableSnapshot().isEmpty()) {
            await(dht.bootstrap(bootstrap), "DHT bootstrap");
        }
    }

    private void announceIfDue() {
        Instant now = Instant.now();
        if (dht.routingTableSnapshot().isEmpty()) {
            return;
        }
        MutableItem current = ownRecord.signed();
        if (now.isBefore(nextAnnounce)) {
            if (current.seq() != publishedSeq) {
                // The record changed (roles, models, …): others should see it now, not at the next announce.
                Integer stored = await(dht.putMutable(current), "node record publish");
                if (stored != null && stored > 0) {
                    publishedSeq = current.seq();
                }
            }
            return;
        }
        Integer accepted = await(dht.announce(DhtKeys.rhizomeNetwork(), self.port()), "DHT announce");
        MutableItem item = current;
        Integer stored = await(dht.putMutable(item), "node record publish");
        if (accepted != null && accepted > 0 && stored != null && stored > 0) {
            nextAnnounce = now.plus(settings.announceInterval());
            publishedSeq = item.seq();
            log.info("announced rpc_port={} record_seq={} accepted_by={} record_stored_on={}", self.port(), item.seq(), accepted, stored);
        }
    }

    private List<HostPort> candidates() {
        List<InetSocketAddress> found = await(dht.getPeers(DhtKeys.rhizomeNetwork()), "DHT get_peers");
        if (found == null) {
            return List.of();
        }
        Instant now = Instant.now();
        return found.stream()
                .map(a -> new HostPort(a.getAddress().getHostAddress(), a.getPort()))
                .filter(a -> !a.equals(self) && !book.knowsAddress(a))
                .filter(a -> retryAfter.getOrDefault(a, Instant.MIN).isBefore(now))
                .distinct()
                .limit(MAX_NEW_PER_ROUND)
                .toList();
    }

    /** Connects to an announced address and admits the peer if its identity and record check out. */
    void verify(HostPort address) {
        NodeTransport.Discovered found;
        try {
            found = transport.discover(address, settings.rpcTimeout());
        } catch (IOException e) {
            backOff(address, e.getMessage());
            return;
        }
        PeerId id = found.peer();
        if (id.equals(transport.self())) {
            found.channel().shutdownNow();
            retryAfter.put(address, Instant.now().plus(Duration.ofHours(1)));
            return;
        }
        try {
            PeerDetails details = signedDetails(id, found.channel());
            if (book.verified(id, address, details)) {
                connections.adopt(id, address, found.channel());
                retryAfter.remove(address);
                return;
            }
        } catch (StatusRuntimeException e) {
            backOff(address, "node info: " + e.getStatus());
        } catch (SignedRecord.InvalidRecordException e) {
            book.report(id, e.getMessage());
            backOff(address, e.getMessage());
        }
        found.channel().shutdownNow();
    }

    private void backOff(HostPort address, String reason) {
        retryAfter.put(address, Instant.now().plus(settings.interval().multipliedBy(2)));
        log.debug("candidate refused address={} reason=\"{}\"", address, reason);
    }

    /** Liveness check that also refreshes what the peer says about itself (its newest signed record). */
    private void ping(Peer peer) {
        ManagedChannel channel;
        try {
            channel = connections.channel(peer.id());
        } catch (IllegalArgumentException evictedMeanwhile) {
            return;
        }
        try {
            book.alive(peer.id(), signedDetails(peer.id(), channel));
        } catch (StatusRuntimeException e) {
            book.unreachable(peer.id(), "node info: " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
            // Do not let gRPC's exponential reconnect back-off outlast a restarted peer.
            channel.resetConnectBackoff();
        } catch (SignedRecord.InvalidRecordException e) {
            book.report(peer.id(), e.getMessage());
        }
    }

    /** Asks the peer for its node info and checks the node record in it against the peer's key. */
    private PeerDetails signedDetails(PeerId id, ManagedChannel channel) throws SignedRecord.InvalidRecordException {
        NodeInfo info = NodeServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(settings.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .getInfo(InfoRequest.newBuilder().setProtocolVersion(NodeTransport.PROTOCOL_VERSION).build());
        NodeRecord record = SignedRecord.verify(id, info.getRecordValue().toByteArray(), info.getRecordSeq(),
                info.getRecordSignature().toByteArray());
        return new PeerDetails(record.roles(), record.httpUrl(), record.software(), record.models(), true);
    }

    private <T> T await(java.util.concurrent.CompletableFuture<T> future, String what) {
        try {
            return future.get(settings.rpcTimeout().toMillis() * 4, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            log.debug("{} failed: {}", what, e.getCause() == null ? e.toString() : e.getCause().getMessage());
            future.cancel(true);
            return null;
        }
    }

    @Override
    public void close() {
        running.set(false);
        Thread t = loop;
        if (t != null) {
            t.interrupt();
        }
        workers.shutdownNow();
    }
}
