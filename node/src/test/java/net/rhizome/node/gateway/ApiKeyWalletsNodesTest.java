package net.rhizome.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.net.transport.HostPort;
import net.rhizome.node.cli.CliRun;
import net.rhizome.node.daemon.AdminToken;
import net.rhizome.node.daemon.NodeAssembly;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeDaemon;
import net.rhizome.node.daemon.Role;
import net.rhizome.node.ledger.LedgerSettings;
import net.rhizome.node.worker.WorkerSettings;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real node daemons (node 1: ledger host with the faucet key, gateway; node 2: worker). Two API keys
 * created with wallets of their own are funded by the faucet and charged separately: each key's channel is
 * opened from its own wallet, the other wallet and the node's wallet stay untouched, and an unfunded key is
 * refused with the OpenAI-style insufficient-credits error without anything moving on the ledger.
 */
class ApiKeyWalletsNodesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long NODE_CREDITS = 1_000_000_000L;

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
    void twoKeysWithTheirOwnWalletsAreChargedSeparately() throws Exception {
        Path model = dir.resolve("tiny.gguf");
        SyntheticModels.write(ModelShape.TINY, GgmlType.Q8_0, 11, model);
        String modelId = TorrentBuilder.create(model, false).metainfo().info().id();
        Path d1 = dir.resolve("n1");
        Path d2 = dir.resolve("n2");
        KeyPair k1 = KeyPair.loadOrCreate(d1.resolve(NodeConfig.KEY_FILE));
        KeyPair k2 = KeyPair.loadOrCreate(d2.resolve(NodeConfig.KEY_FILE));
        KeyPair faucet = KeyPair.loadOrCreate(LedgerSettings.dir(d1).resolve(LedgerSettings.FAUCET_KEY_FILE));
        LedgerSettings.writeHost(d1, GenesisConfig.devnet("key-wallets", 0, faucet.peerId(), List.of(
                new GenesisConfig.Allocation(k1.peerId(), NODE_CREDITS, NODE_CREDITS),
                new GenesisConfig.Allocation(k2.peerId(), NODE_CREDITS, NODE_CREDITS))));
        NodeConfig c1 = config(d1, Set.of(Role.GATEWAY), List.of());
        NodeDaemon n1 = NodeDaemon.start(c1, NodeAssembly.features(c1));
        nodes.add(n1);
        LedgerSettings.writeRemote(d2, n1.peerId(), n1.rpcAddress());
        new WorkerSettings(List.of(modelId), 1000, 2).write(d2);
        NodeConfig c2 = config(d2, Set.of(Role.WORKER), List.of(new HostPort("127.0.0.1", n1.dhtPort())));
        NodeDaemon n2 = NodeDaemon.start(c2, NodeAssembly.features(c2));
        nodes.add(n2);
        admin(n2, d2, "POST", "/api/models", "{\"path\":\"" + model + "\"}");
        admin(n1, d1, "POST", "/api/models", "{\"path\":\"" + model + "\"}");

        JsonNode a = JSON.readTree(cli("wallet", "keys", "create", "--label", "alice", "--json", "--data-dir", d1.toString()));
        JsonNode b = JSON.readTree(cli("wallet", "keys", "create", "--new-wallet", "--label", "bob", "--json", "--data-dir", d1.toString()));
        JsonNode c = JSON.readTree(cli("wallet", "keys", "create", "--label", "carol", "--json", "--data-dir", d1.toString()));
        JsonNode shared = JSON.readTree(cli("wallet", "keys", "create", "--wallet", a.path("wallet").asText().substring(0, 12),
                "--json", "--data-dir", d1.toString()));
        String walletA = a.path("wallet").asText();
        String walletB = b.path("wallet").asText();
        assertThat(List.of(walletA, walletB, c.path("wallet").asText())).doesNotHaveDuplicates().doesNotContain(k1.peerId().hex());
        assertThat(shared.path("wallet").asText()).isEqualTo(walletA);
        assertThat(a.path("credits").asLong()).isZero();

        cli("wallet", "faucet", "--to", walletA, "--amount", "50000000", "--data-dir", d1.toString());
        cli("wallet", "faucet", "--to", walletB, "--amount", "80000000", "--data-dir", d1.toString());
        String list = cli("wallet", "keys", "list", "--data-dir", d1.toString());
        assertThat(list).contains(walletA).contains(walletB).contains("50000000").contains("80000000").contains("alice").contains("bob");

        awaitModel(n1, a.path("key").asText(), modelId);
        String worker = n2.peerId().hex();
        JsonNode answerA = complete(n1, a.path("key").asText(), modelId, 200);
        long chargedA = answerA.path("rhizome").path("charged").asLong();
        assertThat(chargedA).isPositive();
        assertOnlyOwnChannel(n1, walletA, 50_000_000, worker);
        assertThat(credits(n1, walletB)).as("bob's wallet is untouched by alice's request").isEqualTo(80_000_000);
        assertThat(channels(n1, walletB)).isEmpty();

        JsonNode answerB = complete(n1, b.path("key").asText(), modelId, 200);
        assertThat(answerB.path("rhizome").path("charged").asLong()).isPositive();
        assertOnlyOwnChannel(n1, walletB, 80_000_000, worker);
        assertOnlyOwnChannel(n1, walletA, 50_000_000, worker);
        JsonNode viaShared = complete(n1, shared.path("key").asText(), modelId, 200);
        assertThat(channels(n1, walletA)).as("a key sharing alice's wallet pays on alice's channel").hasSize(1);
        assertThat(viaShared.path("rhizome").path("charged").asLong()).isPositive();

        JsonNode refused = complete(n1, c.path("key").asText(), modelId, 402);
        assertThat(refused.path("error").path("type").asText()).isEqualTo("insufficient_quota");
        assertThat(refused.path("error").path("code").asText()).isEqualTo("insufficient_credits");
        assertThat(credits(n1, c.path("wallet").asText())).isZero();
        assertThat(channels(n1, c.path("wallet").asText())).isEmpty();

        // enough for the request's price bound but not for a channel deposit: the wallet's failure, not the worker's
        JsonNode dave = JSON.readTree(cli("wallet", "keys", "create", "--label", "dave", "--json", "--data-dir", d1.toString()));
        long small = 4 * chargedA;
        assertThat(small).isLessThan(5_000_000);
        cli("wallet", "faucet", "--to", dave.path("wallet").asText(), "--amount", Long.toString(small), "--data-dir", d1.toString());
        JsonNode unopened = complete(n1, dave.path("key").asText(), modelId, 503);
        assertThat(unopened.path("error").path("message").asText()).contains("no payment channel");
        assertThat(credits(n1, dave.path("wallet").asText())).isEqualTo(small);
        assertThat(complete(n1, a.path("key").asText(), modelId, 200).path("rhizome").path("charged").asLong())
                .as("the worker was not put in cool-down by another key's empty wallet").isPositive();

        assertThat(credits(n1, k1.peerId().hex())).as("the node's own wallet pays for nobody's key").isEqualTo(NODE_CREDITS);
        assertThat(channels(n1, k1.peerId().hex())).isEmpty();
    }

    /** The wallet has exactly one channel, to the worker, paid from it, and its credits plus the deposit are what it was given. */
    private static void assertOnlyOwnChannel(NodeDaemon n, String wallet, long funded, String worker) throws Exception {
        JsonNode chs = channels(n, wallet);
        assertThat(chs).hasSize(1);
        JsonNode ch = chs.get(0);
        assertThat(ch.path("payer").asText()).isEqualTo(wallet);
        assertThat(ch.path("payee").asText()).isEqualTo(worker);
        assertThat(credits(n, wallet) + ch.path("deposit").asLong()).isEqualTo(funded);
    }

    private static long credits(NodeDaemon n, String wallet) throws Exception {
        return JSON.readTree(get(n.httpUrl() + "/api/ledger/accounts/" + wallet)).path("credits").asLong();
    }

    private static JsonNode channels(NodeDaemon n, String wallet) throws Exception {
        return JSON.readTree(get(n.httpUrl() + "/api/ledger/accounts/" + wallet + "/channels"));
    }

    private static void awaitModel(NodeDaemon n, String key, String modelId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            for (JsonNode m : JSON.readTree(send(HttpRequest.newBuilder(URI.create(n.httpUrl() + "/v1/models"))
                    .header("Authorization", "Bearer " + key).GET(), 200)).path("data")) {
                if (m.path("id").asText().equals(modelId) && m.path("workers").asInt() > 0) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("the worker's model appears in /v1/models").isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static JsonNode complete(NodeDaemon n, String key, String modelId, int status) throws Exception {
        return JSON.readTree(send(HttpRequest.newBuilder(URI.create(n.httpUrl() + "/v1/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + modelId + "\",\"prompt\":\"Once\",\"max_tokens\":12,\"seed\":1}")),
                status));
    }

    private static String get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), 200);
    }

    private static String admin(NodeDaemon node, Path dataDir, String method, String path, String body) throws Exception {
        String token = AdminToken.load(dataDir.resolve(AdminToken.FILE_NAME)).value();
        return send(HttpRequest.newBuilder(URI.create(node.httpUrl() + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body)), 200);
    }

    private static String send(HttpRequest.Builder request, int status) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
            return r.body();
        }
    }

    private static String cli(String... args) {
        CliRun r = CliRun.run(args);
        assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isZero();
        return r.out();
    }
}
