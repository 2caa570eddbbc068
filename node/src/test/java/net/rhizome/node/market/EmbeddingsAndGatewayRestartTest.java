package net.rhizome.node.market;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
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
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.LongSupplier;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import net.rhizome.market.worker.Pooling;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeLocator;
import net.rhizome.node.daemon.Role;
import net.rhizome.node.devnet.Devnet;
import net.rhizome.node.devnet.DevnetManifest;
import net.rhizome.node.devnet.DevnetSpec;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes (1: ledger host and seeder, 2: gateway, 3: worker) serving a synthetic model that
 * declares last-token pooling: the official OpenAI client gets embeddings through the gateway, and after
 * the gateway process is SIGKILLed and started again it pays on the same channel from the cumulative
 * amount it had reached, so the worker's vouched total is exactly what all requests were charged.
 */
class EmbeddingsAndGatewayRestartTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @AfterEach
    void down() throws Exception {
        if (Files.exists(DevnetManifest.file(dir))) {
            Devnet.down(dir, Duration.ofSeconds(10));
        }
    }

    NodeClient node(int k) {
        return new NodeClient(NodeLocator.resolve("devnet:" + k, dir, dir.resolve("unused")), Duration.ofSeconds(60));
    }

    @Test
    void embeddingsThroughRealNodesAndAGatewayRestartThatKeepsItsChannel() throws Exception {
        Path model = dir.resolve("tiny-embed.gguf");
        SyntheticModels.write(ModelShape.TINY, GgmlType.Q8_0, 42, OptionalInt.of(Pooling.LAST.ordinal()), model);
        String id = TorrentBuilder.create(model, false).metainfo().info().id();
        List<Set<Role>> roles = List.of(EnumSet.of(Role.SEEDER, Role.GATEWAY), EnumSet.of(Role.GATEWAY), EnumSet.of(Role.WORKER));
        List<List<String>> args = List.of(List.of(), List.of(), List.of("--serve", id, "--capacity", "4"));
        DevnetManifest manifest = Devnet.up(new DevnetSpec(dir, roles, args, Duration.ofSeconds(30), Duration.ofSeconds(1),
                Duration.ofSeconds(150)), new PrintWriter(new StringWriter(), true));
        node(1).post("/api/models", Map.of("path", model.toString()));
        for (int k = 2; k <= 3; k++) {
            node(k).post("/api/models/fetch", Map.of("uri", id, "peers", List.of()));
        }
        String key = node(2).post("/api/admin/gateway/keys?label=test", Map.of()).path("key").asText();
        String gateway = manifest.node(2).httpUrl() + "/v1";
        JsonNode offer = awaitOffer(id);
        assertThat(offer.path("embeds").asBoolean()).isTrue();
        assertThat(offer.path("embedding_dimension").asInt()).isEqualTo(ModelShape.TINY.dim());

        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(gateway).maxRetries(0).build();
        List<String> texts = List.of("The little dog", "ran to the river", "The little dog");
        CreateEmbeddingResponse floats = client.embeddings().create(EmbeddingCreateParams.builder().model(id)
                .inputOfArrayOfStrings(texts).encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        CreateEmbeddingResponse base64 = client.embeddings().create(EmbeddingCreateParams.builder().model(id)
                .inputOfArrayOfStrings(texts).encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build());
        assertThat(floats.data()).hasSize(3);
        List<Float> first = floats.data().getFirst().embedding();
        assertThat(first).hasSize(ModelShape.TINY.dim());
        assertThat(first.stream().mapToDouble(x -> x * x).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(floats.data().get(2).embedding()).as("the same text embeds the same").isEqualTo(first);
        assertThat(floats.data().get(1).embedding()).isNotEqualTo(first);
        for (int i = 0; i < 3; i++) {
            assertThat(base64.data().get(i).embedding()).isEqualTo(floats.data().get(i).embedding());
        }
        assertThat(floats.usage().promptTokens()).isPositive().isEqualTo(floats.usage().totalTokens());

        String workerId = manifest.node(3).peerId();
        LongSupplier vouched = () -> node(3).get("/api/worker").path("vouched").asLong();
        long before = awaitStable(vouched);
        long charged = 0;
        for (int i = 0; i < 3; i++) {
            charged += post(gateway + "/embeddings", key, "{\"model\":\"" + id + "\",\"input\":[\"story " + i + "\",[5,6,7]]}")
                    .path("rhizome").path("charged").asLong();
            charged += post(gateway + "/completions", key, "{\"model\":\"" + id + "\",\"prompt\":\"Once\",\"max_tokens\":20,\"seed\":" + i + "}")
                    .path("rhizome").path("charged").asLong();
        }
        ProcessHandle.of(manifest.node(2).pid()).orElseThrow().destroyForcibly(); // SIGKILL: no orderly shutdown
        awaitGone(manifest.node(2).pid());
        Devnet.restart(dir, 2, Duration.ofSeconds(60));
        awaitOffer(id);
        for (int i = 0; i < 3; i++) {
            charged += post(gateway + "/embeddings", key, "{\"model\":\"" + id + "\",\"input\":\"after the restart " + i + "\"}")
                    .path("rhizome").path("charged").asLong();
            charged += post(gateway + "/completions", key, "{\"model\":\"" + id + "\",\"prompt\":\"Later\",\"max_tokens\":20,\"seed\":" + i + "}")
                    .path("rhizome").path("charged").asLong();
        }
        assertThat(charged).isPositive();
        long total = before + charged;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (vouched.getAsLong() != total && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(vouched.getAsLong()).as("the worker's vouched total is what every request was charged").isEqualTo(total);

        JsonNode channels = node(1).get("/api/ledger/accounts/" + manifest.node(2).peerId() + "/channels");
        List<JsonNode> toWorker = new ArrayList<>();
        channels.forEach(c -> {
            if (c.path("payee").asText().equals(workerId)) {
                toWorker.add(c);
            }
        });
        assertThat(toWorker).as("the restarted gateway kept paying on its channel").hasSize(1);
    }

    private JsonNode awaitOffer(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            try {
                for (JsonNode m : node(2).get("/v1/models").path("data")) {
                    if (m.path("id").asText().equals(id) && m.path("workers").asInt() > 0) {
                        return m;
                    }
                }
            } catch (RuntimeException restarting) {
                // the gateway is still coming up
            }
            assertThat(System.nanoTime()).as("the gateway offers the model").isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static long awaitStable(LongSupplier value) throws InterruptedException {
        long last = value.getAsLong();
        for (int same = 0; same < 3; ) {
            Thread.sleep(300);
            long now = value.getAsLong();
            same = now == last ? same + 1 : 0;
            last = now;
        }
        return last;
    }

    private static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertThat(System.nanoTime()).as("the killed gateway is gone").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static JsonNode post(String url, String key, String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }
    }
}
