package net.rhizome.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import net.rhizome.node.client.NodeOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rhizome wallet keys create|list|revoke}: API keys of the node's gateway, each bound to a wallet held by the node. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "API keys for the node's OpenAI-compatible gateway, each paying from its own wallet (or a shared one).",
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

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a key; it is shown once. By default it pays from a new wallet of its own (fund it before use).")
    static final class Create extends Base {
        @Option(names = "--label", description = "A note to recognise the key by.", defaultValue = "")
        String label;

        @ArgGroup(exclusive = true)
        WalletChoice wallet;

        static final class WalletChoice {
            @Option(names = "--new-wallet", description = "Pay from a new wallet of its own, kept on the node (the default).")
            boolean fresh;

            @Option(names = "--wallet", paramLabel = "NAME",
                    description = "Pay from an existing wallet on the node: 'node' (the node's wallet) or a wallet address (or a unique prefix).")
            String name;
        }

        @Override
        public Integer call() {
            String walletParam = wallet == null || wallet.fresh ? ApiKeysAdmin.NEW_WALLET : wallet.name;
            JsonNode r = node.client().post("/api/admin/gateway/keys?label=" + URLEncoder.encode(label, StandardCharsets.UTF_8)
                    + "&wallet=" + URLEncoder.encode(walletParam, StandardCharsets.UTF_8), Map.of());
            if (json) {
                out().println(r.toPrettyString());
            } else {
                out().println(r.path("key").asText());
                out().println("id " + r.path("id").asText() + ", pays from " + (r.path("new_wallet").asBoolean() ? "its new wallet " : "wallet ")
                        + r.path("wallet").asText() + " (" + r.path("credits").asLong() + " credit units)"
                        + "; use it as: Authorization: Bearer <key> (shown only now)");
                if (r.path("credits").asLong() == 0) {
                    out().println("fund it, e.g.: ./rhizome wallet faucet --node devnet:1 --to " + r.path("wallet").asText() + " --amount 100000000");
                }
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys: id, wallet address and its credits, label (never the secrets).")
    static final class ListKeys extends Base {
        @Override
        public Integer call() {
            JsonNode r = node.client().get("/api/admin/gateway/keys");
            if (json) {
                out().println(r.toPrettyString());
            } else {
                out().printf("%-14s %-66s %16s %-25s %-25s %s%n", "ID", "WALLET", "CREDITS", "CREATED", "REVOKED", "LABEL");
                for (JsonNode k : r) {
                    String wallet = k.path("wallet").asText() + (k.path("node_wallet").asBoolean() ? "*" : "");
                    out().printf("%-14s %-66s %16d %-25s %-25s %s%n", k.path("id").asText(), wallet, k.path("credits").asLong(),
                            k.path("created").asText(), k.path("revoked").asText().isEmpty() ? "-" : k.path("revoked").asText(),
                            k.path("label").asText());
                }
                out().println("(* the node's own wallet; credits in base units, free to spend)");
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
