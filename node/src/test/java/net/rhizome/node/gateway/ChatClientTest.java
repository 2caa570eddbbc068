package net.rhizome.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.node.cli.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ChatClientTest {
    @TempDir
    Path dir;

    Javalin app;
    String key;
    String base;

    @BeforeEach
    void start() throws Exception {
        ApiKeys keys = ApiKeys.open(dir.resolve("keys.json"));
        key = keys.create(KeyPair.deterministic("w").peerId(), "chat").key();
        app = Javalin.create(c -> c.showJavalinBanner = false);
        new OpenAiApi(new ScriptedBackend(), keys, w -> 1_000_000, Clock.systemUTC()).routes(app);
        app.start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port() + "/v1";
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    @Test
    void streamsAChatAndReportsUsageAndWorkers() {
        ChatClient client = new ChatClient(URI.create(base), key);
        assertThat(client.models()).containsExactly("tiny-story", "tiny-embed");
        StringBuilder seen = new StringBuilder();
        ChatClient.Reply reply = client.chat("tiny-story", List.of(new ChatClient.Message("user", "hi")), 5, 0, 1, seen::append);
        assertThat(reply.text()).isEqualTo(seen.toString()).isEqualTo("Once upon a time ,");
        assertThat(reply.finishReason()).isEqualTo("length");
        assertThat(reply.completionTokens()).isEqualTo(5);
        assertThat(reply.charged()).isEqualTo(10);
        assertThat(reply.servedBy()).extracting(ChatClient.Served::worker).containsExactly(ScriptedBackend.WORKER.peerId().hex());
        assertThat(reply.firstTokenNanos()).isPositive().isLessThanOrEqualTo(reply.totalNanos());
    }

    @Test
    void refusalsCarryTheGatewayMessage() {
        ChatClient client = new ChatClient(URI.create(base), "rhz-000000000000-" + "1".repeat(64));
        assertThatThrownBy(() -> client.chat("tiny-story", List.of(new ChatClient.Message("user", "hi")), 5, 0, 1, s -> {}))
                .hasMessageContaining("HTTP 401").hasMessageContaining("unknown API key");
        assertThatThrownBy(() -> new ChatClient(URI.create("http://127.0.0.1:1/v1"), key).models())
                .hasMessageContaining("no gateway answers");
    }

    @Test
    void chatCommandAnswersOnePrompt() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("chat", "--gateway", base, "--api-key", key, "--prompt", "Tell me a story", "--max-tokens", "4");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo("Once upon a time" + System.lineSeparator());

        code = cli.execute("chat", "--gateway", base, "--api-key", key, "--model", "nope", "--prompt", "x");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("rhizome chat: gateway refused (HTTP 404)");
    }
}
