package net.rhizome.node.gateway;

/**
 * A request the gateway refuses, carried to the client as an OpenAI-style error object
 * {@code {"error": {"message", "type", "param", "code"}}} with the HTTP status named here.
 */
public final class OpenAiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final String param;

    public OpenAiException(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    public static OpenAiException invalidRequest(String param, String message) {
        return new OpenAiException(400, "invalid_request_error", "invalid_value", param, message);
    }

    public static OpenAiException invalidJson(String message) {
        return new OpenAiException(400, "invalid_request_error", "invalid_json", null, message);
    }

    public static OpenAiException unknownModel(String model) {
        return new OpenAiException(404, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' is not served in the network now (GET /v1/models lists those that are)");
    }

    public static OpenAiException contextLength(int promptTokens, int maxTokens, int context) {
        return new OpenAiException(400, "invalid_request_error", "context_length_exceeded", "messages",
                "This model's maximum context length is " + context + " tokens; the prompt has " + promptTokens
                        + " tokens and max_tokens asks for " + maxTokens + " more");
    }

    public static OpenAiException missingKey() {
        return new OpenAiException(401, "invalid_request_error", "missing_api_key", null,
                "No API key: send 'Authorization: Bearer <key>' (create one with ./rhizome wallet keys create)");
    }

    public static OpenAiException invalidKey(String why) {
        return new OpenAiException(401, "invalid_request_error", "invalid_api_key", null, why);
    }

    public static OpenAiException insufficientCredits(long needed, long available) {
        return new OpenAiException(402, "insufficient_quota", "insufficient_credits", null,
                "This request may cost up to " + needed + " credit units; the key's wallet has " + available);
    }

    public static OpenAiException noWorker(String model, String why) {
        return new OpenAiException(503, "server_error", "no_worker_available", null,
                "No worker can serve '" + model + "' now: " + why);
    }

    public static OpenAiException upstream(String message) {
        return new OpenAiException(502, "server_error", "worker_failed", null, message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }
}
