package net.rhizome.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeLocator;
import net.rhizome.node.daemon.Role;
import net.rhizome.node.devnet.Devnet;
import net.rhizome.node.devnet.DevnetManifest;
import net.rhizome.node.devnet.DevnetSpec;
import net.rhizome.node.gateway.ChatClient;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rhizome demo}: a local network doing real work. Brings up a devnet (node 1: ledger host,
 * seeder and gateway; the others: workers that fetch the model through the swarm and serve it),
 * sends a few streamed chat requests through node 1's OpenAI API, prints the answers, who served
 * them and the balances, and leaves the network running.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a local network, chat through it, show who served and who was paid; leaves it running.")
public final class DemoCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> PROMPTS = List.of("Once upon a time", "The little robot said", "Tell me about the sea");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "4", description = "Nodes in the devnet, 2..16 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--model", paramLabel = "PATH", description = "A GGUF model to serve (default: a synthetic model generated now).")
    Path model;

    @Option(names = "--dir", paramLabel = "DIR", description = "Devnet directory. Default: ~/.rhizome/devnet")
    Path dir = NodeLocator.DEFAULT_DEVNET_DIR;

    @Option(names = "--max-tokens", defaultValue = "48", description = "Tokens per answer (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Override
    public Integer call() throws Exception {
        if (nodes < 2 || nodes > 16) {
            throw new CliException("--nodes must be 2..16, got " + nodes, 2);
        }
        PrintWriter out = spec.commandLine().getOut();
        Path file = model != null ? model.toAbsolutePath() : synthetic(out);
        if (!Files.isRegularFile(file)) {
            throw new CliException("no model file at " + file, 2);
        }
        String id = TorrentBuilder.create(file, false).metainfo().info().id();
        out.printf("model %s (%s)%n", id, file.getFileName());

        List<Set<Role>> roles = new ArrayList<>();
        List<List<String>> args = new ArrayList<>();
        roles.add(EnumSet.of(Role.GATEWAY, Role.SEEDER));
        args.add(List.of());
        for (int i = 2; i <= nodes; i++) {
            roles.add(EnumSet.of(Role.GATEWAY, Role.WORKER));
            args.add(List.of("--serve", id, "--price", "1"));
        }
        DevnetManifest manifest = Devnet.up(new DevnetSpec(dir, roles, args, Duration.ofSeconds(30), Duration.ofSeconds(1),
                Duration.ofSeconds(120)), out);

        NodeClient seeder = client(1);
        seeder.post("/api/models", Map.of("path", file.toString()));
        out.println("node 1 seeds the model; workers fetch it through the swarm …");
        out.flush();
        for (int i = 2; i <= nodes; i++) {
            client(i).post("/api/models/fetch", Map.of("uri", id, "peers", List.of()));
        }
        String gateway = manifest.node(1).httpUrl() + "/v1";
        Map<Integer, String> keys = new LinkedHashMap<>();
        for (int i = 1; i <= nodes; i++) {
            keys.put(i, client(i).post("/api/admin/gateway/keys?label=demo", Map.of()).path("key").asText());
        }
        Path keyFile = dir.resolve("api-keys.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(keyFile.toFile(), keys);
        awaitWorkers(seeder, id, nodes - 1, out);

        ChatClient chat = new ChatClient(URI.create(gateway), keys.get(1));
        Map<String, Integer> byWorker = new LinkedHashMap<>();
        for (String prompt : PROMPTS) {
            out.printf("%n> %s%n", prompt);
            out.flush();
            ChatClient.Reply reply = chat.chat(id, List.of(new ChatClient.Message("user", prompt)), maxTokens, 0.8, prompt.length(), delta -> {
                out.print(delta);
                out.flush();
            });
            out.println();
            for (ChatClient.Served s : reply.servedBy()) {
                out.printf("  served by %s: %d tokens, paid %d units%n", s.worker().substring(0, 8), s.tokens(), s.paid());
                byWorker.merge(s.worker().substring(0, 8), s.tokens(), Integer::sum);
            }
            out.printf("  first token after %.0f ms, %d tokens in %.0f ms%n", reply.firstTokenNanos() / 1e6, reply.completionTokens(),
                    reply.totalNanos() / 1e6);
        }

        out.printf("%nbalances in base units (1 credit = 1 000 000); workers settle their vouchers on the ledger every 30 s:%n");
        for (DevnetManifest.Node n : manifest.nodes()) {
            JsonNode a = seeder.get("/api/ledger/accounts/" + n.peerId());
            String vouched = n.index() == 1 ? "" : ", vouched to it " + client(n.index()).get("/api/worker").path("vouched").asLong();
            out.printf("  node %d %s %-16s credits %d%s, staked RHZ %d%n", n.index(), n.peerId().substring(0, 8),
                    String.join(",", n.roles()), a.path("credits").asLong(), vouched, a.path("staked").asLong());
        }
        out.printf("%nthe network keeps running:%n");
        out.printf("  dashboard / API:  %s  (OpenAI API at %s)%n", manifest.node(1).httpUrl(), gateway);
        out.printf("  API keys:         %s  (node K's key pays from node K's wallet)%n", keyFile);
        out.printf("  chat:             ./rhizome chat --gateway %s --api-key %s%n", gateway, keys.get(1));
        out.printf("  status / stop:    ./rhizome devnet status   |   ./rhizome devnet down%n");
        out.flush();
        return 0;
    }

    private NodeClient client(int index) {
        return new NodeClient(NodeLocator.resolve("devnet:" + index, dir, NodeLocator.DEFAULT_DATA_DIR), Duration.ofSeconds(60));
    }

    private Path synthetic(PrintWriter out) throws IOException {
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
    private static void awaitWorkers(NodeClient gateway, String id, int workers, PrintWriter out) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
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
            Thread.sleep(1000);
        }
        if (seen < 1) {
            throw new CliException("no worker began serving the model within 3 minutes; see the node logs under the devnet directory");
        }
    }
}
