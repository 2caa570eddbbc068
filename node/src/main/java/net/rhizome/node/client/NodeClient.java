package net.rhizome.node.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * JSON over HTTP to one node, as the CLI uses it. Sends the admin token (when the node was found
 * through a local data directory) as {@code Authorization: Bearer …}. Every failure becomes a
 * {@link NodeClientException} with one line for the user.
 */
public final class NodeClient {
    /** Responses larger than this are refused (a node answering garbage cannot exhaust the CLI). */
    public static final int MAX_RESPONSE_BYTES = 16 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodeLocator.Target target;
    private final HttpClient http;
    private final Duration timeout;

    public NodeClient(NodeLocator.Target target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    }

    public NodeClient(NodeLocator.Target target) {
        this(target, Duration.ofSeconds(30));
    }

    public URI baseUrl() {
        return target.baseUrl();
    }

    /** The underlying client, for streaming endpoints (SSE); pair it with {@link #request(String)}. */
    public HttpClient httpClient() {
        return http;
    }

    /** A request builder for {@code path} with the admin token set when known. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(target.baseUrl().resolve(path)).timeout(timeout);
        target.adminToken().ifPresent(t -> b.header("Authorization", "Bearer " + t.value()));
        return b;
    }

    public JsonNode get(String path) {
        return send("GET", path, request(path).GET().build());
    }

    public JsonNode post(String path, Object body) {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode request body: " + e.getMessage(), e);
        }
        return send("POST", path, request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    private JsonNode send(String method, String path, HttpRequest request) {
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new NodeClientException("no node running at " + target.baseUrl() + " (" + target.description()
                    + "); start one with ./rhizome node start");
        } catch (HttpTimeoutException e) {
            throw new NodeClientException("node at " + target.baseUrl() + " did not answer " + method + " " + path
                    + " within " + timeout.toSeconds() + "s");
        } catch (IOException e) {
            throw new NodeClientException("cannot reach node at " + target.baseUrl() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeClientException("interrupted while waiting for " + target.baseUrl());
        }
        String body = readLimited(response.body());
        JsonNode json;
        try {
            json = body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            json = null;
        }
        if (response.statusCode() >= 400) {
            String reason = json != null && json.hasNonNull("error") ? json.get("error").asText() : firstLine(body);
            throw new NodeClientException("node at " + target.baseUrl() + " refused " + method + " " + path + " ("
                    + response.statusCode() + "): " + reason, response.statusCode());
        }
        if (json == null) {
            throw new NodeClientException("node at " + target.baseUrl() + " answered " + method + " " + path + " with non-JSON: "
                    + firstLine(body));
        }
        return json;
    }

    private String readLimited(InputStream in) {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            if (bytes.length > MAX_RESPONSE_BYTES) {
                throw new NodeClientException("node at " + target.baseUrl() + " sent more than " + MAX_RESPONSE_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NodeClientException("connection to " + target.baseUrl() + " broke: " + e.getMessage());
        }
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("(empty)");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
