package net.rhizome.node.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.net.transport.HostPort;
import net.rhizome.node.cli.Main;
import net.rhizome.node.daemon.AdminToken;
import net.rhizome.node.daemon.NodeAssembly;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeDaemon;
import net.rhizome.node.daemon.Role;
import net.rhizome.node.ledger.LedgerSettings;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Three real node daemons (in one JVM): node 1 hosts the ledger, seeds the model and is the gateway;
 * nodes 2 and 3 are workers started with --serve before they hold the model; once the model is in their
 * stores they stake, register and advertise it, and the OpenAI client gets streamed answers through node 1.
 */
class WorkerGatewayNodesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final List<NodeDaemon> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.reversed().forEach(NodeDaemon::close);
    }

    static NodeConfig config(Path dataDir, Set<Role> roles, List<HostPort> bootstrap) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return new NodeConfig(dataDir, any, any, 0, "127.0.0.1", 0, bootstrap, roles, Duration.ofSeconds(30), Duration.ofMillis(500));
    }

    @Test
    void workersServeThroughTheGatewayOfAnotherNode() throws Exception {
        String models = System.getenv("RHIZOME_TEST_MODELS");
        assumeTrue(models != null && !models.isBlank(), "RHIZOME_TEST_MODELS is not set: no stories260K.gguf");
        Path model = Path.of(models, "stories260K.gguf");
        assumeTrue(Files.exists(model), model + " is missing");
        String modelId = TorrentBuilder.create(model, false).metainfo().info().id();

        Path[] dirs = {dir.resolve("n1"), dir.resolve("n2"), dir.resolve("n3")};
        List<GenesisConfig.Allocation> allocations = new ArrayList<>();
        for (Path d : dirs) {
            allocations.add(new GenesisConfig.Allocation(KeyPair.loadOrCreate(d.resolve(NodeConfig.KEY_FILE)).peerId(),
                    1_000_000_000L, 1_000_000_000L));
        }
        KeyPair faucet = KeyPair.generate();
        LedgerSettings.writeHost(dirs[0], GenesisConfig.devnet("nodes-test", 0, faucet.peerId(), allocations));
        NodeConfig c1 = config(dirs[0], Set.of(Role.GATEWAY), List.of());
        NodeDaemon n1 = NodeDaemon.start(c1, NodeAssembly.features(c1));
        nodes.add(n1);
        HostPort dht = new HostPort("127.0.0.1", n1.dhtPort());
        for (int i = 1; i < 3; i++) {
            LedgerSettings.writeRemote(dirs[i], n1.peerId(), n1.rpcAddress());
            new WorkerSettings(List.of(modelId), 1000, 2).write(dirs[i]);
            NodeConfig c = config(dirs[i], Set.of(Role.WORKER), List.of(dht));
            NodeDaemon n = NodeDaemon.start(c, NodeAssembly.features(c));
            nodes.add(n);
            admin(n, dirs[i], "POST", "/api/models", "{\"path\":\"" + model + "\"}");
        }
        // node 1 seeds the model too: the gateway tokenises with the model's own tokenizer and template
        admin(n1, dirs[0], "POST", "/api/models", "{\"path\":\"" + model + "\"}");
        String key = JSON.readTree(cli("wallet", "keys", "create", "--label", "test", "--wallet", "node", "--json", "--data-dir", dirs[0].toString()))
                .path("key").asText();
        assertThat(cli("wallet", "keys", "list", "--data-dir", dirs[0].toString())).contains("test").contains(key.substring(4, 16));

        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(n1.httpUrl() + "/v1").maxRetries(0).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (client.models().list().data().stream().noneMatch(m -> m.id().equals(modelId))) {
            assertThat(System.nanoTime()).as("the model appears in /v1/models").isLessThan(deadline);
            Thread.sleep(500);
        }
        Set<String> workers = Set.of(nodes.get(1).peerId().hex(), nodes.get(2).peerId().hex());
        for (int i = 0; i < 5; i++) {
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(modelId)
                    .addUserMessage("Once upon a time " + i).maxCompletionTokens(20).temperature(0.5).seed(i).build();
            try (var stream = client.chat().completions().createStreaming(params)) {
                String text = stream.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse(""))
                        .collect(Collectors.joining());
                assertThat(text).isNotEmpty();
            }
        }
        JsonNode whole = JSON.readTree(post(n1.httpUrl() + "/v1/completions", key,
                "{\"model\":\"" + modelId + "\",\"prompt\":\"The cat\",\"max_tokens\":12}"));
        assertThat(workers).contains(whole.path("rhizome").path("served_by").get(0).path("worker").asText());

        assertWorkerNodeGatewayRoutesToItself(dirs[1], modelId);

        JsonNode served = JSON.readTree(admin(nodes.get(1), dirs[1], "GET", "/api/worker", ""));
        JsonNode served2 = JSON.readTree(admin(nodes.get(2), dirs[2], "GET", "/api/worker", ""));
        assertThat(Math.max(served.path("tokens_per_second").asLong(), served2.path("tokens_per_second").asLong()))
                .as("a worker that served measured its speed").isPositive();
        assertThat(WorkerFeature.oneSignificantDigit(1375)).isEqualTo(1000);
        assertThat(WorkerFeature.oneSignificantDigit(87)).isEqualTo(80);
        assertThat(WorkerFeature.oneSignificantDigit(0)).isZero();

        cli("wallet", "keys", "revoke", key.substring(4, 16), "--data-dir", dirs[0].toString());
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder().model(modelId)
                .addUserMessage("x").maxCompletionTokens(2).build())).isInstanceOf(UnauthorizedException.class).hasMessageContaining("revoked");
    }

    /**
     * Node 2 is a worker and, like every node, a gateway: its own /v1/models counts both workers, itself
     * included, and a job the rule assigns to it goes to the worker in its own process.
     */
    private void assertWorkerNodeGatewayRoutesToItself(Path dataDir, String modelId) throws Exception {
        NodeDaemon self = nodes.get(1);
        JsonNode created = JSON.readTree(cli("wallet", "keys", "create", "--label", "own", "--json", "--data-dir", dataDir.toString()));
        cli("wallet", "transfer", "--to", created.path("wallet").asText(), "--amount", "50000000", "--data-dir", dataDir.toString());
        String key = created.path("key").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode offer = modelOffer(self.httpUrl(), key, modelId);
            if (offer != null && offer.path("workers").asInt() == 2) {
                break;
            }
            assertThat(System.nanoTime()).as("node 2's gateway lists the model with both workers: " + offer).isLessThan(deadline);
            Thread.sleep(500);
        }
        // the rendezvous rule gives each job to either worker; with equal stakes 20 jobs all missing node 2 has odds 2^-20
        boolean servedBySelf = false;
        for (int i = 0; i < 20 && !servedBySelf; i++) {
            JsonNode whole = JSON.readTree(post(self.httpUrl() + "/v1/completions", key,
                    "{\"model\":\"" + modelId + "\",\"prompt\":\"The dog " + i + "\",\"max_tokens\":4}"));
            servedBySelf = whole.path("rhizome").path("served_by").get(0).path("worker").asText().equals(self.peerId().hex());
        }
        assertThat(servedBySelf).as("a job routed to node 2 by its own gateway is served by its own worker").isTrue();
    }

    private static JsonNode modelOffer(String httpUrl, String key, String modelId) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(httpUrl + "/v1/models")).header("Authorization", "Bearer " + key)
                    .build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode m : JSON.readTree(r.body()).path("data")) {
                if (m.path("id").asText().equals(modelId)) {
                    return m;
                }
            }
            return null;
        }
    }

    static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute(args)).as(String.join(" ", args) + ": " + err).isZero();
        return out.toString();
    }

    static String admin(NodeDaemon node, Path dataDir, String method, String path, String body) throws Exception {
        String token = AdminToken.load(dataDir.resolve(AdminToken.FILE_NAME)).value();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.httpUrl() + path))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            return r.body();
        }
    }

    static String post(String url, String key, String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return r.body();
        }
    }
}
