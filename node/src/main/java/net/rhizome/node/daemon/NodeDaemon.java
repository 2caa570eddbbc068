package net.rhizome.node.daemon;

import io.grpc.BindableService;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.TreeSet;
import net.rhizome.net.dht.DhtConfig;
import net.rhizome.net.dht.DhtNode;
import net.rhizome.net.dht.MutableItem;
import net.rhizome.net.dht.NodeId;
import net.rhizome.net.peers.OwnRecord;
import net.rhizome.net.peers.PeerDiscovery;
import net.rhizome.net.record.NodeRecord;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.peers.PeerBook;
import net.rhizome.net.peers.PeerConnections;
import net.rhizome.net.transport.HostPort;
import net.rhizome.net.transport.NodeServiceImpl;
import net.rhizome.net.transport.NodeTransport;
import net.rhizome.net.transport.proto.NodeInfo;
import net.rhizome.node.http.HttpApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Rhizome node: identity from its data directory, the gRPC transport server, the HTTP API,
 * the peer book and the plugged-in {@link NodeFeature}s. {@link #close()} stops everything in reverse
 * order of start and is safe to call more than once (the CLI calls it from a shutdown hook).
 */
public final class NodeDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeDaemon.class);

    private final NodeConfig config;
    private final KeyPair key;
    private final NodeContext context;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile HostPort rpcAddress;
    private volatile String httpUrl;
    private volatile OwnRecord ownRecord;

    private NodeDaemon(NodeConfig config, KeyPair key, NodeContext context) {
        this.config = config;
        this.key = key;
        this.context = context;
    }

    /** Starts a node; on any failure what already started is stopped again and the error names the cause. */
    public static NodeDaemon start(NodeConfig config, List<NodeFeature> features) throws IOException {
        Files.createDirectories(config.dataDir());
        Files.setPosixFilePermissions(config.dataDir(), PosixFilePermissions.fromString("rwx------"));
        KeyPair key = KeyPair.loadOrCreate(config.keyFile());
        AdminToken token = AdminToken.loadOrCreate(config.adminTokenFile());
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        NodeTransport transport = new NodeTransport(key);
        PeerBook peers = new PeerBook(key.peerId());
        PeerConnections connections = new PeerConnections(transport, peers);
        DhtNode dht;
        try {
            dht = DhtNode.start(DhtConfig.defaults(new InetSocketAddress(config.listen().host(), config.dhtPort()))
                    .withNodeId(NodeId.derivedFrom(key.peerId())));
        } catch (IOException e) {
            metrics.close();
            throw new IOException("cannot open the DHT on UDP " + config.listen().host() + ":" + config.dhtPort() + ": " + e.getMessage(), e);
        }
        NodeContext context = new NodeContext(config, key, transport, peers, connections, metrics, token, dht);
        NodeDaemon daemon = new NodeDaemon(config, key, context);
        try {
            daemon.startParts(features, metrics, connections);
        } catch (Exception e) {
            daemon.close();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        return daemon;
    }

    private void startParts(List<NodeFeature> features, PrometheusMeterRegistry metrics, PeerConnections connections)
            throws Exception {
        running.push(metrics::close);
        running.push(context.dht());
        for (var binder : List.of(new JvmMemoryMetrics(), new JvmThreadMetrics(), new ProcessorMetrics(), new UptimeMetrics())) {
            binder.bindTo(metrics);
        }
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(metrics);
        running.push(gc);
        metrics.gauge("rhizome.peers", context.peers(), PeerBook::size);
        metrics.gauge("rhizome.dht.routing.table.nodes", context.dht(), d -> d.metrics().routingTableSize());
        metrics.gauge("rhizome.dht.queries.received", context.dht(), d -> d.metrics().queriesReceived());
        metrics.gauge("rhizome.dht.dropped.rate.limited", context.dht(), d -> d.metrics().droppedRateLimited());
        metrics.gauge("rhizome.dht.dropped.malformed", context.dht(), d -> d.metrics().droppedMalformed());
        running.push(connections);

        for (NodeFeature feature : features) {
            try {
                feature.start(context);
            } catch (Exception e) {
                throw new IOException("feature " + feature.name() + " failed to start: " + e.getMessage(), e);
            }
            running.push(feature::stop);
            log.info("feature started name={}", feature.name());
        }

        List<BindableService> services = new ArrayList<>();
        ownRecord = new OwnRecord(key, () -> recordContent(features));
        services.add(new NodeServiceImpl(this::nodeInfo));
        features.forEach(f -> services.addAll(f.rpcServices()));
        var rpc = context.transport().server(config.listen().toSocketAddress(), services, context.peers());
        running.push(rpc);
        rpcAddress = new HostPort(config.advertise().host(), config.advertise().port() == 0 ? rpc.port() : config.advertise().port());
        connections.listeningAs(key.peerId(), rpcAddress);

        Javalin http = HttpApi.create();
        HttpApi.routes(http, this::describe, context.peers(), this::dhtSummary, metrics, context.adminOnly(ctx -> {
            ctx.json(Map.of("stopping", true));
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(300); // let Jetty send this answer before the HTTP server stops
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                close();
            });
        }));
        HttpApi.dhtRoutes(http, context.dht(), context.records());
        features.forEach(f -> f.routes(http));
        try {
            http.start(config.httpHost(), config.httpPort());
        } catch (RuntimeException e) {
            http.stop();
            throw new IOException("cannot serve HTTP on " + config.httpHost() + ":" + config.httpPort() + ": " + rootMessage(e), e);
        }
        running.push(http::stop);
        httpUrl = "http://" + new HostPort(config.httpHost(), http.port());
        context.listening(ownRecord);

        PeerDiscovery discovery = new PeerDiscovery(context.transport(), context.dht(), ownRecord, context.peers(), connections,
                config.bootstrap().stream().map(HostPort::toSocketAddress).toList(), rpcAddress,
                new PeerDiscovery.Settings(config.discoveryInterval(), config.peerTimeout(), Duration.ofMinutes(5), Duration.ofSeconds(3)));
        discovery.start();
        running.push(discovery);

        runtime().write(config.runtimeFile());
        running.push(() -> Files.deleteIfExists(config.runtimeFile()));
        log.info("node started peer={} rpc={} http={} roles={} data_dir={}",
                key.peerId().hex(), rpcAddress, httpUrl, roleLabels(), config.dataDir());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private List<String> roleLabels() {
        return config.roles().stream().map(Role::label).sorted().toList();
    }

    /** What the daemon writes to {@code node.json}. */
    public NodeRuntime runtime() {
        return new NodeRuntime(key.peerId().hex(), ProcessHandle.current().pid(), String.valueOf(rpcAddress),
                dhtPort(), httpUrl, roleLabels());
    }

    private NodeRecord recordContent(List<NodeFeature> features) {
        List<String> models = features.stream().flatMap(f -> f.servedModels().stream()).distinct().sorted().toList();
        return context.withExtensions(new NodeRecord(key.peerId(), String.valueOf(rpcAddress), httpUrl,
                new TreeSet<>(roleLabels()), models, NodeConfig.SOFTWARE_VERSION, 0));
    }

    private NodeInfo nodeInfo() {
        NodeInfo.Builder info = NodeInfo.newBuilder()
                .setProtocolVersion(NodeTransport.PROTOCOL_VERSION)
                .setPeerId(key.peerId().hex())
                .addAllRoles(roleLabels())
                .setRpcAddress(String.valueOf(rpcAddress))
                .setDhtPort(dhtPort())
                .setHttpPort(httpUrl == null ? 0 : HostPort.parse(httpUrl.substring("http://".length())).port())
                .setSoftwareVersion(NodeConfig.SOFTWARE_VERSION);
        if (httpUrl != null) {
            MutableItem signed = ownRecord.signed();
            info.setRecordValue(ByteString.copyFrom(signed.value().encode()))
                    .setRecordSeq(signed.seq())
                    .setRecordSignature(ByteString.copyFrom(signed.signature()));
        }
        return info.build();
    }

    private Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("peer_id", key.peerId().hex());
        m.put("roles", roleLabels());
        m.put("rpc_address", String.valueOf(rpcAddress));
        m.put("dht_port", dhtPort());
        m.put("http_url", httpUrl);
        m.put("software_version", NodeConfig.SOFTWARE_VERSION);
        return m;
    }

    private Map<String, Object> dhtSummary() {
        var m = context.dht().metrics();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("node_id", context.dht().id().hex());
        d.put("port", dhtPort());
        d.put("routing_table_size", m.routingTableSize());
        d.put("queries_received", m.queriesReceived());
        d.put("dropped_rate_limited", m.droppedRateLimited());
        d.put("dropped_malformed", m.droppedMalformed());
        return d;
    }

    public PeerId peerId() {
        return key.peerId();
    }

    /** The UDP port the DHT actually bound. */
    public int dhtPort() {
        return context.dht().localAddress().getPort();
    }

    public HostPort rpcAddress() {
        return rpcAddress;
    }

    public String httpUrl() {
        return httpUrl;
    }

    public NodeContext context() {
        return context;
    }

    /** Blocks until the node has stopped (by {@link #close()}, a signal, or the admin stop endpoint). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        log.info("node stopping peer={}", key.peerId().shortId());
        while (!running.isEmpty()) {
            try {
                running.pop().close();
            } catch (Exception e) {
                log.warn("error while stopping: {}", e.toString());
            }
        }
        log.info("node stopped peer={}", key.peerId().shortId());
        stopped.countDown();
    }
}
