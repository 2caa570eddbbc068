package net.rhizome.node.market;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five node processes: node 1 hosts the ledger and seeds the model (stories260K, or a synthetic one
 * without RHIZOME_TEST_MODELS), node 2 is the gateway (never asked to fetch the model: it reads the header
 * itself once workers serve it), nodes 3–5 are workers that fetch the model through the swarm. 50 streamed requests from the OpenAI client all
 * complete, and a worker SIGKILLed mid-stream does not change the answer by a byte.
 */
class DevnetMarketTest {
    @TempDir
    Path dir;

    DevnetManifest manifest;

    @AfterEach
    void down() throws Exception {
        // also when `up` failed half-way: the nodes it started are listed in devnet.json
        if (Files.exists(DevnetManifest.file(dir))) {
            Devnet.down(dir, Duration.ofSeconds(10));
        }
    }

    NodeClient node(int k) {
        return new NodeClient(NodeLocator.resolve("devnet:" + k, dir, dir.resolve("unused")), Duration.ofSeconds(60));
    }

    @Test
    void fiftyStreamsAndAKilledWorker() throws Exception {
        // stories260K when the test models are there, else a synthetic model the project generates
        String models = System.getenv("RHIZOME_TEST_MODELS");
        Path model = models == null || models.isBlank() ? null : Path.of(models, "stories260K.gguf");
        if (model == null || !Files.exists(model)) {
            model = dir.resolve("synthetic-tiny.gguf");
            SyntheticModels.write(ModelShape.TINY, GgmlType.Q8_0, 42, model);
        }
        String id = TorrentBuilder.create(model, false).metainfo().info().id();

        List<Set<Role>> roles = new ArrayList<>(List.of(EnumSet.of(Role.SEEDER, Role.GATEWAY), EnumSet.of(Role.GATEWAY)));
        List<List<String>> args = new ArrayList<>(List.of(List.of(), List.of()));
        for (int i = 3; i <= 5; i++) {
            roles.add(EnumSet.of(Role.WORKER));
            args.add(List.of("--serve", id, "--capacity", "8"));
        }
        StringWriter progress = new StringWriter();
        manifest = Devnet.up(new DevnetSpec(dir, roles, args, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(150)),
                new PrintWriter(progress, true));
        node(1).post("/api/models", Map.of("path", model.toString()));
        for (int k = 3; k <= 5; k++) {
            node(k).post("/api/models/fetch", Map.of("uri", id, "peers", List.of()));
        }
        String key = node(2).post("/api/admin/gateway/keys?label=test", Map.of()).path("key").asText();
        String gateway = manifest.node(2).httpUrl() + "/v1";
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (workersFor(node(2).get("/v1/models"), id) < 3) {
            assertThat(System.nanoTime()).as("three workers serve the model").isLessThan(deadline);
            Thread.sleep(1000);
        }

        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(gateway).maxRetries(0).build();
        List<CompletableFuture<String>> streams = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(id)
                    .addUserMessage("Once upon a time " + i).maxCompletionTokens(16).temperature(0.8).seed(i).build();
            streams.add(CompletableFuture.supplyAsync(() -> {
                try (var s = client.chat().completions().createStreaming(params)) {
                    List<String> finish = new ArrayList<>();
                    s.stream().flatMap(c -> c.choices().stream()).forEach(c -> c.finishReason().ifPresent(f -> finish.add(f.asString())));
                    return finish.getLast();
                }
            }));
        }
        for (CompletableFuture<String> f : streams) {
            assertThat(f.get()).isIn("stop", "length");
        }

        ChatClient chat = new ChatClient(URI.create(gateway), key);
        List<ChatClient.Message> prompt = List.of(new ChatClient.Message("user", "The brave little dog"));
        ChatClient.Reply undisturbed = chat.chat(id, prompt, 400, 0, 0, s -> {});
        assertThat(undisturbed.completionTokens()).as("a long enough answer to interrupt").isGreaterThan(40);

        AtomicInteger pieces = new AtomicInteger();
        CompletableFuture<ChatClient.Reply> disturbed = CompletableFuture.supplyAsync(() ->
                chat.chat(id, prompt, 400, 0, 0, s -> pieces.incrementAndGet()));
        DevnetManifest.Node victim = null;
        while (victim == null && !disturbed.isDone()) {
            for (int k = 3; k <= 5 && victim == null; k++) {
                if (pieces.get() >= 3 && node(k).get("/api/worker").path("running").asInt() > 0) {
                    victim = manifest.node(k);
                }
            }
        }
        assertThat(victim).as("caught a worker mid-stream").isNotNull();
        ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly(); // SIGKILL
        ChatClient.Reply reply = disturbed.get();
        assertThat(reply.text()).isEqualTo(undisturbed.text());
        assertThat(reply.servedBy()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(reply.servedBy().getFirst().worker()).isEqualTo(victim.peerId());
    }

    private static int workersFor(JsonNode models, String id) {
        for (JsonNode m : models.path("data")) {
            if (m.path("id").asText().equals(id)) {
                return m.path("workers").asInt();
            }
        }
        return 0;
    }
}
