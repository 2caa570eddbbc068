package net.rhizome.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import net.rhizome.node.cli.model.ModelUrlArgument;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeLocator;
import net.rhizome.node.devnet.DevnetManifest;
import net.rhizome.node.devnet.ModelDevnet;
import net.rhizome.node.gateway.ChatClient;
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
    static final List<String> PROMPTS = List.of("Once upon a time", "The little robot said", "Tell me about the sea");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "4", description = "Nodes in the devnet, 2..16 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--model", paramLabel = "PATH|URL",
            description = "A GGUF model to serve: a file or an http(s) URL, downloaded once (default: a synthetic model generated now).")
    String model;

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
        ModelDevnet.Served served;
        try {
            Path file = model == null ? null : ModelUrlArgument.localFile(model, NodeLocator.DEFAULT_DATA_DIR, spec.commandLine().getErr());
            served = ModelDevnet.up(dir, nodes, file, Duration.ofSeconds(30), Duration.ofSeconds(120), out);
        } catch (IOException e) {
            throw new CliException(e.getMessage());
        }
        DevnetManifest manifest = served.manifest();
        String id = served.modelId();
        NodeClient seeder = client(1);
        String gateway = manifest.node(1).httpUrl() + "/v1";

        ChatClient chat = new ChatClient(URI.create(gateway), manifest.node(1).apiKey());
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
        String keyId = manifest.node(1).apiKey().substring("rhz-".length(), "rhz-".length() + 12);
        for (JsonNode k : seeder.get("/api/admin/gateway/keys")) {
            if (k.path("id").asText().equals(keyId)) {
                out.printf("  node 1's api_key paid from its own wallet %s: credits %d (the faucet gave it %d)%n",
                        k.path("wallet").asText().substring(0, 8), k.path("credits").asLong(), ModelDevnet.CREDITS_PER_KEY);
            }
        }
        out.printf("%nthe network keeps running:%n");
        out.printf("  dashboard / API:  %s  (OpenAI API at %s)%n", manifest.node(1).httpUrl(), gateway);
        out.printf("  API keys:         api_key in %s  (each key pays from its own faucet-funded wallet)%n", DevnetManifest.file(dir));
        out.printf("  chat:             ./rhizome chat --gateway %s --api-key %s%n", gateway, manifest.node(1).apiKey());
        String dirFlag = dir.equals(NodeLocator.DEFAULT_DEVNET_DIR) ? "" : " --dir " + dir;
        out.printf("  status / stop:    ./rhizome devnet status%s   |   ./rhizome devnet down%s%n", dirFlag, dirFlag);
        out.flush();
        return 0;
    }

    private NodeClient client(int index) {
        return new NodeClient(NodeLocator.resolve("devnet:" + index, dir, NodeLocator.DEFAULT_DATA_DIR), Duration.ofSeconds(60));
    }
}
