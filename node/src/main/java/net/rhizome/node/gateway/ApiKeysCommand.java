package net.rhizome.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import net.rhizome.node.client.NodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rhizome wallet keys create|list|revoke}: API keys of the node's gateway, bound to the node's wallet. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "API keys for the node's OpenAI-compatible gateway (paid from the node's wallet).",
        subcommands = {ApiKeysCommand.Create.class, ApiKeysCommand.ListKeys.class, ApiKeysCommand.Revoke.class})
public final class ApiKeysCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    abstract static class Base implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        NodeOptions node;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key; it is shown once.")
    static final class Create extends Base {
        @Option(names = "--label", description = "A note to recognise the key by.", defaultValue = "")
        String label;

        @Override
        public Integer call() {
            JsonNode r = node.client().post("/api/admin/gateway/keys?label=" + URLEncoder.encode(label, StandardCharsets.UTF_8), Map.of());
            if (json) {
                out().println(r.toPrettyString());
            } else {
                out().println(r.path("key").asText());
                out().println("id " + r.path("id").asText() + ", pays from wallet " + r.path("wallet").asText()
                        + "; use it as: Authorization: Bearer <key> (shown only now)");
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (ids, wallets, labels; never the secrets).")
    static final class ListKeys extends Base {
        @Override
        public Integer call() {
            JsonNode r = node.client().get("/api/admin/gateway/keys");
            if (json) {
                out().println(r.toPrettyString());
            } else {
                out().printf("%-14s %-10s %-25s %-25s %s%n", "ID", "WALLET", "CREATED", "REVOKED", "LABEL");
                for (JsonNode k : r) {
                    out().printf("%-14s %-10s %-25s %-25s %s%n", k.path("id").asText(), k.path("wallet").asText().substring(0, 8),
                            k.path("created").asText(), k.path("revoked").asText().isEmpty() ? "-" : k.path("revoked").asText(),
                            k.path("label").asText());
                }
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key by id; requests with it are refused from now on.")
    static final class Revoke extends Base {
        @Parameters(paramLabel = "ID", description = "The key's id (from list).")
        String id;

        @Override
        public Integer call() {
            if (!id.matches("[0-9a-f]{12}")) {
                throw new IllegalArgumentException("a key id is 12 hex characters, got '" + id + "'");
            }
            node.client().post("/api/admin/gateway/keys/" + id + "/revoke", Map.of());
            out().println("revoked " + id);
            out().flush();
            return 0;
        }
    }
}
