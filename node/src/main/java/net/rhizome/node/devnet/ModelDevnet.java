package net.rhizome.node.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeLocator;
import net.rhizome.node.daemon.Role;
import net.rhizome.swarm.metainfo.TorrentBuilder;

/**
 * A devnet that serves one model: node 1 hosts the ledger, seeds the model and runs a gateway;
 * nodes 2..N fetch the model through the swarm and serve it as workers (and run gateways too).
 * Every node gets a gateway API key paying from a wallet of its own that the faucet (node 1) funds with
 * {@link #CREDITS_PER_KEY}, recorded as {@code api_key} in {@code devnet.json}. Returns once every worker is offered by node 1's gateway.
 */
public final class ModelDevnet {
    public static final int MIN_NODES = 2;
    private static final Duration WORKERS_TIMEOUT = Duration.ofMinutes(3);
    private static final String WORKER_PRICE = "1";
    /** What the faucet gives each recorded key's own wallet (base units). */
    public static final long CREDITS_PER_KEY = 1_000_000_000L;

    private ModelDevnet() {}

    /** The devnet's model and its id (the v2 info-hash). */
    public record Served(DevnetManifest manifest, String modelId, Path modelFile) {}

    public static Served up(Path dir, int nodes, Path model, Duration peerTimeout, Duration timeout, PrintWriter out) throws IOException {
        if (nodes < MIN_NODES || nodes > DevnetSpec.MAX_NODES) {
            throw new IllegalArgumentException("a devnet serving a model needs " + MIN_NODES + ".." + DevnetSpec.MAX_NODES + " nodes, got " + nodes);
        }
        Path file = model != null ? model.toAbsolutePath() : syntheticModel(dir, out);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no model file at " + file);
        }
        String id = TorrentBuilder.create(file, false).metainfo().info().id();
        out.printf("model %s (%s)%n", id, file.getFileName());

        List<Set<Role>> roles = new ArrayList<>();
        List<List<String>> args = new ArrayList<>();
        roles.add(EnumSet.of(Role.GATEWAY, Role.SEEDER));
        args.add(List.of());
        for (int i = 2; i <= nodes; i++) {
            roles.add(EnumSet.of(Role.GATEWAY, Role.WORKER));
            args.add(List.of("--serve", id, "--price", WORKER_PRICE));
        }
        DevnetManifest manifest = Devnet.up(new DevnetSpec(dir, roles, args, peerTimeout, Duration.ofSeconds(1), timeout), out);

        NodeClient seeder = client(dir, 1);
        seeder.post("/api/models", Map.of("path", file.toString()));
        out.println("node 1 seeds the model; workers fetch it through the swarm …");
        out.flush();
        for (int i = 2; i <= nodes; i++) {
            client(dir, i).post("/api/models/fetch", Map.of("uri", id, "peers", List.of()));
        }
        List<DevnetManifest.Node> withKeys = new ArrayList<>();
        for (DevnetManifest.Node n : manifest.nodes()) {
            JsonNode key = client(dir, n.index()).post("/api/admin/gateway/keys?label=devnet&wallet=new", Map.of());
            JsonNode minted = seeder.post("/api/ledger/faucet", Map.of("to", key.path("wallet").asText(), "amount", CREDITS_PER_KEY));
            if (!minted.path("accepted").asBoolean()) {
                throw new IOException("the faucet could not fund node " + n.index() + "'s API key wallet: " + minted.path("error").asText());
            }
            withKeys.add(n.withApiKey(key.path("key").asText()));
        }
        manifest = new DevnetManifest(manifest.createdAt(), withKeys);
        manifest.write(dir);
        awaitWorkers(seeder, id, nodes - 1, out);
        return new Served(manifest, id, file);
    }

    private static NodeClient client(Path dir, int index) {
        return new NodeClient(NodeLocator.resolve("devnet:" + index, dir, NodeLocator.DEFAULT_DATA_DIR), Duration.ofSeconds(60));
    }

    private static Path syntheticModel(Path dir, PrintWriter out) throws IOException {
        Path file = dir.resolve("models").resolve("synthetic-tiny.gguf");
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            out.println("generating a synthetic model (tiny shape, random weights: its answers are noise; --model PATH serves a real GGUF) …");
            out.flush();
            SyntheticModels.write(ModelShape.TINY, GgmlType.Q8_0, 42, file);
        }
        return file;
    }

    /** Waits until the gateway offers the model with {@code workers} workers (fetch, load, stake, register, advertise). */
    private static void awaitWorkers(NodeClient gateway, String id, int workers, PrintWriter out) throws IOException {
        long deadline = System.nanoTime() + WORKERS_TIMEOUT.toNanos();
        int seen = -1;
        while (System.nanoTime() < deadline) {
            int now = 0;
            for (JsonNode m : gateway.get("/v1/models").path("data")) {
                if (m.path("id").asText().equals(id)) {
                    now = m.path("workers").asInt();
                }
            }
            if (now != seen) {
                out.printf("workers serving the model: %d of %d%n", now, workers);
                out.flush();
                seen = now;
            }
            if (now >= workers) {
                return;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for workers", e);
            }
        }
        if (seen < 1) {
            throw new IOException("no worker began serving the model within " + WORKERS_TIMEOUT.toMinutes()
                    + " minutes; see the node logs under the devnet directory");
        }
        out.printf("only %d of %d workers serve the model; continuing with those%n", seen, workers);
    }
}
