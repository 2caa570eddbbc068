package net.rhizome.node.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.grpc.ManagedChannel;
import io.javalin.Javalin;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.inference.engine.EngineOptions;
import net.rhizome.inference.engine.GenerationRequest;
import net.rhizome.inference.engine.InferenceEngine;
import net.rhizome.inference.engine.LoadProgress;
import net.rhizome.ledger.Asset;
import net.rhizome.ledger.EmbeddedLedger;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.market.gateway.CoolDown;
import net.rhizome.market.gateway.EmbedDispatcher;
import net.rhizome.market.gateway.JobDispatcher;
import net.rhizome.market.gateway.Router;
import net.rhizome.market.job.JobRequest;
import net.rhizome.market.job.SamplingParams;
import net.rhizome.market.ledger.LedgerChannels;
import net.rhizome.market.ledger.LedgerTransactions;
import net.rhizome.market.ledger.LedgerWorkerChannels;
import net.rhizome.market.selection.Candidate;
import net.rhizome.market.selection.WorkerSelection;
import net.rhizome.market.worker.EngineGenerator;
import net.rhizome.market.worker.JobServer;
import net.rhizome.net.transport.HostPort;
import net.rhizome.net.transport.Misbehaviour;
import net.rhizome.net.transport.NodeTransport;
import net.rhizome.node.gateway.ApiKeys;
import net.rhizome.node.gateway.MarketBackend;
import net.rhizome.node.gateway.ModelCatalog;
import net.rhizome.node.gateway.OpenAiApi;
import net.rhizome.node.gateway.Prompt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole market in one JVM with real parts: the OpenAI client talks to the gateway's HTTP API, which
 * routes by the selection rule over a real (embedded SQLite) ledger, streams jobs over the TLS node
 * transport to three workers running stories260K on the inference engine, and pays them through
 * payment channels. Answers, routing and money are all re-checked from public data.
 */
class MarketEndToEndTest {
    static final long CREDITS = 1_000_000_000;
    static final long STAKE = 2_000_000;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final List<AutoCloseable> closing = new ArrayList<>();
    final Map<PeerId, Integer> ports = new ConcurrentHashMap<>();
    final Map<PeerId, LedgerWorkerChannels> workerChannels = new ConcurrentHashMap<>();
    final List<KeyPair> workers = List.of(KeyPair.generate(), KeyPair.generate(), KeyPair.generate());
    final KeyPair wallet = KeyPair.generate();

    Path model;
    Hash32 modelId;
    EmbeddedLedger ledger;
    ModelCatalog catalog;
    InferenceEngine reference;
    String base;
    String apiKey;

    @BeforeEach
    void start() throws Exception {
        String models = System.getenv("RHIZOME_TEST_MODELS");
        assumeTrue(models != null && !models.isBlank(), "RHIZOME_TEST_MODELS is not set: no stories260K.gguf");
        model = Path.of(models, "stories260K.gguf");
        assumeTrue(Files.exists(model), model + " is missing");
        modelId = Hash32.sha256(Files.readAllBytes(model));

        List<GenesisConfig.Allocation> allocations = new ArrayList<>();
        allocations.add(new GenesisConfig.Allocation(wallet.peerId(), 0, CREDITS));
        workers.forEach(k -> allocations.add(new GenesisConfig.Allocation(k.peerId(), STAKE * 2, 0)));
        GenesisConfig d = GenesisConfig.devnet("market-e2e", 1_700_000_000_000L, KeyPair.generate().peerId(), allocations);
        GenesisConfig genesis = new GenesisConfig(d.chainName(), d.timestampMillis(), d.creditIssuer(), d.allocations(), d.rewardPool(),
                d.emission(), d.epochBlocks(), d.unbondingBlocks(), 25, d.minStakes(), d.rewards(), d.disputes());
        ledger = EmbeddedLedger.open(dir.resolve("ledger.db"), genesis);
        closing.add(ledger);
        ledger.startBlockTimer();

        for (int i = 0; i < workers.size(); i++) {
            KeyPair k = workers.get(i);
            LedgerTransactions tx = new LedgerTransactions(ledger, k, Duration.ofSeconds(10));
            tx.submit(new Operation.Stake(STAKE + i * 700_000L));
            tx.submit(new Operation.RegisterWorker(List.of(modelId), 3 + i));
            InferenceEngine engine = InferenceEngine.load(model, EngineOptions.defaults().withThreads(1), LoadProgress.NONE);
            closing.add(engine);
            LedgerWorkerChannels channels = new LedgerWorkerChannels(tx);
            JobServer server = new JobServer(k, new EngineGenerator(Map.of(modelId, engine)), channels, NodeTransport::callerId,
                    JobServer.Settings.DEFAULT, r -> {});
            NodeTransport.TransportServer s = new NodeTransport(k).server(new InetSocketAddress("127.0.0.1", 0), List.of(server), Misbehaviour.IGNORE);
            closing.add(s);
            ports.put(k.peerId(), s.port());
            workerChannels.put(k.peerId(), channels);
        }
        reference = InferenceEngine.load(model, EngineOptions.defaults().withThreads(1), LoadProgress.NONE);
        closing.add(reference);

        catalog = new ModelCatalog();
        catalog.add(modelId, "stories260K", model);
        CoolDown coolDown = new CoolDown(Clock.systemUTC());
        Router router = new Router(() -> workers.stream().map(k -> new Router.LivePeer(k.peerId(), List.of(modelId.hex()), 100)).toList(),
                ledger::account, () -> ledger.head().hash(), () -> genesis.minStakes().worker(), coolDown);
        NodeTransport transport = new NodeTransport(wallet);
        Map<PeerId, ManagedChannel> links = new ConcurrentHashMap<>();
        closing.add(() -> links.values().forEach(ManagedChannel::shutdownNow));
        LedgerChannels channels = new LedgerChannels(new LedgerTransactions(ledger, wallet, Duration.ofSeconds(10)), 100_000, 10_000);
        JobDispatcher dispatcher = new JobDispatcher(wallet,
                p -> links.computeIfAbsent(p, x -> transport.connect(x, new HostPort("127.0.0.1", ports.get(x)))),
                channels, JobDispatcher.Timeouts.DEFAULT, Clock.systemUTC(), (p, why) -> coolDown.failed(p));
        EmbedDispatcher embedder = new EmbedDispatcher(wallet,
                p -> links.computeIfAbsent(p, x -> transport.connect(x, new HostPort("127.0.0.1", ports.get(x)))),
                channels, JobDispatcher.Timeouts.DEFAULT, Clock.systemUTC(), (p, why) -> coolDown.failed(p));
        MarketBackend backend = new MarketBackend(catalog, router, w -> dispatcher, w -> embedder, coolDown);

        ApiKeys keys = ApiKeys.open(dir.resolve("api-keys.json"));
        apiKey = keys.create(wallet.peerId(), "e2e").key();
        Javalin app = Javalin.create(c -> c.showJavalinBanner = false);
        new OpenAiApi(backend, keys, w -> ledger.balance(w, Asset.CREDITS), Clock.systemUTC()).routes(app);
        app.start("127.0.0.1", 0);
        closing.add(app::stop);
        base = "http://127.0.0.1:" + app.port() + "/v1";
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void streamedAnswersRoutingAndMoneyAllCheckOut() throws Exception {
        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(apiKey).baseUrl(base).maxRetries(0).build();
        assertThat(client.models().list().data()).extracting(m -> m.id()).containsExactly(modelId.hex());

        for (int i = 0; i < 12; i++) {
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(modelId.hex())
                    .addUserMessage("Once upon a time, " + i).maxCompletionTokens(24).temperature(0.8).seed(i).build();
            String finish;
            try (var stream = client.chat().completions().createStreaming(params)) {
                List<String> finishes = new ArrayList<>();
                String text = stream.stream().flatMap(c -> c.choices().stream()).map(c -> {
                    c.finishReason().ifPresent(f -> finishes.add(f.asString()));
                    return c.delta().content().orElse("");
                }).collect(Collectors.joining());
                assertThat(text).isNotEmpty();
                finish = finishes.getLast();
            }
            assertThat(finish).isIn("stop", "length");
        }

        for (int i = 0; i < 3; i++) {
            String prompt = "The little dog " + i;
            JsonNode answer = post("{\"model\":\"" + modelId.hex() + "\",\"max_tokens\":30,\"temperature\":0.7,\"seed\":" + i
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}");
            JsonNode extras = answer.path("rhizome");
            Hash32 jobId = Hash32.parse(extras.path("job_id").asText());
            Hash32 seed = Hash32.parse(extras.path("route_seed").asText());

            // the route: recompute the winner from the ledger's stakes and reputations and the block hash
            List<Candidate> candidates = workers.stream().map(k -> {
                Account a = ledger.account(k.peerId()).orElseThrow();
                return new Candidate(k.peerId(), a.staked(), a.reputation(), 100);
            }).toList();
            PeerId winner = WorkerSelection.select(jobId.bytes(), seed.bytes(), candidates).orElseThrow().worker();
            assertThat(extras.path("served_by").get(0).path("worker").asText()).isEqualTo(winner.hex());

            // the answer: the same engine run locally with the same job id gives the same text
            int[] tokens = catalog.get(modelId).orElseThrow().tokenize(new Prompt.Chat(List.of(new Prompt.ChatMessage("user", prompt))));
            JobRequest same = new JobRequest(jobId, modelId, tokens, new SamplingParams(0.7f, 1f, 0, 0f, 1f, i), 30, 1, Hash32.ZERO,
                    wallet.peerId(), winner, new int[0], List.of(), 16, 0);
            String expected = reference.generate(new GenerationRequest(tokens, EngineGenerator.samplingOf(same), jobId.hex(), false),
                    (n, t, x) -> {}).text();
            assertThat(answer.path("choices").get(0).path("message").path("content").asText()).isEqualTo(expected);
            assertThat(answer.path("usage").path("completion_tokens").asInt()).isPositive();
        }

        // the money: what the wallet spent is what workers settled plus what its channels still hold
        long settled = 0;
        for (KeyPair k : workers) {
            long before = ledger.balance(k.peerId(), Asset.CREDITS);
            workerChannels.get(k.peerId()).settle(Long.MAX_VALUE);
            settled += ledger.balance(k.peerId(), Asset.CREDITS) - before;
        }
        long refundable = ledger.channels(wallet.peerId()).stream().filter(Channel::open).mapToLong(c -> c.deposit() - c.claimed()).sum();
        long spent = CREDITS - ledger.balance(wallet.peerId(), Asset.CREDITS);
        assertThat(settled).isPositive();
        assertThat(spent).isEqualTo(settled + refundable);
        assertThat(ledger.checkInvariants()).isEmpty();
    }

    private JsonNode post(String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
                    .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }
    }
}
