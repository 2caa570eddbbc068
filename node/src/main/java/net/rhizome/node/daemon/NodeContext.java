package net.rhizome.node.daemon;

import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import net.rhizome.core.bencode.BValue;
import net.rhizome.net.record.NodeRecord;
import net.rhizome.net.record.NodeRecordCodec;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.net.dht.DhtNode;
import net.rhizome.net.peers.PeerBook;
import net.rhizome.net.peers.OwnRecord;
import net.rhizome.net.peers.PeerConnections;
import net.rhizome.net.record.NodeRecords;
import net.rhizome.net.transport.NodeTransport;

/** What the daemon hands every {@link NodeFeature}: identity, configuration, networking and metrics. */
public final class NodeContext {
    private final NodeConfig config;
    private final KeyPair key;
    private final NodeTransport transport;
    private final PeerBook peers;
    private final PeerConnections connections;
    private final MeterRegistry metrics;
    private final AdminToken adminToken;
    private final DhtNode dht;
    private final Map<String, Supplier<BValue>> recordExtensions = new ConcurrentHashMap<>();
    private volatile OwnRecord ownRecord;

    NodeContext(NodeConfig config, KeyPair key, NodeTransport transport, PeerBook peers, PeerConnections connections,
            MeterRegistry metrics, AdminToken adminToken, DhtNode dht) {
        this.config = config;
        this.key = key;
        this.transport = transport;
        this.peers = peers;
        this.connections = connections;
        this.metrics = metrics;
        this.adminToken = adminToken;
        this.dht = dht;
    }

    /** This node's own current record; empty until the node listens (after every feature started). */
    public Optional<NodeRecord> ownRecord() {
        OwnRecord r = ownRecord;
        return r == null ? Optional.empty() : Optional.of(r.record());
    }

    void listening(OwnRecord record) {
        ownRecord = record;
    }

    /** The Mainline-compatible DHT node (announce/get_peers for model info-hashes, BEP 44 items). */
    public DhtNode dht() {
        return dht;
    }

    /** Signed node records of any peer, looked up through the DHT. */
    public NodeRecords records() {
        return new NodeRecords(dht);
    }

    public NodeConfig config() {
        return config;
    }

    /** The data directory; each feature keeps its files in a sub-directory named after it. */
    public Path dataDir() {
        return config.dataDir();
    }

    public KeyPair key() {
        return key;
    }

    /** Outgoing authenticated connections ({@code transport().connect(peerId, address)}). */
    public NodeTransport transport() {
        return transport;
    }

    /** The verified Rhizome peers this node knows. */
    public PeerBook peers() {
        return peers;
    }

    /** Cached channels to peers in the book: {@code connections().channel(peerId)}. */
    public PeerConnections connections() {
        return connections;
    }

    public MeterRegistry metrics() {
        return metrics;
    }

    /**
     * Sets an extension field of this node's signed record (price, capacity, …); keys must not be
     * the record's own ({@code a h r m s}). The whole record must stay within BEP 44's 1000 bytes.
     */
    public void advertiseExtension(String key, Supplier<BValue> value) {
        if (NodeRecordCodec.RESERVED_KEYS.contains(key)) {
            throw new IllegalArgumentException("node record key '" + key + "' is reserved");
        }
        recordExtensions.put(key, value);
    }

    /** The record content with the extension fields features advertise. */
    NodeRecord withExtensions(NodeRecord base) {
        TreeMap<String, BValue> extensions = new TreeMap<>(base.extensions());
        recordExtensions.forEach((k, v) -> extensions.put(k, v.get()));
        return new NodeRecord(base.peerId(), base.rpcAddress(), base.httpUrl(), base.roles(), base.models(),
                base.software(), base.seq(), extensions);
    }

    /**
     * Wraps a handler so it runs only for requests carrying the node's admin token as
     * {@code Authorization: Bearer <token>}; others get 401 with a JSON error.
     */
    public Handler adminOnly(Handler handler) {
        return ctx -> {
            String header = ctx.header("Authorization");
            String presented = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
            if (!adminToken.matches(presented)) {
                ctx.status(HttpStatus.UNAUTHORIZED).json(Map.of("error",
                        "admin token required: send 'Authorization: Bearer <token>' with the token from "
                                + config.adminTokenFile()));
                return;
            }
            handler.handle(ctx);
        };
    }
}
