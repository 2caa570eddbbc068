package net.rhizome.node.gateway;

import java.util.List;
import java.util.OptionalInt;

/**
 * A parsed {@code POST /v1/embeddings} body: the inputs in the client's order, whether vectors go back
 * as base64 (little-endian float32) instead of JSON numbers, and an optional shorter dimension.
 */
record EmbeddingRequest(String model, List<Input> inputs, boolean base64, OptionalInt dimensions) {
    EmbeddingRequest {
        inputs = List.copyOf(inputs);
    }

    /** One input: text to tokenise with the model's tokenizer, or token ids as given. */
    sealed interface Input {
        record Text(String text) implements Input {}

        record Tokens(int[] tokens) implements Input {}
    }
}
