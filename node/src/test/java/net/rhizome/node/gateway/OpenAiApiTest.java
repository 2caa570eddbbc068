package net.rhizome.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenAiApiTest {
    static final PeerId WALLET = KeyPair.deterministic("wallet").peerId();

    @TempDir
    Path dir;

    ScriptedBackend backend;
    ApiKeys keys;
    AtomicLong credits;
    Javalin app;
    String key;
    OpenAIClient client;
    String base;

    @BeforeEach
    void start() throws Exception {
        backend = new ScriptedBackend();
        keys = ApiKeys.open(dir.resolve("api-keys.json"));
        key = keys.create(WALLET, "test").key();
        credits = new AtomicLong(1_000_000);
        app = Javalin.create(c -> c.showJavalinBanner = false);
        new OpenAiApi(backend, keys, wallet -> wallet.equals(WALLET) ? credits.get() : 0, Clock.systemUTC()).routes(app);
        app.start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port() + "/v1";
        client = client(key);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder().apiKey(apiKey).baseUrl(base).maxRetries(0).build();
    }

    static String expected(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(ScriptedBackend.word(i));
        }
        return sb.toString();
    }

    ChatCompletionCreateParams chat(long maxTokens) {
        return ChatCompletionCreateParams.builder().model("tiny-story").addUserMessage("Tell me a story")
                .maxCompletionTokens(maxTokens).temperature(0.0).seed(7).build();
    }

    @Test
    void chatCompletionWithUsage() {
        ChatCompletion c = client.chat().completions().create(chat(6));
        assertThat(c.choices().getFirst().message().content()).contains(expected(6));
        assertThat(c.choices().getFirst().finishReason().asString()).isEqualTo("length");
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(6);
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo("user:Tell me a story\n".length());
        assertThat(c.model()).isEqualTo("tiny-story");
    }

    @Test
    void streamedChatEqualsTheWholeAnswer() {
        ChatCompletionCreateParams params = chat(9).toBuilder()
                .streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        StringBuilder text = new StringBuilder();
        long[] usage = {-1};
        String[] finish = {null};
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> {
                    choice.delta().content().ifPresent(text::append);
                    choice.finishReason().ifPresent(f -> finish[0] = f.asString());
                });
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        assertThat(text.toString()).isEqualTo(expected(9));
        assertThat(finish[0]).isEqualTo("length");
        assertThat(usage[0]).isEqualTo(9);
    }

    @Test
    void textCompletionsStreamedAndWhole() {
        CompletionCreateParams params = CompletionCreateParams.builder().model("tiny-story").prompt("Once").maxTokens(4).build();
        Completion whole = client.completions().create(params);
        assertThat(whole.choices().getFirst().text()).isEqualTo(expected(4));
        assertThat(whole.usage().orElseThrow().totalTokens()).isEqualTo(4 + 4);
        try (var stream = client.completions().createStreaming(params)) {
            String streamed = stream.stream().flatMap(c -> c.choices().stream()).map(ch -> ch.text()).collect(Collectors.joining());
            assertThat(streamed).isEqualTo(expected(4));
        }
    }

    @Test
    void stopStringsCutTheAnswer() {
        ChatCompletion c = client.chat().completions().create(chat(30).toBuilder().stop(" little").build());
        assertThat(c.choices().getFirst().message().content().orElseThrow()).isEqualTo("Once upon a time , a");
        assertThat(c.choices().getFirst().finishReason().asString()).isEqualTo("stop");
        try (var stream = client.chat().completions().createStreaming(chat(30).toBuilder().stop(" fox").build())) {
            String streamed = stream.stream().flatMap(ch -> ch.choices().stream())
                    .map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
            assertThat(streamed).isEqualTo("Once upon a time , a little");
        }
    }

    @Test
    void modelsAreListedWithTheirPrice() throws Exception {
        assertThat(client.models().list().data()).extracting(m -> m.id()).containsExactly("tiny-story", "tiny-embed");
        String body = get("/models").body();
        assertThat(body).contains("\"price_per_token\":2").contains("\"price_multiplier_per_mille\":1000")
                .contains("\"embeds\":false").contains("\"embeds\":true,\"embedding_dimension\":4");
    }

    @Test
    void missingAndRevokedKeysAreRefused() throws Exception {
        HttpResponse<String> none = post("/chat/completions", null, "{\"model\":\"tiny-story\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("\"code\":\"missing_api_key\"").contains("\"type\":\"invalid_request_error\"");

        assertThatThrownBy(() -> client("rhz-000000000000-" + "0".repeat(64)).chat().completions().create(chat(3)))
                .isInstanceOf(UnauthorizedException.class);
        String id = keys.list().getFirst().id();
        assertThat(keys.revoke(id)).isTrue();
        assertThatThrownBy(() -> client.chat().completions().create(chat(3)))
                .isInstanceOf(UnauthorizedException.class).hasMessageContaining("revoked");
        assertThat(backend.generateCalls).hasValue(0);
    }

    @Test
    void badRequestsGetOpenAiErrorsAndCostNothing() throws Exception {
        HttpResponse<String> json = post("/chat/completions", key, "{\"model\": \"tiny-story\", \"messages\": [");
        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(json.body()).contains("\"code\":\"invalid_json\"");

        assertThatThrownBy(() -> client.chat().completions().create(chat(3).toBuilder().model("no-such-model").build()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-model");
        assertThatThrownBy(() -> client.chat().completions().create(chat(0)))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("max_tokens must be");
        assertThatThrownBy(() -> client.chat().completions().create(chat(250)))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("maximum context length is 256");
        String longPrompt = "x".repeat(300);
        assertThatThrownBy(() -> client.completions().create(CompletionCreateParams.builder().model("tiny-story").prompt(longPrompt).build()))
                .isInstanceOf(BadRequestException.class).satisfies(e -> assertThat(((OpenAIServiceException) e).code()).contains("context_length_exceeded"));
        HttpResponse<String> n2 = post("/chat/completions", key,
                "{\"model\":\"tiny-story\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(n2.statusCode()).isEqualTo(400);
        assertThat(n2.body()).contains("\"param\":\"n\"");
        assertThat(backend.generateCalls).hasValue(0);
    }

    @Test
    void insufficientCreditsAndNoWorker() {
        credits.set(5); // 3 tokens at price 2 cost up to 6
        assertThatThrownBy(() -> client.chat().completions().create(chat(3)))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(402))
                .hasMessageContaining("may cost up to 6");
        assertThat(backend.generateCalls).hasValue(0);

        credits.set(1_000);
        backend.failure = OpenAiException.noWorker("tiny-story", "all workers are busy or in cool-down");
        assertThatThrownBy(() -> client.chat().completions().createStreaming(chat(3)).stream().count())
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(503))
                .hasMessageContaining("No worker");
    }

    @Test
    void rhizomeExtrasNameTheWorkers() throws Exception {
        HttpResponse<String> r = post("/chat/completions", key,
                "{\"model\":\"tiny-story\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"served_by\":[{\"worker\":\"" + ScriptedBackend.WORKER.peerId().hex() + "\",\"tokens\":2,\"paid\":4}]");
    }

    @Test
    void embeddingsOfABatchComeBackInOrderAsFloatsOrBase64() throws Exception {
        List<String> texts = List.of("a cat", "the little dog ran", "z");
        for (EmbeddingCreateParams.EncodingFormat format : List.of(EmbeddingCreateParams.EncodingFormat.FLOAT,
                EmbeddingCreateParams.EncodingFormat.BASE64)) {
            CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model("tiny-embed")
                    .inputOfArrayOfStrings(texts).encodingFormat(format).build());
            assertThat(r.data()).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertThat(r.data().get(i).index()).isEqualTo(i);
                float[] want = ScriptedBackend.vector(texts.get(i).chars().toArray());
                List<Float> got = r.data().get(i).embedding();
                assertThat(got).hasSize(4);
                for (int d = 0; d < 4; d++) {
                    assertThat(got.get(d)).isEqualTo(want[d]);
                }
            }
            long tokens = texts.stream().mapToLong(String::length).sum();
            assertThat(r.usage().promptTokens()).isEqualTo(tokens);
            assertThat(r.usage().totalTokens()).isEqualTo(tokens);
        }
        HttpResponse<String> raw = post("/embeddings", key, "{\"model\":\"tiny-embed\",\"input\":[[5,6,7]],\"encoding_format\":\"base64\"}");
        assertThat(raw.statusCode()).isEqualTo(200);
        String b64 = new com.fasterxml.jackson.databind.ObjectMapper().readTree(raw.body()).path("data").get(0).path("embedding").asText();
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes.remaining()).isEqualTo(16);
        assertThat(bytes.getFloat(4)).isEqualTo(ScriptedBackend.vector(new int[] {5, 6, 7})[1]);
        assertThat(raw.body()).contains("\"charged\":9");
    }

    @Test
    void shortenedEmbeddingsAreRescaledToUnitLength() {
        CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model("tiny-embed")
                .inputOfArrayOfTokens(List.of(3L, 4L)).dimensions(2).build());
        List<Float> v = r.data().getFirst().embedding();
        assertThat(v).hasSize(2);
        assertThat(v.get(0) * v.get(0) + v.get(1) * v.get(1)).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(v.get(0) / v.get(1)).isCloseTo(2f / 3f, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void badEmbeddingRequestsGetOpenAiErrorsAndCostNothing() throws Exception {
        String[][] cases = {
                {"{\"model\":\"tiny-embed\"}", "\"param\":\"input\""},
                {"{\"model\":\"tiny-embed\",\"input\":\"\"}", "must not be empty"},
                {"{\"model\":\"tiny-embed\",\"input\":[\"ok\", 5]}", "\"param\":\"input[1]\""},
                {"{\"model\":\"tiny-embed\",\"input\":[[1,-2]]}", "non-negative"},
                {"{\"model\":\"tiny-embed\",\"input\":\"x\",\"encoding_format\":\"hex\"}", "encoding_format"},
                {"{\"model\":\"tiny-embed\",\"input\":\"x\",\"dimensions\":5}", "can only shorten"},
                {"{\"model\":\"tiny-story\",\"input\":\"x\"}", "not an embedding model"},
                {"{\"model\":\"tiny-embed\",\"input\":\"" + "y".repeat(65) + "\"}", "context_length_exceeded"},
                {"{\"model\":\"tiny-embed\",\"input\":[" + "\"a\",".repeat(2048) + "\"a\"]}", "at most 2048 inputs"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = post("/embeddings", key, c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(r.body()).as(c[0]).contains(c[1]);
        }
        assertThat(post("/embeddings", key, "{\"model\":\"nope\",\"input\":\"x\"}").statusCode()).isEqualTo(404);
        assertThat(post("/embeddings", null, "{\"model\":\"tiny-embed\",\"input\":\"x\"}").statusCode()).isEqualTo(401);
        credits.set(8); // "abc" is 3 tokens at 3 units
        assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder().model("tiny-embed").input("abc").build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(402));
        assertThat(backend.generateCalls).hasValue(0);
    }

    HttpResponse<String> post(String path, String apiKey, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    HttpResponse<String> get(String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
