package net.rhizome.node.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import net.rhizome.node.client.NodeLocator;
import net.rhizome.node.client.NodeOptions;
import net.rhizome.node.gateway.ChatClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhizome chat}: a streaming chat in the terminal through any node's gateway, or one prompt with --prompt. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with a model served in the network, streamed (interactive: /model ID, /reset, /quit).")
public final class ChatCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    NodeOptions node;

    @Option(names = "--gateway", paramLabel = "URL", description = "Gateway API root, e.g. http://127.0.0.1:8080/v1 (default: the node's /v1).")
    String gateway;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:RHIZOME_API_KEY}",
            description = "API key (default: $RHIZOME_API_KEY, else the api_key devnet.json records for --node devnet:K).")
    String apiKey;

    @Option(names = "--model", paramLabel = "ID", description = "Model id (default: the first listed by the gateway).")
    String model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Ask once, print the answer and exit.")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "256", description = "Most tokens per answer (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.7", description = "Sampling temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        URI base;
        String key = apiKey;
        if (gateway != null) {
            base = URI.create(gateway);
        } else {
            NodeLocator.Target target = node.target();
            base = target.baseUrl().resolve("/v1");
            if (key == null) {
                key = target.apiKey().orElse(null);
            }
        }
        ChatClient client = new ChatClient(base, key);
        try {
            String current = model != null ? model : client.models().stream().findFirst()
                    .orElseThrow(() -> new CliException("the gateway at " + base + " lists no models: no worker serves one yet"));
            List<ChatClient.Message> history = new ArrayList<>();
            if (prompt != null) {
                ask(client, current, history, prompt, out);
                return 0;
            }
            out.println("chatting with " + current + " via " + base + "  (/model ID, /reset, /quit)");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                out.print("> ");
                out.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/quit")) {
                    return 0;
                }
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("/model")) {
                    String id = line.substring(6).strip();
                    if (id.isEmpty()) {
                        out.println("models: " + String.join(", ", client.models()));
                    } else {
                        current = id;
                        history.clear();
                        out.println("now chatting with " + current);
                    }
                    continue;
                }
                if (line.equals("/reset")) {
                    history.clear();
                    continue;
                }
                try {
                    ask(client, current, history, line, out);
                } catch (ChatClient.ChatException e) {
                    out.println("error: " + e.getMessage());
                    history.removeLast();
                }
            }
        } catch (ChatClient.ChatException e) {
            throw new CliException(e.getMessage());
        }
    }

    private void ask(ChatClient client, String model, List<ChatClient.Message> history, String text, PrintWriter out) {
        history.add(new ChatClient.Message("user", text));
        ChatClient.Reply reply = client.chat(model, history, maxTokens, temperature, seed, delta -> {
            out.print(delta);
            out.flush();
        });
        out.println();
        history.add(new ChatClient.Message("assistant", reply.text()));
    }
}
