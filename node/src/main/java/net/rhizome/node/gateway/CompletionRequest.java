package net.rhizome.node.gateway;

import java.util.List;
import java.util.OptionalInt;

/**
 * A validated {@code /v1/chat/completions} or {@code /v1/completions} request. {@code maxTokens} is
 * empty when the client left it to the gateway (then: the rest of the context, capped).
 */
public record CompletionRequest(
        String model,
        Prompt prompt,
        OptionalInt maxTokens,
        float temperature,
        float topP,
        long seed,
        List<String> stop,
        boolean stream,
        boolean includeUsage) {
    public CompletionRequest {
        stop = List.copyOf(stop);
    }

    public boolean chat() {
        return prompt instanceof Prompt.Chat;
    }
}
