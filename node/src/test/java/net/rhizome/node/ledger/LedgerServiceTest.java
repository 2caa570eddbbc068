package net.rhizome.node.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.Asset;
import net.rhizome.ledger.BlockHeader;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.Ledger;
import net.rhizome.ledger.RejectCode;
import net.rhizome.ledger.TxOutcome;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.net.transport.HostPort;
import net.rhizome.node.daemon.AdminToken;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeDaemon;
import net.rhizome.node.daemon.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real nodes on loopback: one hosts the ledger, the other uses it through the node transport. */
class LedgerServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static NodeConfig config(Path dataDir) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return new NodeConfig(dataDir, any, any, 0, "127.0.0.1", 0, List.of(), Set.of(Role.GATEWAY),
                Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    @Test
    void remoteNodeUsesTheHostedLedger() throws Exception {
        Path hostDir = tmp.resolve("host");
        Path remoteDir = tmp.resolve("remote");
        KeyPair hostKey = KeyPair.loadOrCreate(hostDir.resolve(NodeConfig.KEY_FILE));
        KeyPair remoteKey = KeyPair.loadOrCreate(remoteDir.resolve(NodeConfig.KEY_FILE));
        KeyPair faucet = KeyPair.loadOrCreate(LedgerSettings.dir(hostDir).resolve(LedgerSettings.FAUCET_KEY_FILE));
        GenesisConfig devnet = GenesisConfig.devnet("service-test", 0, faucet.peerId(), List.of(
                new GenesisConfig.Allocation(hostKey.peerId(), 10_000_000, 0),
                new GenesisConfig.Allocation(remoteKey.peerId(), 5_000_000, 0)));
        GenesisConfig genesis = new GenesisConfig(devnet.chainName(), 0, devnet.creditIssuer(), devnet.allocations(), devnet.rewardPool(),
                devnet.emission(), devnet.epochBlocks(), 2, 100, devnet.minStakes(), devnet.rewards(), devnet.disputes());
        LedgerSettings.writeHost(hostDir, genesis);

        LedgerFeature hostFeature = new LedgerFeature(config(hostDir));
        try (NodeDaemon host = NodeDaemon.start(config(hostDir), List.of(hostFeature))) {
            LedgerSettings.writeRemote(remoteDir, hostKey.peerId(), host.rpcAddress());
            LedgerFeature remoteFeature = new LedgerFeature(config(remoteDir));
            try (NodeDaemon remote = NodeDaemon.start(config(remoteDir), List.of(remoteFeature))) {
                Ledger ledger = remoteFeature.ledger().orElseThrow();
                assertThat(ledger).isInstanceOf(RemoteLedger.class);
                assertThat(ledger.genesis().hash()).isEqualTo(genesis.hash());

                List<BlockHeader> blocks = new CopyOnWriteArrayList<>();
                AutoCloseable subscription = ledger.subscribe(blocks::add);

                NodeWallet wallet = new NodeWallet(remoteKey, ledger);
                NodeWallet.Sent sent = wallet.send(new Operation.Transfer(hostKey.peerId(), Asset.RHZ, 1234));
                assertThat(sent.outcome()).isInstanceOf(TxOutcome.Accepted.class);
                Ledger hosted = hostFeature.ledger().orElseThrow();
                assertThat(hosted.balance(hostKey.peerId(), Asset.RHZ)).isEqualTo(10_001_234);
                assertThat(ledger.balance(remoteKey.peerId(), Asset.RHZ)).isEqualTo(5_000_000 - 1234);
                assertThat(ledger.history(remoteKey.peerId(), 5)).extracting(r -> r.tx().id()).containsExactly(sent.tx().id());

                NodeWallet.Sent overdraft = wallet.send(new Operation.Transfer(hostKey.peerId(), Asset.CREDITS, 1));
                assertThat(overdraft.outcome()).isInstanceOfSatisfying(TxOutcome.Rejected.class,
                        r -> assertThat(r.rejection().code()).isEqualTo(RejectCode.OVERDRAFT));

                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (blocks.size() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(blocks).hasSizeGreaterThanOrEqualTo(3);
                assertThat(blocks.get(1).previous()).isEqualTo(blocks.get(0).hash());
                subscription.close();

                // HTTP on the remote node: public status, admin-only wallet, faucet only on the host
                HttpClient http = HttpClient.newHttpClient();
                JsonNode status = get(http, remote.httpUrl() + "/api/ledger/status");
                assertThat(status.path("mode").asText()).isEqualTo("remote");
                assertThat(status.path("supply").path("rhz").asLong()).isEqualTo(genesis.rhzSupply());
                String remoteToken = AdminToken.load(config(remoteDir).adminTokenFile()).value();
                String hostToken = AdminToken.load(config(hostDir).adminTokenFile()).value();
                assertThat(post(http, remote.httpUrl() + "/api/ledger/wallet/stake", "{\"amount\":5000}", null).statusCode()).isEqualTo(401);
                HttpResponse<String> staked = post(http, remote.httpUrl() + "/api/ledger/wallet/stake", "{\"amount\":5000}", remoteToken);
                assertThat(JSON.readTree(staked.body()).path("accepted").asBoolean()).as(staked.body()).isTrue();
                assertThat(ledger.account(remoteKey.peerId()).orElseThrow().staked()).isEqualTo(5000);
                HttpResponse<String> bad = post(http, remote.httpUrl() + "/api/ledger/wallet/stake", "{\"amount\":-5}", remoteToken);
                assertThat(bad.statusCode()).isEqualTo(400);
                assertThat(bad.body()).contains("positive integer");

                HttpResponse<String> minted = post(http, host.httpUrl() + "/api/ledger/faucet",
                        "{\"to\":\"" + remoteKey.peerId().hex() + "\",\"amount\":777}", hostToken);
                assertThat(JSON.readTree(minted.body()).path("accepted").asBoolean()).as(minted.body()).isTrue();
                assertThat(get(http, remote.httpUrl() + "/api/ledger/accounts/self").path("credits").asLong()).isEqualTo(777);
                assertThat(post(http, remote.httpUrl() + "/api/ledger/faucet", "{\"to\":\"self\",\"amount\":1}", remoteToken).statusCode())
                        .isEqualTo(404);
            }
        }
    }

    private static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> post(HttpClient http, String url, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
