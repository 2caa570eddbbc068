package net.rhizome.node.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.dht.DhtNode;
import net.rhizome.net.record.NodeRecord;
import net.rhizome.net.record.NodeRecords;
import net.rhizome.net.peers.Peer;
import net.rhizome.net.peers.PeerBook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's built-in HTTP endpoints: {@code GET /} (the browser dashboard), {@code GET /health}, {@code GET /metrics} (Prometheus text),
 * {@code GET /api/node}, {@code GET /api/peers} (verified peers plus a DHT summary), and the admin-only {@code POST /api/admin/stop}.
 * Errors are JSON objects {@code {"error": "…"}}.
 */
public final class HttpApi {
    /** Request bodies above this are refused before a handler sees them. */
    public static final long MAX_REQUEST_BYTES = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    /** The browser dashboard: one static page that polls this node's public JSON endpoints. */
    private static final String DASHBOARD = loadDashboard();

    private HttpApi() {}

    /** A Javalin app with limits and JSON error handling, not yet started. */
    public static Javalin create() {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.useVirtualThreads = true;
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
        });
        app.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            log.warn("http handler failed path={} error=\"{}\"", ctx.path(), e.toString());
            error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, "internal error: " + e.getClass().getSimpleName());
        });
        app.error(HttpStatus.NOT_FOUND, ctx -> {
            String type = ctx.res().getContentType();
            if (type == null || !type.startsWith("application/json")) {
                ctx.json(Map.of("error", "no such endpoint: " + ctx.method() + " " + ctx.path()));
            }
        });
        return app;
    }

    private static String loadDashboard() {
        try (var in = HttpApi.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.html is missing from the node jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void error(Context ctx, HttpStatus status, String message) {
        ctx.status(status).json(Map.of("error", message == null ? status.getMessage() : message));
    }

    /** Registers the built-in endpoints. {@code node} describes this node (for /health and /api/node). */
    public static void routes(Javalin app, Supplier<Map<String, Object>> node, PeerBook peers, Supplier<Map<String, Object>> dht,
            PrometheusMeterRegistry metrics, io.javalin.http.Handler adminStop) {
        app.get("/health", ctx -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "ok");
            body.put("peer_id", peers.self().hex());
            body.put("peers", peers.size());
            ctx.json(body);
        });
        app.get("/", ctx -> ctx.html(DASHBOARD));
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        app.get("/api/node", ctx -> ctx.json(node.get()));
        app.get("/api/peers", ctx -> ctx.json(Map.of("self", peers.self().hex(), "peers", peersJson(peers.snapshot()),
                "dht", dht.get())));
        app.post("/api/admin/stop", adminStop);
    }

    /** {@code GET /api/dht} (routing table and counters) and {@code GET /api/records/{peer}} (signed record lookup). */
    public static void dhtRoutes(Javalin app, DhtNode dht, NodeRecords records) {
        app.get("/api/dht", ctx -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("node_id", dht.id().hex());
            body.put("port", dht.localAddress().getPort());
            body.put("metrics", dht.metrics());
            body.put("routing_table", dht.routingTableSnapshot().stream()
                    .map(n -> Map.of("id", n.id().hex(), "address", n.address().getAddress().getHostAddress() + ":" + n.address().getPort()))
                    .toList());
            ctx.json(body);
        });
        app.get("/api/records/{peer}", ctx -> {
            PeerId peer = PeerId.parse(ctx.pathParam("peer"));
            Optional<NodeRecord> found = records.lookup(peer).get(10, TimeUnit.SECONDS);
            if (found.isEmpty()) {
                error(ctx, HttpStatus.NOT_FOUND, "no node record of " + peer.shortId() + " found in the DHT");
                return;
            }
            NodeRecord r = found.get();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("peer_id", r.peerId().hex());
            body.put("seq", r.seq());
            body.put("rpc_address", r.rpcAddress());
            body.put("http_url", r.httpUrl());
            body.put("roles", List.copyOf(r.roles()));
            body.put("models", r.models());
            body.put("software_version", r.software());
            body.put("signature_verified", true);
            ctx.json(body);
        });
    }

    static List<Map<String, Object>> peersJson(List<Peer> peers) {
        return peers.stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("peer_id", p.id().hex());
            m.put("rpc_address", p.rpcAddress().toString());
            m.put("http_url", p.details().httpUrl());
            m.put("roles", p.details().roles().stream().sorted().toList());
            m.put("models", p.details().models());
            m.put("software_version", p.details().softwareVersion());
            m.put("record_verified", p.details().recordVerified());
            m.put("score", p.score());
            m.put("failures", p.failures());
            m.put("first_seen", p.firstSeen().toString());
            m.put("last_seen", p.lastSeen().toString());
            m.put("last_problem", p.lastProblem());
            return m;
        }).toList();
    }
}
