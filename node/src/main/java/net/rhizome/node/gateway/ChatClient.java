package net.rhizome.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A small streaming client of a gateway's OpenAI API, for {@code rhizome chat}, the demo and the market
 * benchmark: lists models and streams chat completions over server-sent events, timing the first token.
 */
public final class ChatClient {
    static final int MAX_LINE = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String apiKey;
    // plain HTTP/1.1 keep-alive: no h2c upgrade offer on new connections
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code base} is the gateway's API root, e.g. {@code http://127.0.0.1:8080/v1}. */
    public ChatClient(URI base, String apiKey) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.apiKey = apiKey;
    }

    /** A failure the user can act on: an HTTP error with the gateway's OpenAI error message, or no gateway. */
    public static final class ChatException extends RuntimeException {
        public ChatException(String message) {
            super(message);
        }
    }

    public record Message(String role, String content) {}

    public record Served(String worker, int tokens, long paid) {}

    /** A finished answer: text, why it ended, token counts, who served it, and the time to its first token. */
    public record Reply(String text, String finishReason, int promptTokens, int completionTokens, long charged,
            List<Served> servedBy, long firstTokenNanos, long totalNanos) {}

    public List<String> models() {
        JsonNode root = parse(send(HttpRequest.newBuilder(base.resolve("models")).GET(), false));
        List<String> ids = new ArrayList<>();
        root.path("data").forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    /** Streams a chat completion, passing each piece of text to {@code onText} as it arrives. */
    public Reply chat(String model, List<Message> messages, int maxTokens, double temperature, long seed, Consumer<String> onText) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("stream", true)
                .put("max_tokens", maxTokens).put("temperature", temperature).put("seed", seed);
        body.putObject("stream_options").put("include_usage", true);
        ArrayNode list = body.putArray("messages");
        messages.forEach(m -> list.addObject().put("role", m.role()).put("content", m.content()));
        long start = System.nanoTime();
        InputStream stream = send(HttpRequest.newBuilder(base.resolve("chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())), true);
        StringBuilder text = new StringBuilder();
        String finish = null;
        int promptTokens = 0;
        int completionTokens = 0;
        long charged = 0;
        long firstToken = -1;
        List<Served> served = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.length() > MAX_LINE) {
                    throw new ChatException("the gateway sent an event longer than " + MAX_LINE + " characters");
                }
                if (!line.startsWith("data: ")) {
                    continue;
                }
                String data = line.substring(6);
                if (data.equals("[DONE]")) {
                    break;
                }
                JsonNode event = JSON.readTree(data);
                if (event.has("error")) {
                    throw new ChatException("the answer broke off: " + event.path("error").path("message").asText());
                }
                if (firstToken < 0) {
                    firstToken = System.nanoTime() - start;
                }
                for (JsonNode choice : event.path("choices")) {
                    String delta = choice.path("delta").path("content").asText("");
                    if (!delta.isEmpty()) {
                        text.append(delta);
                        onText.accept(delta);
                    }
                    if (choice.hasNonNull("finish_reason")) {
                        finish = choice.get("finish_reason").asText();
                    }
                }
                if (event.has("usage")) {
                    promptTokens = event.path("usage").path("prompt_tokens").asInt();
                    completionTokens = event.path("usage").path("completion_tokens").asInt();
                }
                if (event.has("rhizome")) {
                    charged = event.path("rhizome").path("charged").asLong();
                    event.path("rhizome").path("served_by").forEach(s ->
                            served.add(new Served(s.path("worker").asText(), s.path("tokens").asInt(), s.path("paid").asLong())));
                }
            }
        } catch (IOException e) {
            throw new ChatException("the stream from " + base + " broke: " + e.getMessage());
        }
        if (finish == null) {
            throw new ChatException("the stream from " + base + " ended before the answer finished");
        }
        return new Reply(text.toString(), finish, promptTokens, completionTokens, charged, served, firstToken, System.nanoTime() - start);
    }

    private InputStream send(HttpRequest.Builder request, boolean stream) {
        if (apiKey != null && !apiKey.isBlank()) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new ChatException("no gateway answers at " + base);
        } catch (IOException e) {
            throw new ChatException("cannot reach the gateway at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChatException("interrupted");
        }
        if (response.statusCode() != 200) {
            try (InputStream in = response.body()) {
                JsonNode error = JSON.readTree(in.readNBytes(MAX_LINE));
                throw new ChatException("gateway refused (HTTP " + response.statusCode() + "): "
                        + error.path("error").path("message").asText(error.toString()));
            } catch (IOException e) {
                throw new ChatException("gateway refused (HTTP " + response.statusCode() + ")");
            }
        }
        return response.body();
    }

    private static JsonNode parse(InputStream in) {
        try (in) {
            return JSON.readTree(in.readNBytes(16 << 20));
        } catch (IOException e) {
            throw new ChatException("the gateway sent invalid JSON: " + e.getMessage());
        }
    }
}
