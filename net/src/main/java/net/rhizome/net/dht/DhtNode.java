package net.rhizome.net.dht;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BValue.BBytes;
import net.rhizome.core.bencode.BValue.BDict;
import net.rhizome.core.bencode.BValue.BInt;
import net.rhizome.core.bencode.BValue.BList;
import net.rhizome.core.bencode.BencodeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Mainline-compatible DHT node (BEP 5, BEP 44, BEP 43 read-only) on one UDP socket.
 *
 * <p>Futures returned here complete on the node's receive thread; callers that do slow work in
 * a continuation should use the {@code …Async} variants.
 */
public final class DhtNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DhtNode.class);

    private final DhtConfig config;
    private final NodeId id;
    private final boolean ipv6;
    private final RoutingTable table;
    private final PeerStore peers;
    private final ItemStore items;
    private final DhtMetrics metrics = new DhtMetrics();
    private final ScheduledExecutorService timer;
    private final KrpcEndpoint endpoint;
    private final QueryHandler handler;
    private final List<InetSocketAddress> seeds = new CopyOnWriteArrayList<>();

    private DhtNode(DhtConfig config, DatagramChannel channel) {
        this.config = config;
        this.id = config.nodeId();
        this.ipv6 = config.bindAddress().getAddress() instanceof Inet6Address;
        this.table = new RoutingTable(id, config.k(), config.maxFailures(), config.questionableAfter(), config.clock());
        this.peers = new PeerStore(config.clock(), config.peerTtl(), 10_000, 1_000);
        this.items = new ItemStore(config.clock(), config.itemTtl(), 10_000);
        TokenManager tokens = new TokenManager(config.clock(), config.tokenRotation());
        this.handler = new QueryHandler(id, config.k(), ipv6, table, tokens, peers, items);
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("dht-timer").factory());
        RateLimiter limiter = new RateLimiter(config.ratePerSecond(), config.rateBurst(), 50_000, config.clock());
        this.endpoint = new KrpcEndpoint(channel, limiter, metrics, config.queryTimeout(), timer, config.readOnly(), new KrpcEndpoint.Listener() {
            @Override
            public void onQuery(KrpcMessage.Query query, InetSocketAddress from) {
                answer(query, from);
            }

            @Override
            public void onResponse(KrpcMessage.Response response, InetSocketAddress from) {
                heard(new NodeInfo(response.sender(), from), true);
            }
        });
    }

    /** Binds the UDP socket and starts the receive loop and the maintenance timer. */
    public static DhtNode start(DhtConfig config) throws IOException {
        InetSocketAddress bind = config.bindAddress();
        DatagramChannel channel = DatagramChannel.open(bind.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.bind(bind);
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot bind DHT UDP socket to " + bind + ": " + e.getMessage(), e);
        }
        DhtNode node = new DhtNode(config, channel);
        node.endpoint.start("dht-" + node.localAddress().getPort());
        long every = config.maintenanceInterval().toMillis();
        node.timer.scheduleWithFixedDelay(node::maintain, every, every, TimeUnit.MILLISECONDS);
        return node;
    }

    public NodeId id() {
        return id;
    }

    public InetSocketAddress localAddress() {
        return endpoint.localAddress();
    }

    /**
     * Joins the network through {@code seeds} (resolved here; unreachable seeds are skipped), then
     * looks up our own id to fill the routing table. Completes with the routing-table size; fails
     * when no seed answered and the table is still empty.
     */
    public CompletableFuture<Integer> bootstrap(List<InetSocketAddress> seedAddresses) {
        List<CompletableFuture<?>> pings = new ArrayList<>();
        for (InetSocketAddress s : seedAddresses) {
            InetSocketAddress resolved = s.isUnresolved() ? new InetSocketAddress(s.getHostString(), s.getPort()) : s;
            if (resolved.isUnresolved() || resolved.equals(localAddress())) {
                continue;
            }
            if (!seeds.contains(resolved)) {
                seeds.add(resolved);
            }
            // A seed that answers enters the routing table through the response listener.
            pings.add(endpoint.query(resolved, "find_node", findNodeArgs(id)).handle((r, e) -> null));
        }
        return CompletableFuture.allOf(pings.toArray(CompletableFuture[]::new))
                .thenCompose(ignored -> lookup(id, "find_node", findNodeArgs(id)))
                .thenApply(r -> {
                    if (table.size() == 0) {
                        throw new DhtException("bootstrap failed: none of " + seedAddresses + " answered");
                    }
                    return table.size();
                });
    }

    /**
     * Announces that we serve {@code infoHash} on {@code port} (0: the port of this DHT socket,
     * sent as implied_port) to the k nodes closest to it. Completes with how many accepted.
     */
    public CompletableFuture<Integer> announce(byte[] infoHash, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        NodeId key = DhtKeys.infoHashKey(infoHash);
        return lookup(key, "get_peers", getPeersArgs(key)).thenCompose(result -> {
            List<CompletableFuture<Boolean>> acks = new ArrayList<>();
            for (Lookup.Answer a : result.closest()) {
                a.response().values().optional("token", BBytes.class).ifPresent(token -> {
                    BDict args = BValue.dict("id", BValue.bytes(id.bytes()), "info_hash", BValue.bytes(key.bytes()),
                            "port", BValue.integer(port == 0 ? localAddress().getPort() : port),
                            "implied_port", BValue.integer(port == 0 ? 1 : 0), "token", token);
                    acks.add(queryNode(a.node(), "announce_peer", args).handle((r, e) -> r != null));
                });
            }
            return countTrue(acks);
        });
    }

    /** Peers announced for {@code infoHash} (20 bytes, or a 32-byte v2 hash) anywhere in the DHT. */
    public CompletableFuture<List<InetSocketAddress>> getPeers(byte[] infoHash) {
        NodeId key = DhtKeys.infoHashKey(infoHash);
        return lookup(key, "get_peers", getPeersArgs(key)).thenApply(result -> {
            // Our own store counts: we may be one of the nodes closest to the key.
            LinkedHashSet<InetSocketAddress> found = new LinkedHashSet<>(peers.get(key, QueryHandler.MAX_PEERS_PER_REPLY));
            for (Lookup.Answer a : result.answers()) {
                a.response().values().optional("values", BList.class).ifPresent(list -> list.items().forEach(v -> {
                    if (v instanceof BBytes b && (b.length() == Compact.PEER4 || b.length() == Compact.PEER6)) {
                        InetSocketAddress p = Compact.parsePeer(b.bytes());
                        if (p.getPort() != 0) {
                            found.add(p);
                        }
                    }
                }));
            }
            return List.copyOf(found);
        });
    }

    /**
     * Nodes serving a model: the peers announced under its BitTorrent info-hash. A v2 model id
     * (SHA-256) is looked up under its first 20 bytes, as BEP 52 clients announce it.
     */
    public CompletableFuture<List<InetSocketAddress>> providers(byte[] modelInfoHash) {
        return getPeers(modelInfoHash);
    }

    /** Stores a signed mutable item on the k nodes closest to its target; completes with how many accepted. */
    public CompletableFuture<Integer> putMutable(MutableItem item) {
        if (!item.verify()) {
            throw new IllegalArgumentException("mutable item does not verify: sign it with MutableItem.sign");
        }
        return put(item.target(), token -> {
            List<Object> kv = new ArrayList<>(List.of("id", BValue.bytes(id.bytes()), "token", token, "v", item.value(),
                    "k", BValue.bytes(item.publicKey()), "seq", BValue.integer(item.seq()), "sig", BValue.bytes(item.signature())));
            if (item.salt().length > 0) {
                kv.addAll(List.of("salt", BValue.bytes(item.salt())));
            }
            return BValue.dict(kv.toArray());
        });
    }

    /** The newest correctly signed item stored under {@code publicKey} and {@code salt}, if any. */
    public CompletableFuture<Optional<MutableItem>> getMutable(byte[] publicKey, byte[] salt) {
        NodeId target = MutableItem.target(publicKey, salt);
        Optional<MutableItem> local = items.get(target)
                .flatMap(i -> i instanceof ItemStore.Mutable m && Arrays.equals(m.item().publicKey(), publicKey) ? Optional.of(m.item()) : Optional.empty());
        return lookup(target, "get", getArgs(target)).thenApply(result -> Stream.concat(local.stream(), result.answers().stream()
                        .map(a -> mutableIn(a.response().values(), publicKey, salt))
                        .flatMap(Optional::stream))
                .max(Comparator.comparingLong(MutableItem::seq)));
    }

    /** Stores an immutable item; completes with its target (SHA-1 of its bencoding). */
    public CompletableFuture<NodeId> putImmutable(BValue value) {
        MutableItem.checkSizes(new byte[0], value);
        NodeId target = ItemStore.immutableTarget(value);
        return put(target, token -> BValue.dict("id", BValue.bytes(id.bytes()), "token", token, "v", value))
                .thenApply(accepted -> {
                    if (accepted == 0) {
                        throw new DhtException("no node accepted immutable item " + target);
                    }
                    return target;
                });
    }

    /** The immutable item stored under {@code target}, checked against its hash. */
    public CompletableFuture<Optional<BValue>> getImmutable(NodeId target) {
        Optional<BValue> local = items.get(target).flatMap(i -> i instanceof ItemStore.Immutable im ? Optional.of(im.value()) : Optional.empty());
        return lookup(target, "get", getArgs(target)).thenApply(result -> Stream.concat(local.stream(), result.answers().stream()
                        .map(a -> a.response().values().get("v"))
                        .flatMap(Optional::stream))
                .filter(v -> ItemStore.immutableTarget(v).equals(target))
                .findFirst());
    }

    /** A copy of the routing table's nodes. */
    public List<NodeInfo> routingTableSnapshot() {
        return table.snapshot();
    }

    public DhtMetrics.Snapshot metrics() {
        return metrics.snapshot(table.size(), peers.size(), items.size());
    }

    /** Runs a find_node lookup and reports its cost (for benchmarks and diagnostics). */
    public CompletableFuture<LookupStats> findNode(NodeId target) {
        return lookup(target, "find_node", findNodeArgs(target))
                .thenApply(r -> new LookupStats(r.closest().stream().map(Lookup.Answer::node).toList(), r.rounds(), r.queries()));
    }

    /** The outcome of a lookup: the closest answering nodes, sequential round trips, queries sent. */
    public record LookupStats(List<NodeInfo> closest, int rounds, int queries) {}

    @Override
    public void close() {
        timer.shutdownNow();
        endpoint.close();
    }

    private CompletableFuture<Integer> put(NodeId target, Function<BBytes, BDict> argsForToken) {
        return lookup(target, "get", getArgs(target)).thenCompose(result -> {
            List<CompletableFuture<Boolean>> acks = new ArrayList<>();
            for (Lookup.Answer a : result.closest()) {
                a.response().values().optional("token", BBytes.class).ifPresent(token ->
                        acks.add(queryNode(a.node(), "put", argsForToken.apply(token)).handle((r, e) -> {
                            if (e != null) {
                                log.debug("put to {} refused: {}", a.node().address(), e.getMessage());
                            }
                            return r != null;
                        })));
            }
            return countTrue(acks);
        });
    }

    private static Optional<MutableItem> mutableIn(BDict r, byte[] publicKey, byte[] salt) {
        try {
            Optional<BBytes> k = r.optional("k", BBytes.class);
            Optional<BValue> v = r.get("v");
            Optional<BBytes> sig = r.optional("sig", BBytes.class);
            Optional<BInt> seq = r.optional("seq", BInt.class);
            if (k.isEmpty() || v.isEmpty() || sig.isEmpty() || seq.isEmpty() || !Arrays.equals(k.get().bytes(), publicKey)) {
                return Optional.empty();
            }
            MutableItem item = new MutableItem(publicKey, salt, seq.get().value(), v.get(), sig.get().bytes());
            return item.verify() ? Optional.of(item) : Optional.empty();
        } catch (BencodeException e) {
            return Optional.empty();
        }
    }

    private CompletableFuture<Lookup.Result> lookup(NodeId target, String method, BDict args) {
        metrics.lookups.increment();
        Lookup lookup = new Lookup(id, target, method, args, config.k(), config.alpha(), new Lookup.Transport() {
            @Override
            public CompletableFuture<KrpcMessage.Response> query(NodeInfo node, String m, BDict a) {
                return queryNode(node, m, a);
            }

            @Override
            public List<NodeInfo> nodesIn(KrpcMessage.Response response) {
                return DhtNode.this.nodesIn(response);
            }
        });
        return lookup.run(table.closest(target, config.k()));
    }

    private CompletableFuture<KrpcMessage.Response> queryNode(NodeInfo node, String method, BDict args) {
        return endpoint.query(node.address(), method, args).whenComplete((r, e) -> {
            if (e != null && !(e instanceof KrpcEndpoint.ErrorReply)) {
                table.failed(node.id());
            }
        });
    }

    private List<NodeInfo> nodesIn(KrpcMessage.Response response) {
        try {
            return response.values().optional(ipv6 ? "nodes6" : "nodes", BBytes.class)
                    .map(b -> Compact.parseNodes(b.bytes(), ipv6))
                    .orElse(List.of())
                    .stream()
                    .filter(n -> !n.id().equals(id) && !n.address().equals(localAddress()))
                    .toList();
        } catch (BencodeException | IllegalArgumentException e) {
            log.debug("ignoring bad node list from {}: {}", response.sender(), e.getMessage());
            return List.of();
        }
    }

    private void answer(KrpcMessage.Query q, InetSocketAddress from) {
        if (config.readOnly()) {
            return; // BEP 43: read-only nodes do not answer queries
        }
        if (!q.readOnly()) {
            heard(new NodeInfo(q.sender(), from), false);
        }
        switch (handler.handle(q, from)) {
            case QueryHandler.Ok ok -> endpoint.respond(q.transactionId(), ok.values(), from);
            case QueryHandler.Fail f -> endpoint.error(q.transactionId(), f.code(), f.message(), from);
        }
    }

    private void heard(NodeInfo node, boolean responded) {
        table.heard(node, responded).ifPresent(this::ping);
    }

    private void ping(NodeInfo node) {
        queryNode(node, "ping", BValue.dict("id", BValue.bytes(id.bytes())));
    }

    private void maintain() {
        try {
            peers.expire();
            items.expire();
            table.questionable().forEach(this::ping);
            if (table.size() == 0 && !seeds.isEmpty()) {
                bootstrap(List.copyOf(seeds));
                return;
            }
            for (NodeId target : table.bucketsToRefresh(config.refreshInterval())) {
                lookup(target, "find_node", findNodeArgs(target));
            }
        } catch (RuntimeException e) {
            log.warn("DHT maintenance failed", e);
        }
    }

    private BDict findNodeArgs(NodeId target) {
        return BValue.dict("id", BValue.bytes(id.bytes()), "target", BValue.bytes(target.bytes()));
    }

    private BDict getPeersArgs(NodeId infoHash) {
        return BValue.dict("id", BValue.bytes(id.bytes()), "info_hash", BValue.bytes(infoHash.bytes()));
    }

    private BDict getArgs(NodeId target) {
        return BValue.dict("id", BValue.bytes(id.bytes()), "target", BValue.bytes(target.bytes()));
    }

    private static CompletableFuture<Integer> countTrue(List<CompletableFuture<Boolean>> acks) {
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> (int) acks.stream().filter(CompletableFuture::join).count());
    }
}
