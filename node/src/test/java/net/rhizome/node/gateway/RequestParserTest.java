package net.rhizome.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The OpenAI request parser: bad bodies of any shape give an {@link OpenAiException} (HTTP 400), nothing else. */
class RequestParserTest {

    @Property(tries = 1500)
    void anyBytesParseOrGiveA400(@ForAll @Size(max = 300) byte[] body) {
        for (var parse : java.util.List.<java.util.function.Function<byte[], CompletionRequest>>of(RequestParser::chat, RequestParser::completion)) {
            try {
                parse.apply(body);
            } catch (OpenAiException e) {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    @Property(tries = 500)
    void anyFieldValuesGiveA400OrAValidRequest(@ForAll String model, @ForAll String content, @ForAll int maxTokens,
            @ForAll double temperature, @ForAll String stop) {
        String body = "{\"model\":" + json(model) + ",\"messages\":[{\"role\":\"user\",\"content\":" + json(content) + "}],"
                + "\"max_tokens\":" + maxTokens + ",\"temperature\":" + (Double.isFinite(temperature) ? temperature : 0) + ",\"stop\":" + json(stop) + "}";
        try {
            CompletionRequest r = RequestParser.chat(body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.maxTokens().getAsInt()).isBetween(1, 65_536);
            assertThat(r.temperature()).isBetween(0f, 2f);
        } catch (OpenAiException e) {
            assertThat(e.status()).isEqualTo(400);
        }
    }

    @Test
    void deepNestingAndHugeNumbersAreRefusedNotCrashed() {
        String deep = "{\"model\":\"m\",\"messages\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThatThrownBy(() -> RequestParser.chat(deep.getBytes(StandardCharsets.UTF_8))).isInstanceOf(OpenAiException.class);
        String big = "{\"model\":\"m\",\"max_tokens\":" + "9".repeat(200) + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        assertThatThrownBy(() -> RequestParser.chat(big.getBytes(StandardCharsets.UTF_8))).isInstanceOf(OpenAiException.class);
    }

    private static String json(String s) {
        return new com.fasterxml.jackson.databind.node.TextNode(s).toString();
    }
}
