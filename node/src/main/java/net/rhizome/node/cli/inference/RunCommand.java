package net.rhizome.node.cli.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import net.rhizome.inference.chat.ChatMessage;
import net.rhizome.inference.chat.ChatTemplate;
import net.rhizome.inference.engine.EngineOptions;
import net.rhizome.inference.engine.GenerationRequest;
import net.rhizome.inference.engine.GenerationResult;
import net.rhizome.inference.engine.InferenceEngine;
import net.rhizome.inference.engine.LoadProgress;
import net.rhizome.inference.engine.TokenListener;
import net.rhizome.inference.kernel.VectorWidth;
import net.rhizome.inference.sampler.SamplingParams;
import net.rhizome.node.cli.CliException;
import net.rhizome.node.client.NodeLocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhizome run}: generate text locally with the deterministic engine, streamed as it comes. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a GGUF model locally (deterministic engine): streams the generated text.")
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH|ID|URL",
            description = "A GGUF file, a model id from the node's store, or an http(s) URL (downloaded once into DATA_DIR/downloads).")
    String model;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Node data directory for model ids and downloads (default: ~/.rhizome/node).")
    Path dataDir = NodeLocator.DEFAULT_DATA_DIR;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text (default: generate from BOS alone).")
    String prompt = "";

    @Option(names = "--chat", description = "Wrap the prompt in the model's chat template as a user message.")
    boolean chat;

    @Option(names = "--max-tokens", defaultValue = "256", description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.8", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--top-k", defaultValue = "40", description = "Keep the k most likely tokens, 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--min-p", defaultValue = "0.05", description = "Drop tokens below this fraction of the best (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "Repetition penalty over the last 64 tokens (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop string (repeatable).")
    List<String> stops = new java.util.ArrayList<>();

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--job-id", defaultValue = "local", description = "Job id keying the random draws with the seed (default: ${DEFAULT-VALUE}).")
    String jobId;

    @Option(names = "--threads", description = "Kernel threads (default: all cores). Output does not depend on it.")
    Integer threads;

    @Option(names = "--ctx", defaultValue = "4096", description = "Context positions to allocate, capped by the model's (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--json", description = "Print one JSON object instead of streaming.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path path = ModelPaths.resolve(model, dataDir, err);
        SamplingParams params;
        try {
            params = new SamplingParams(temperature, topK, topP, minP, repeatPenalty, 64, maxTokens, stops, seed);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        EngineOptions options = EngineOptions.defaults().withMaxContext(ctx);
        if (threads != null) {
            options = options.withThreads(threads);
        }
        LoadProgress progress = json ? LoadProgress.NONE : new ProgressLine(err, "loading " + path.getFileName());
        try (InferenceEngine engine = InferenceEngine.load(path, options, progress)) {
            int[] tokens = promptTokens(engine);
            TokenListener listener = json ? TokenListener.NONE : (i, t, text) -> {
                out.print(text);
                out.flush();
            };
            GenerationResult r = engine.generate(new GenerationRequest(tokens, params, jobId, false), listener);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("text", r.text());
                o.put("tokens", r.tokens());
                o.put("prompt_tokens", r.promptTokens());
                o.put("prompt_tokens_per_second", round(r.promptTokensPerSecond()));
                o.put("tokens_per_second", round(r.tokensPerSecond()));
                o.put("stop_reason", r.stopReason().name().toLowerCase());
                out.println(new ObjectMapper().writeValueAsString(o));
            } else {
                out.println();
                err.printf("%d prompt tokens at %.1f tok/s, %d generated at %.1f tok/s (%s, %d threads, %s kernels)%n",
                        r.promptTokens(), r.promptTokensPerSecond(), r.tokens().length, r.tokensPerSecond(),
                        r.stopReason().name().toLowerCase(), options.threads(), VectorWidth.describe());
            }
            out.flush();
        }
        return 0;
    }

    private int[] promptTokens(InferenceEngine engine) {
        var tok = engine.tokenizer();
        if (!chat) {
            int[] t = engine.encodePrompt(prompt, false);
            if (t.length == 0) {
                throw new CliException("the prompt is empty and the model has no BOS token to start from");
            }
            return t;
        }
        try {
            return ChatTemplate.fromGguf(engine.gguf(), false).encode(tok, List.of(ChatMessage.user(prompt)), true);
        } catch (RuntimeException e) {
            throw new CliException("--chat: " + e.getMessage());
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
