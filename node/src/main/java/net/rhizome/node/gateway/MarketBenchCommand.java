package net.rhizome.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import net.rhizome.inference.engine.EngineOptions;
import net.rhizome.inference.engine.GenerationRequest;
import net.rhizome.inference.engine.GenerationResult;
import net.rhizome.inference.engine.InferenceEngine;
import net.rhizome.inference.engine.LoadProgress;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.sampler.SamplingParams;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import net.rhizome.ledger.Hash32;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeLocator;
import net.rhizome.node.daemon.Role;
import net.rhizome.node.devnet.Devnet;
import net.rhizome.node.devnet.DevnetManifest;
import net.rhizome.node.devnet.DevnetSpec;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rhizome bench market}: the same model streamed through the network (gateway and worker in
 * separate node processes on loopback, paid per K tokens) against the same engine run in this
 * process: decode tokens/s, time to first token (p50/p99) and 32 concurrent streams through one gateway.
 */
@Command(name = "market", mixinStandardHelpOptions = true,
        description = "Streamed tokens/s and time to first token through gateway + worker processes vs the engine locally; 32 concurrent streams.")
public final class MarketBenchCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH", description = "GGUF model (default: synthetic stories15m, Q8_0).")
    Path model;

    @Option(names = "--tokens", defaultValue = "128", description = "Tokens per measured stream (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--runs", defaultValue = "5", description = "Measured runs each way (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--ttft-samples", defaultValue = "40", description = "Requests for the TTFT percentiles (default: ${DEFAULT-VALUE}).")
    int ttftSamples;

    @Option(names = "--concurrent", defaultValue = "32", description = "Concurrent streams (default: ${DEFAULT-VALUE}).")
    int concurrent;

    @Option(names = "--dir", paramLabel = "DIR", description = "Devnet directory (default: a temporary one, removed after).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("rhizome-bench-market");
        Path file = model != null ? model.toAbsolutePath() : work.resolve("stories15m-q8_0.gguf");
        if (model == null && !Files.exists(file)) {
            out.println("generating synthetic stories15m (Q8_0) …");
            out.flush();
            SyntheticModels.write(ModelShape.STORIES15M, GgmlType.Q8_0, 1, file);
        }
        String id = TorrentBuilder.create(file, false).metainfo().info().id();
        List<Set<Role>> roles = List.of(EnumSet.of(Role.GATEWAY, Role.SEEDER), EnumSet.of(Role.WORKER));
        List<List<String>> args = List.of(List.of(), List.of("--serve", id, "--capacity", String.valueOf(concurrent)));
        Path devnet = work.resolve("devnet");
        try {
            DevnetManifest manifest = Devnet.up(new DevnetSpec(devnet, roles, args, Duration.ofSeconds(30), Duration.ofSeconds(1),
                    Duration.ofSeconds(150)), new PrintWriter(new StringWriter()));
            return run(out, file, id, manifest, devnet);
        } finally {
            if (Files.exists(DevnetManifest.file(devnet))) {
                Devnet.down(devnet, Duration.ofSeconds(10));
            }
        }
    }

    private int run(PrintWriter out, Path file, String id, DevnetManifest manifest, Path devnet) throws Exception {
        NodeClient n1 = new NodeClient(NodeLocator.resolve("devnet:1", devnet, devnet), Duration.ofSeconds(60));
        NodeClient n2 = new NodeClient(NodeLocator.resolve("devnet:2", devnet, devnet), Duration.ofSeconds(60));
        n1.post("/api/models", Map.of("path", file.toString()));
        n2.post("/api/models/fetch", Map.of("uri", id, "peers", List.of()));
        String key = n1.post("/api/admin/gateway/keys?label=bench", Map.of()).path("key").asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!offered(n1.get("/v1/models"), id)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the worker did not begin serving within 3 minutes");
            }
            Thread.sleep(500);
        }
        ChatClient chat = new ChatClient(URI.create(manifest.node(1).httpUrl() + "/v1"), key);
        List<ChatClient.Message> prompt = List.of(new ChatClient.Message("user", "Once upon a time there was a little fox"));

        ModelCatalog catalog = new ModelCatalog();
        int[] promptTokens = catalog.add(Hash32.parse(id), "bench", file).tokenize(new Prompt.Chat(
                prompt.stream().map(m -> new Prompt.ChatMessage(m.role(), m.content())).toList()));
        double[] localTps = new double[runs];
        double[] localTtft = new double[ttftSamples];
        double[] netTps = new double[runs];
        double[] netTtft = new double[ttftSamples];
        try (InferenceEngine engine = InferenceEngine.load(file, EngineOptions.defaults(), LoadProgress.NONE)) {
            SamplingParams greedy = SamplingParams.greedy(tokens);
            engine.generate(new GenerationRequest(promptTokens, greedy, "warm-up", false), (i, t, x) -> {});
            chat.chat(id, prompt, tokens, 0, 0, s -> {});
            // local and network rounds alternate so both meet the same load on a shared machine
            for (int r = 0; r < runs; r++) {
                localTps[r] = engine.generate(new GenerationRequest(promptTokens, greedy, "local-" + r, false), (i, t, x) -> {})
                        .tokensPerSecond();
                ChatClient.Reply reply = chat.chat(id, prompt, tokens, 0, 0, s -> {});
                netTps[r] = (reply.completionTokens() - 1) / ((reply.totalNanos() - reply.firstTokenNanos()) / 1e9);
            }
            for (int r = 0; r < ttftSamples; r++) {
                long t0 = System.nanoTime();
                long[] first = {0};
                engine.generate(new GenerationRequest(promptTokens, SamplingParams.greedy(1), "ttft-" + r, false),
                        (i, t, x) -> first[0] = System.nanoTime());
                localTtft[r] = (first[0] - t0) / 1e6;
                netTtft[r] = chat.chat(id, prompt, 1, 0, 0, s -> {}).firstTokenNanos() / 1e6;
            }
        }

        List<CompletableFuture<ChatClient.Reply>> streams = new ArrayList<>();
        long c0 = System.nanoTime();
        for (int i = 0; i < concurrent; i++) {
            long seed = i;
            streams.add(CompletableFuture.supplyAsync(() -> chat.chat(id, prompt, 32, 0.8, seed, s -> {})));
        }
        int errors = 0;
        long total = 0;
        double[] ttftConcurrent = new double[concurrent];
        for (int i = 0; i < concurrent; i++) {
            try {
                ChatClient.Reply r = streams.get(i).get();
                total += r.completionTokens();
                ttftConcurrent[i] = r.firstTokenNanos() / 1e6;
            } catch (ExecutionException e) {
                if (errors++ == 0) {
                    out.println("first failed stream: " + e.getCause().getMessage());
                }
                ttftConcurrent[i] = Double.NaN;
            }
        }
        double wall = (System.nanoTime() - c0) / 1e9;

        double lt = median(localTps);
        double nt = median(netTps);
        out.printf("model %s, %d prompt tokens, %d tokens per stream, greedy; gateway and worker are separate processes%n",
                file.getFileName(), promptTokens.length, tokens);
        out.printf("decode tokens/s          network %8.1f   local engine %8.1f   ratio %.3f (goal >= 0.97)%n", nt, lt, nt / lt);
        out.printf("time to first token p50  network %8.1f   local engine %8.1f   added %6.1f ms (goal < 20 ms)%n",
                pct(netTtft, 50), pct(localTtft, 50), pct(netTtft, 50) - pct(localTtft, 50));
        out.printf("time to first token p99  network %8.1f   local engine %8.1f   added %6.1f ms%n",
                pct(netTtft, 99), pct(localTtft, 99), pct(netTtft, 99) - pct(localTtft, 99));
        out.printf("%d concurrent streams     errors %d, total %.1f tokens/s, TTFT p50 %.1f ms, p99 %.1f ms%n",
                concurrent, errors, total / wall, pct(ttftConcurrent, 50), pct(ttftConcurrent, 99));
        out.flush();
        return errors == 0 ? 0 : 1;
    }

    private static boolean offered(JsonNode models, String id) {
        for (JsonNode m : models.path("data")) {
            if (m.path("id").asText().equals(id) && m.path("workers").asInt() > 0) {
                return true;
            }
        }
        return false;
    }

    static double median(double[] v) {
        return pct(v, 50);
    }

    /** Nearest-rank percentile, ignoring NaN (failed samples). */
    static double pct(double[] values, int p) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }
}
