package net.rhizome.node.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.core.util.Hex;
import net.rhizome.market.job.EmbedRequest;
import net.rhizome.market.job.FinishReason;
import net.rhizome.market.job.JobLimits;
import net.rhizome.market.job.SamplingParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible HTTP API every node serves: {@code POST /v1/chat/completions},
 * {@code POST /v1/completions} (server-sent events with {@code "stream": true}), {@code POST /v1/embeddings}
 * (for models that embed) and {@code GET /v1/models}. Requests are checked in this order, and refused before any cost: API key,
 * JSON, model, context length and {@code max_tokens}, credits; then the market runs the job.
 */
public final class OpenAiApi {
    private static final Logger log = LoggerFactory.getLogger(OpenAiApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CompletionBackend backend;
    private final ApiKeys keys;
    private final CreditAccounts credits;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public OpenAiApi(CompletionBackend backend, ApiKeys keys, CreditAccounts credits, Clock clock) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.credits = Objects.requireNonNull(credits, "credits");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void routes(Javalin app) {
        app.post("/v1/chat/completions", ctx -> guarded(ctx, () -> {
            PeerId wallet = keys.authenticate(ctx.header("Authorization"));
            complete(ctx, wallet, RequestParser.chat(ctx.bodyAsBytes()));
        }));
        app.post("/v1/completions", ctx -> guarded(ctx, () -> {
            PeerId wallet = keys.authenticate(ctx.header("Authorization"));
            complete(ctx, wallet, RequestParser.completion(ctx.bodyAsBytes()));
        }));
        app.post("/v1/embeddings", ctx -> guarded(ctx, () -> {
            PeerId wallet = keys.authenticate(ctx.header("Authorization"));
            embed(ctx, wallet, RequestParser.embeddings(ctx.bodyAsBytes()));
        }));
        app.get("/v1/models", ctx -> guarded(ctx, () -> ctx.json(modelsJson())));
    }

    private void guarded(Context ctx, Runnable handler) {
        try {
            handler.run();
        } catch (OpenAiException e) {
            writeError(ctx, e);
        } catch (RuntimeException e) {
            log.warn("gateway request failed path={} error=\"{}\"", ctx.path(), e.toString());
            writeError(ctx, new OpenAiException(500, "server_error", "internal_error", null, "internal error: " + e.getClass().getSimpleName()));
        }
    }

    private void complete(Context ctx, PeerId wallet, CompletionRequest request) {
        CompletionBackend.ModelOffer model = backend.model(request.model())
                .orElseThrow(() -> OpenAiException.unknownModel(request.model()));
        int[] prompt = backend.tokenize(model, request.prompt());
        int room = model.contextLength() - prompt.length;
        int maxTokens = request.maxTokens().orElse(Math.min(Math.max(room, 0), JobLimits.MAX_OUTPUT_TOKENS));
        if (prompt.length > JobLimits.MAX_PROMPT_TOKENS || maxTokens > room || room <= 0) {
            throw OpenAiException.contextLength(prompt.length, maxTokens, model.contextLength());
        }
        long bound = Math.multiplyExact((long) maxTokens, model.pricePerToken());
        long available = credits.available(wallet);
        if (available < bound) {
            throw OpenAiException.insufficientCredits(bound, available);
        }
        var job = new CompletionBackend.Job(wallet, model, prompt,
                new SamplingParams(request.temperature(), request.topP(), 0, 0f, 1f, request.seed()), maxTokens, request.stop());
        Reply reply = new Reply(request, model.id(), (request.chat() ? "chatcmpl-" : "cmpl-") + randomId(), clock.instant().getEpochSecond());
        if (request.stream()) {
            stream(ctx, job, request, reply, prompt.length);
        } else {
            StringBuilder text = new StringBuilder();
            StopMatcher stops = new StopMatcher(request.stop());
            CompletionBackend.Outcome outcome = backend.generate(job, delta -> {
                text.append(stops.accept(delta));
                return !stops.stopped();
            });
            text.append(stops.flush());
            ctx.contentType("application/json").result(reply.whole(text.toString(), finishReason(stops, outcome), prompt.length, outcome).toString());
        }
    }

    private void embed(Context ctx, PeerId wallet, EmbeddingRequest request) {
        CompletionBackend.ModelOffer model = backend.model(request.model())
                .orElseThrow(() -> OpenAiException.unknownModel(request.model()));
        if (!model.embeds()) {
            throw OpenAiException.invalidRequest("model", "The model '" + request.model()
                    + "' is not an embedding model (GET /v1/models shows embedding_dimension for those that are)");
        }
        int dimension = request.dimensions().orElse(model.embeddingDimension());
        if (dimension > model.embeddingDimension()) {
            throw OpenAiException.invalidRequest("dimensions", "this model's embeddings have " + model.embeddingDimension()
                    + " dimensions; 'dimensions' can only shorten them, got " + dimension);
        }
        List<int[]> inputs = new ArrayList<>(request.inputs().size());
        long total = 0;
        for (int i = 0; i < request.inputs().size(); i++) {
            int[] tokens = switch (request.inputs().get(i)) {
                case EmbeddingRequest.Input.Text t -> backend.tokenize(model, new Prompt.Text(t.text()));
                case EmbeddingRequest.Input.Tokens t -> t.tokens();
            };
            if (tokens.length > model.contextLength()) {
                throw new OpenAiException(400, "invalid_request_error", "context_length_exceeded", "input",
                        "This model's maximum context length is " + model.contextLength() + " tokens; input " + i + " has " + tokens.length);
            }
            total += tokens.length;
            if (total > EmbedRequest.MAX_TOTAL_TOKENS) {
                throw OpenAiException.invalidRequest("input", "the inputs hold more than " + EmbedRequest.MAX_TOTAL_TOKENS
                        + " tokens together; split the request");
            }
            inputs.add(tokens);
        }
        long bound = Math.multiplyExact(total, model.pricePerToken());
        long available = credits.available(wallet);
        if (available < bound) {
            throw OpenAiException.insufficientCredits(bound, available);
        }
        CompletionBackend.Embeddings result = backend.embed(new CompletionBackend.EmbedJob(wallet, model, inputs));
        ObjectNode root = JSON.createObjectNode().put("object", "list");
        ArrayNode data = root.putArray("data");
        for (int i = 0; i < result.vectors().size(); i++) {
            float[] v = shortened(result.vectors().get(i), dimension);
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            if (request.base64()) {
                ByteBuffer bytes = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(v);
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float x : v) {
                    values.add(x);
                }
            }
        }
        root.put("model", model.id());
        root.putObject("usage").put("prompt_tokens", total).put("total_tokens", total);
        ObjectNode extras = root.putObject("rhizome").put("job_id", result.jobId()).put("route_seed", result.routeSeed())
                .put("charged", result.charged());
        ArrayNode served = extras.putArray("served_by");
        for (CompletionBackend.Served s : result.servedBy()) {
            served.addObject().put("worker", s.worker().hex()).put("tokens", s.tokens()).put("paid", s.paid());
        }
        ctx.contentType("application/json").result(root.toString());
    }

    /** The first {@code dimension} values scaled back to unit length (OpenAI's shortened embeddings). */
    static float[] shortened(float[] v, int dimension) {
        if (dimension == v.length) {
            return v;
        }
        float[] out = Arrays.copyOf(v, dimension);
        double sum = 0;
        for (float x : out) {
            sum += (double) x * x;
        }
        if (sum > 0) {
            float scale = (float) (1 / Math.sqrt(sum));
            for (int i = 0; i < out.length; i++) {
                out[i] *= scale;
            }
        }
        return out;
    }

    private void stream(Context ctx, CompletionBackend.Job job, CompletionRequest request, Reply reply, int promptTokens) {
        SseWriter sse = new SseWriter(ctx.res());
        StopMatcher stops = new StopMatcher(request.stop());
        boolean[] clientGone = {false};
        CompletionBackend.Outcome outcome;
        try {
            outcome = backend.generate(job, delta -> {
                String shown = stops.accept(delta);
                if (!shown.isEmpty() || !sse.started()) {
                    clientGone[0] = !send(sse, reply.chunk(shown, null));
                }
                return !stops.stopped() && !clientGone[0];
            });
        } catch (OpenAiException e) {
            if (!sse.started()) {
                throw e;
            }
            ObjectNode error = JSON.createObjectNode();
            error.set("error", errorJson(e));
            send(sse, error);
            send(sse, null);
            return;
        }
        if (clientGone[0]) {
            return;
        }
        String rest = stops.flush();
        ObjectNode last = reply.chunk(rest, finishReason(stops, outcome));
        last.set("rhizome", Reply.servedJson(outcome));
        send(sse, last);
        if (request.includeUsage()) {
            ObjectNode usage = reply.base("chunk");
            usage.putArray("choices");
            usage.set("usage", Reply.usage(promptTokens, outcome.completionTokens()));
            send(sse, usage);
        }
        send(sse, null);
    }

    /** Sends one event ({@code null}: the final {@code [DONE]}); false when the client has gone. */
    private static boolean send(SseWriter sse, ObjectNode event) {
        try {
            sse.event(event == null ? "[DONE]" : event.toString());
            return true;
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    private static String finishReason(StopMatcher stops, CompletionBackend.Outcome outcome) {
        if (stops.stopped()) {
            return "stop";
        }
        return outcome.finishReason() == FinishReason.LENGTH ? "length" : "stop";
    }

    private String randomId() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return Hex.encode(b);
    }

    /** Builds the response objects of one request in the OpenAI shapes (chat or text completion). */
    private record Reply(CompletionRequest request, String model, String id, long created) {
        ObjectNode base(String kind) {
            String object = request.chat() ? ("chunk".equals(kind) ? "chat.completion.chunk" : "chat.completion") : "text_completion";
            return JSON.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", model);
        }

        ObjectNode chunk(String text, String finishReason) {
            ObjectNode root = base("chunk");
            ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
            if (request.chat()) {
                choice.putObject("delta").put("role", "assistant").put("content", text);
            } else {
                choice.put("text", text);
                choice.putNull("logprobs");
            }
            if (finishReason == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finishReason);
            }
            return root;
        }

        ObjectNode whole(String text, String finishReason, int promptTokens, CompletionBackend.Outcome outcome) {
            ObjectNode root = base("whole");
            ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
            if (request.chat()) {
                choice.putObject("message").put("role", "assistant").put("content", text);
            } else {
                choice.put("text", text);
            }
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason);
            root.set("usage", usage(promptTokens, outcome.completionTokens()));
            root.set("rhizome", servedJson(outcome));
            return root;
        }

        static ObjectNode usage(int promptTokens, int completionTokens) {
            return JSON.createObjectNode().put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                    .put("total_tokens", promptTokens + completionTokens);
        }

        static ObjectNode servedJson(CompletionBackend.Outcome outcome) {
            ObjectNode node = JSON.createObjectNode().put("job_id", outcome.jobId()).put("route_seed", outcome.routeSeed())
                    .put("charged", outcome.charged());
            ArrayNode served = node.putArray("served_by");
            for (CompletionBackend.Served s : outcome.servedBy()) {
                served.addObject().put("worker", s.worker().hex()).put("tokens", s.tokens()).put("paid", s.paid());
            }
            return node;
        }
    }

    ObjectNode modelsJson() {
        ObjectNode root = JSON.createObjectNode().put("object", "list");
        ArrayNode data = root.putArray("data");
        long created = clock.instant().getEpochSecond();
        for (CompletionBackend.ModelOffer m : backend.models()) {
            ObjectNode item = data.addObject().put("id", m.id()).put("object", "model").put("created", created).put("owned_by", "rhizome")
                    .put("name", m.name()).put("context_length", m.contextLength())
                    .put("price_per_token", m.pricePerToken()).put("price_multiplier_per_mille", m.multiplierPerMille())
                    .put("workers", m.workers()).put("embeds", m.embeds());
            if (m.embeds()) {
                item.put("embedding_dimension", m.embeddingDimension());
            }
        }
        return root;
    }

    static void writeError(Context ctx, OpenAiException e) {
        ObjectNode root = JSON.createObjectNode();
        root.set("error", errorJson(e));
        ctx.status(e.status()).contentType("application/json").result(root.toString());
    }

    private static ObjectNode errorJson(OpenAiException e) {
        ObjectNode error = JSON.createObjectNode().put("message", e.getMessage()).put("type", e.type());
        if (e.param() == null) {
            error.putNull("param");
        } else {
            error.put("param", e.param());
        }
        return error.put("code", e.code());
    }
}
