package net.rhizome.node.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import net.rhizome.market.job.JobLimits;

/** Parses OpenAI request bodies into {@link CompletionRequest}s, naming the parameter at fault. */
final class RequestParser {
    static final int MAX_MESSAGES = 1024;
    static final int MAX_PROMPT_CHARS = 512 * 1024;
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(32).maxStringLength(MAX_PROMPT_CHARS).maxNumberLength(64).build())
                    .build())
            .build();

    private RequestParser() {}

    static CompletionRequest chat(byte[] body) {
        JsonNode root = parse(body);
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw OpenAiException.invalidRequest("messages", "'messages' must be a non-empty array");
        }
        if (messages.size() > MAX_MESSAGES) {
            throw OpenAiException.invalidRequest("messages", "at most " + MAX_MESSAGES + " messages, got " + messages.size());
        }
        List<Prompt.ChatMessage> list = new ArrayList<>();
        long chars = 0;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String param = "messages[" + i + "]";
            if (!m.isObject()) {
                throw OpenAiException.invalidRequest(param, param + " must be an object");
            }
            String role = text(m, "role", param + ".role");
            if (!List.of("system", "developer", "user", "assistant").contains(role)) {
                throw OpenAiException.invalidRequest(param + ".role", "unsupported role '" + role + "'");
            }
            String content = content(m.get("content"), param + ".content");
            chars += content.length();
            list.add(new Prompt.ChatMessage("developer".equals(role) ? "system" : role, content));
        }
        if (chars > MAX_PROMPT_CHARS) {
            throw OpenAiException.invalidRequest("messages", "messages hold " + chars + " characters, limit " + MAX_PROMPT_CHARS);
        }
        OptionalInt max = optionalInt(root, "max_completion_tokens");
        return common(root, new Prompt.Chat(list), max.isPresent() ? max : optionalInt(root, "max_tokens"));
    }

    static CompletionRequest completion(byte[] body) {
        JsonNode root = parse(body);
        JsonNode prompt = root.get("prompt");
        String text;
        if (prompt != null && prompt.isTextual()) {
            text = prompt.asText();
        } else if (prompt != null && prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            text = prompt.get(0).asText();
        } else {
            throw OpenAiException.invalidRequest("prompt", "'prompt' must be a string (or an array of exactly one string)");
        }
        return common(root, new Prompt.Text(text), optionalInt(root, "max_tokens"));
    }

    /** Inputs per embeddings request, as OpenAI allows. */
    static final int MAX_EMBEDDING_INPUTS = 2048;

    static EmbeddingRequest embeddings(byte[] body) {
        JsonNode root = parse(body);
        String model = text(root, "model", "model");
        JsonNode input = root.get("input");
        List<EmbeddingRequest.Input> inputs = new ArrayList<>();
        if (input != null && input.isTextual()) {
            inputs.add(textInput(input, "input"));
        } else if (input != null && input.isArray() && !input.isEmpty() && input.get(0).isIntegralNumber()) {
            inputs.add(tokensInput(input, "input"));
        } else if (input != null && input.isArray() && !input.isEmpty()) {
            if (input.size() > MAX_EMBEDDING_INPUTS) {
                throw OpenAiException.invalidRequest("input", "at most " + MAX_EMBEDDING_INPUTS + " inputs, got " + input.size());
            }
            for (int i = 0; i < input.size(); i++) {
                JsonNode in = input.get(i);
                String param = "input[" + i + "]";
                if (in.isTextual()) {
                    inputs.add(textInput(in, param));
                } else if (in.isArray()) {
                    inputs.add(tokensInput(in, param));
                } else {
                    throw OpenAiException.invalidRequest(param, "'" + param + "' must be a string or an array of token ids");
                }
            }
        } else {
            throw OpenAiException.invalidRequest("input",
                    "'input' must be a non-empty string, array of strings, array of token ids or array of such arrays");
        }
        JsonNode format = root.get("encoding_format");
        boolean base64 = false;
        if (format != null && !format.isNull()) {
            if (!format.isTextual() || !List.of("float", "base64").contains(format.asText())) {
                throw OpenAiException.invalidRequest("encoding_format", "'encoding_format' must be \"float\" or \"base64\"");
            }
            base64 = format.asText().equals("base64");
        }
        OptionalInt dimensions = optionalInt(root, "dimensions");
        if (dimensions.isPresent() && dimensions.getAsInt() < 1) {
            throw OpenAiException.invalidRequest("dimensions", "'dimensions' must be at least 1, got " + dimensions.getAsInt());
        }
        return new EmbeddingRequest(model, inputs, base64, dimensions);
    }

    private static EmbeddingRequest.Input textInput(JsonNode node, String param) {
        if (node.asText().isEmpty()) {
            throw OpenAiException.invalidRequest(param, "'" + param + "' must not be empty");
        }
        return new EmbeddingRequest.Input.Text(node.asText());
    }

    private static EmbeddingRequest.Input tokensInput(JsonNode node, String param) {
        if (node.isEmpty()) {
            throw OpenAiException.invalidRequest(param, "'" + param + "' must not be empty");
        }
        int[] tokens = new int[node.size()];
        for (int i = 0; i < tokens.length; i++) {
            JsonNode t = node.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0) {
                throw OpenAiException.invalidRequest(param, "'" + param + "' must hold token ids (non-negative integers); item " + i + " is " + t);
            }
            tokens[i] = t.intValue();
        }
        return new EmbeddingRequest.Input.Tokens(tokens);
    }

    private static CompletionRequest common(JsonNode root, Prompt prompt, OptionalInt maxTokens) {
        String model = text(root, "model", "model");
        if (maxTokens.isPresent() && (maxTokens.getAsInt() < 1 || maxTokens.getAsInt() > JobLimits.MAX_OUTPUT_TOKENS)) {
            throw OpenAiException.invalidRequest("max_tokens",
                    "max_tokens must be 1.." + JobLimits.MAX_OUTPUT_TOKENS + ", got " + maxTokens.getAsInt());
        }
        float temperature = number(root, "temperature", 1.0, 0, 2);
        float topP = number(root, "top_p", 1.0, Double.MIN_VALUE, 1);
        JsonNode n = root.get("n");
        if (n != null && !n.isNull() && !(n.canConvertToInt() && n.isIntegralNumber() && n.intValue() == 1)) {
            throw OpenAiException.invalidRequest("n", "only n=1 is supported");
        }
        JsonNode seedNode = root.get("seed");
        long seed = 0;
        if (seedNode != null && !seedNode.isNull()) {
            if (!seedNode.isIntegralNumber() || !seedNode.canConvertToLong()) {
                throw OpenAiException.invalidRequest("seed", "'seed' must be an integer");
            }
            seed = seedNode.longValue();
        }
        boolean stream = bool(root, "stream");
        JsonNode options = root.get("stream_options");
        boolean includeUsage = options != null && options.isObject() && bool(options, "include_usage");
        return new CompletionRequest(model, prompt, maxTokens, temperature, topP, seed, stop(root.get("stop")), stream, includeUsage);
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || !root.isObject()) {
                throw OpenAiException.invalidJson("the request body must be a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw OpenAiException.invalidJson("the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw OpenAiException.invalidJson("cannot read the request body: " + e.getMessage());
        }
    }

    private static String content(JsonNode node, String param) {
        if (node != null && node.isTextual()) {
            return node.asText();
        }
        if (node != null && node.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : node) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw OpenAiException.invalidRequest(param, "only text content parts are supported");
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw OpenAiException.invalidRequest(param, "'" + param + "' must be a string or an array of text parts");
    }

    private static List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<String> stops = new ArrayList<>();
        if (node.isTextual()) {
            stops.add(node.asText());
        } else if (node.isArray()) {
            for (JsonNode s : node) {
                if (!s.isTextual()) {
                    throw OpenAiException.invalidRequest("stop", "'stop' entries must be strings");
                }
                stops.add(s.asText());
            }
        } else {
            throw OpenAiException.invalidRequest("stop", "'stop' must be a string or an array of strings");
        }
        if (stops.size() > JobLimits.MAX_STOP_STRINGS) {
            throw OpenAiException.invalidRequest("stop", "at most " + JobLimits.MAX_STOP_STRINGS + " stop strings");
        }
        for (String s : stops) {
            if (s.isEmpty() || s.length() > JobLimits.MAX_STOP_LENGTH) {
                throw OpenAiException.invalidRequest("stop", "stop strings must be 1.." + JobLimits.MAX_STOP_LENGTH + " characters");
            }
        }
        return stops;
    }

    private static String text(JsonNode root, String field, String param) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            throw OpenAiException.invalidRequest(param, "'" + param + "' must be a non-empty string");
        }
        return node.asText();
    }

    private static OptionalInt optionalInt(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return OptionalInt.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw OpenAiException.invalidRequest(field, "'" + field + "' must be an integer");
        }
        return OptionalInt.of(node.intValue());
    }

    private static float number(JsonNode root, String field, double fallback, double min, double max) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return (float) fallback;
        }
        if (!node.isNumber() || !(node.doubleValue() >= min && node.doubleValue() <= max)) {
            throw OpenAiException.invalidRequest(field, "'" + field + "' must be a number in " + (min == Double.MIN_VALUE ? "(0" : "[" + (int) min) + ", " + (int) max + "]");
        }
        return node.floatValue();
    }

    private static boolean bool(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw OpenAiException.invalidRequest(field, "'" + field + "' must be true or false");
        }
        return node.booleanValue();
    }
}
