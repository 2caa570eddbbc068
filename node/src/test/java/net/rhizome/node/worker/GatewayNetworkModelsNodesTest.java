package net.rhizome.node.worker;

import static net.rhizome.node.worker.WorkerGatewayNodesTest.JSON;
import static net.rhizome.node.worker.WorkerGatewayNodesTest.admin;
import static net.rhizome.node.worker.WorkerGatewayNodesTest.cli;
import static net.rhizome.node.worker.WorkerGatewayNodesTest.config;
import static net.rhizome.node.worker.WorkerGatewayNodesTest.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.IOException;
import java.nio.file.Files;
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
import net.rhizome.node.daemon.NodeAssembly;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeDaemon;
import net.rhizome.node.daemon.Role;
import net.rhizome.node.ledger.LedgerSettings;
import net.rhizome.node.swarm.SwarmFeature;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real node daemons (in one JVM): a worker that hosts the ledger and serves a model, and a fresh gateway
 * that joined it and never had the model. The gateway offers the model once the worker serves it, answers
 * through that worker, and holds only the first bytes of the model file (its header), fetched through the swarm.
 */
class GatewayNetworkModelsNodesTest {
    @TempDir
    Path dir;

    final List<NodeDaemon> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.reversed().forEach(NodeDaemon::close);
    }

    @Test
    void aFreshGatewayOffersWhatTheNetworkServes() throws Exception {
        Path model = dir.resolve("stories15m.gguf");
        SyntheticModels.write(ModelShape.STORIES15M, GgmlType.Q8_0, 7, model);
        String modelId = TorrentBuilder.create(model, false).metainfo().info().id();
        Path workerDir = dir.resolve("worker");
        Path gatewayDir = dir.resolve("gateway");
        List<GenesisConfig.Allocation> allocations = new ArrayList<>();
        for (Path d : List.of(workerDir, gatewayDir)) {
            allocations.add(new GenesisConfig.Allocation(KeyPair.loadOrCreate(d.resolve(NodeConfig.KEY_FILE)).peerId(),
                    1_000_000_000L, 1_000_000_000L));
        }
        LedgerSettings.writeHost(workerDir, GenesisConfig.devnet("network-models-test", 0, KeyPair.generate().peerId(), allocations));
        new WorkerSettings(List.of(modelId), 1000, 2).write(workerDir);
        NodeConfig cw = config(workerDir, Set.of(Role.WORKER), List.of());
        NodeDaemon worker = NodeDaemon.start(cw, NodeAssembly.features(cw));
        nodes.add(worker);
        LedgerSettings.writeRemote(gatewayDir, worker.peerId(), worker.rpcAddress());
        NodeConfig cg = config(gatewayDir, Set.of(Role.GATEWAY), List.of(new HostPort("127.0.0.1", worker.dhtPort())));
        NodeDaemon gateway = NodeDaemon.start(cg, NodeAssembly.features(cg));
        nodes.add(gateway);
        admin(worker, workerDir, "POST", "/api/models", "{\"path\":\"" + model + "\"}");

        String key = JSON.readTree(cli("wallet", "keys", "create", "--label", "test", "--wallet", "node", "--json",
                "--data-dir", gatewayDir.toString())).path("key").asText();
        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(gateway.httpUrl() + "/v1").maxRetries(0).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (client.models().list().data().stream().noneMatch(m -> m.id().equals(modelId))) {
            assertThat(System.nanoTime()).as("the gateway lists the model the worker serves").isLessThan(deadline);
            Thread.sleep(500);
        }
        String text = client.chat().completions().create(ChatCompletionCreateParams.builder().model(modelId)
                .addUserMessage("Once upon a time").maxCompletionTokens(12).seed(1).build())
                .choices().getFirst().message().content().orElse("");
        assertThat(text).isNotEmpty();
        JsonNode whole = JSON.readTree(post(gateway.httpUrl() + "/v1/completions", key,
                "{\"model\":\"" + modelId + "\",\"prompt\":\"The cat\",\"max_tokens\":4}"));
        assertThat(whole.path("rhizome").path("served_by").get(0).path("worker").asText()).isEqualTo(worker.peerId().hex());

        JsonNode held = JSON.readTree(admin(gateway, gatewayDir, "GET", "/api/models/" + modelId, ""));
        assertThat(held.path("state").asText()).isEqualTo("partial");
        long size = Files.size(model);
        Path file = SwarmFeature.store(gatewayDir).dataDir(modelId).resolve(model.getFileName().toString());
        assertThat(Files.size(file)).as("bytes of the %d-byte model on the gateway's disk", size).isLessThan(size / 3);
        assertThatThrownBy(() -> SwarmFeature.store(gatewayDir).resolve(modelId)).isInstanceOf(IOException.class)
                .hasMessageContaining("not completely downloaded");
    }
}
