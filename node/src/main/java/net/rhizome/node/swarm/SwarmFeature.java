package net.rhizome.node.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.rhizome.core.bencode.BValue;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeContext;
import net.rhizome.node.daemon.NodeFeature;
import net.rhizome.node.http.HttpApi;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.PeerSource;
import net.rhizome.swarm.metainfo.Magnet;
import net.rhizome.swarm.metainfo.MetainfoException;
import net.rhizome.swarm.session.Swarm;
import net.rhizome.swarm.session.SwarmConfig;
import net.rhizome.swarm.session.TorrentSession;
import net.rhizome.swarm.store.ModelInfo;
import net.rhizome.swarm.store.ModelLibrary;
import net.rhizome.swarm.store.ModelStore;

/**
 * Hosts the model swarm in the node: the store at {@code DATA_DIR/models/}, a BitTorrent listener (its port
 * advertised in the node record), DHT announce/lookup of model info-hashes, and the {@code /api/models} routes
 * used by {@code ./rhizome model …}.
 */
public final class SwarmFeature implements NodeFeature {
    /** Environment variable fixing the swarm's TCP port (default: any free port). */
    public static final String PORT_ENV = "RHIZOME_SWARM_PORT";
    /** Environment variables capping upload and download in bytes per second (default: unlimited). */
    public static final String UPLOAD_RATE_ENV = "RHIZOME_SWARM_UPLOAD_RATE";
    public static final String DOWNLOAD_RATE_ENV = "RHIZOME_SWARM_DOWNLOAD_RATE";
    /** Node record extension: the swarm's TCP port, on the host of the record's RPC address. */
    public static final String PORT_KEY = "bt";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodeConfig config;
    private NodeContext ctx;
    private Swarm swarm;
    private ModelLibrary library;

    public SwarmFeature(NodeConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "swarm";
    }

    /** The node's model store; the inference engine resolves model ids through it. */
    public static ModelStore store(Path dataDir) {
        return new ModelStore(dataDir.resolve("models"));
    }

    /** The models of the store in the swarm (null before {@link #start}). */
    public ModelLibrary library() {
        return library;
    }

    @Override
    public void start(NodeContext context) throws Exception {
        this.ctx = context;
        int port = (int) envNumber(PORT_ENV, 65535);
        List<PeerSource> sources = new ArrayList<>();
        if (context.dht() != null) {
            sources.add(new DhtPeerSource(context.dht()));
        }
        SwarmConfig sc = SwarmConfig.defaults().withPort(config.listen().host(), port)
                .withRates(envNumber(UPLOAD_RATE_ENV, Long.MAX_VALUE), envNumber(DOWNLOAD_RATE_ENV, Long.MAX_VALUE));
        swarm = new Swarm(sc, sources).start();
        context.advertiseExtension(PORT_KEY, () -> BValue.integer(swarm.port()));
        library = new ModelLibrary(store(config.dataDir()), swarm);
        library.resumeAll();
    }

    private static long envNumber(String name, long max) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0 || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number between 0 and " + max + ", got '" + v + "'");
        }
    }

    private PeerAddress self() {
        return new PeerAddress(config.advertise().host(), swarm.port());
    }

    @Override
    public void routes(Javalin app) {
        app.get("/api/models", c -> {
            List<Map<String, Object>> models = new ArrayList<>();
            for (ModelInfo m : library.list()) {
                models.add(json(m));
            }
            c.json(Map.of("models", models, "swarm", Map.of("port", swarm.port(), "peer", self().toString())));
        });
        app.get("/api/models/{id}", c -> model(c, c.pathParam("id")));
        app.post("/api/models", ctx.adminOnly(c -> {
            String path = body(c).path("path").asText("");
            if (path.isBlank()) {
                throw new IllegalArgumentException("body must be {\"path\": \"FILE or DIRECTORY\"}");
            }
            TorrentSession s;
            try {
                s = library.add(Path.of(path));
            } catch (IOException | MetainfoException e) {
                HttpApi.error(c, HttpStatus.BAD_REQUEST, e.getMessage());
                return;
            }
            model(c, s.id());
        }));
        app.post("/api/models/fetch", ctx.adminOnly(c -> {
            JsonNode body = body(c);
            String uri = body.path("uri").asText("");
            List<PeerAddress> peers = new ArrayList<>();
            for (JsonNode p : body.path("peers")) {
                peers.add(PeerAddress.parse(p.asText()));
            }
            TorrentSession s;
            try {
                s = library.fetch(uri, peers);
            } catch (MetainfoException e) {
                HttpApi.error(c, HttpStatus.BAD_REQUEST, e.getMessage());
                return;
            }
            model(c, s.id());
        }));
        app.post("/api/models/{id}/remove", ctx.adminOnly(c -> {
            String id = ModelStore.checkId(c.pathParam("id"));
            try {
                library.remove(id);
            } catch (IOException e) {
                HttpApi.error(c, HttpStatus.NOT_FOUND, e.getMessage());
                return;
            }
            c.json(Map.of("removed", id));
        }));
    }

    private void model(Context c, String id) throws IOException {
        ModelStore.checkId(id);
        try {
            c.json(json(library.info(id)));
        } catch (IOException e) {
            HttpApi.error(c, HttpStatus.NOT_FOUND, e.getMessage());
        }
    }

    private Map<String, Object> json(ModelInfo m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", m.id());
        j.put("name", m.name());
        j.put("size", m.size());
        j.put("state", m.state());
        j.put("progress", m.progress());
        j.put("peers", m.peers());
        j.put("downloaded", m.downloaded());
        j.put("uploaded", m.uploaded());
        j.put("ratio", m.ratio());
        j.put("download_rate", m.downloadRate());
        j.put("upload_rate", m.uploadRate());
        j.put("magnet", m.magnet() == null ? null : Magnet.parse(m.magnet()).withPeers(List.of(self())).toString());
        j.put("error", m.error());
        if (m.state().equals("seeding")) {
            try {
                j.put("path", library.store().resolve(m.id()).toString());
            } catch (IOException e) {
                j.put("path", null);
            }
        }
        return j;
    }

    private static JsonNode body(Context c) {
        try {
            return JSON.readTree(c.body());
        } catch (IOException e) {
            throw new IllegalArgumentException("request body is not JSON: " + e.getMessage());
        }
    }

    @Override
    public void stop() {
        if (swarm != null) {
            swarm.close();
        }
    }
}
