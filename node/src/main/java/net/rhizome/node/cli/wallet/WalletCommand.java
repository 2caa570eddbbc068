package net.rhizome.node.cli.wallet;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import net.rhizome.node.cli.CliException;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rhizome wallet …}: the ledger account of a node (its node key). Reads go to the node's
 * public ledger routes; anything that signs goes to its admin routes and waits for the block.
 */
@Command(name = "wallet", mixinStandardHelpOptions = true,
        description = "The node's ledger account: balances, transfers, staking, payment channels, history.",
        subcommands = {WalletCommand.Balance.class, WalletCommand.Transfer.class, WalletCommand.Stake.class,
                WalletCommand.Unbond.class, WalletCommand.Withdraw.class, WalletCommand.History.class,
                WalletCommand.Faucet.class, ChannelCommand.class,
                net.rhizome.node.gateway.ApiKeysCommand.class})
public final class WalletCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options and output every wallet sub-command shares. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        NodeOptions nodeOptions;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        NodeClient client() {
            return nodeOptions.client();
        }

        /** Sends a signing action and prints its outcome; a rejection is exit code 2 with the reason. */
        int send(String path, Map<String, Object> body) {
            JsonNode r = client().post(path, body);
            if (json) {
                out().println(r.toPrettyString());
            } else if (r.path("accepted").asBoolean()) {
                out().printf("accepted in block %d (tx %s)%n", r.path("height").asLong(), r.path("tx_id").asText());
                if (r.hasNonNull("channel")) {
                    out().printf("channel %s%n", r.path("channel").asText());
                }
            }
            out().flush();
            if (!r.path("accepted").asBoolean()) {
                throw new CliException("rejected: " + r.path("code").asText() + ": " + r.path("error").asText(), 2);
            }
            return 0;
        }
    }

    static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    @Command(name = "balance", mixinStandardHelpOptions = true, description = "Credits, RHZ, stake and reputation of an account.")
    static final class Balance extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ACCOUNT", description = "Peer id (default: the node's own).")
        String account = "self";

        @Override
        public Integer call() {
            JsonNode a = client().get("/api/ledger/accounts/" + account);
            if (json) {
                out().println(a.toPrettyString());
                return 0;
            }
            out().printf("account    %s%ncredits    %,d%nrhz        %,d%nstaked     %,d%nunbonding  %,d (withdrawable at height %d)%n"
                            + "roles      %s%nreputation %d / 1000%nnonce      %d%n",
                    a.path("id").asText(), a.path("credits").asLong(), a.path("rhz").asLong(), a.path("staked").asLong(),
                    a.path("unbonding").asLong(), a.path("unbonding_release_height").asLong(), a.path("roles"),
                    a.path("reputation").asInt(), a.path("nonce").asLong());
            return 0;
        }
    }

    @Command(name = "transfer", mixinStandardHelpOptions = true, description = "Send credits or RHZ to another account.")
    static final class Transfer extends Base {
        @Option(names = "--to", required = true, paramLabel = "PEER_ID")
        String to;

        @Option(names = "--amount", required = true, description = "In base units.")
        long amount;

        @Option(names = "--asset", defaultValue = "credits", description = "credits or rhz (default ${DEFAULT-VALUE}).")
        String asset;

        @Override
        public Integer call() {
            return send("/api/ledger/wallet/transfer", body("to", to, "asset", asset, "amount", amount));
        }
    }

    @Command(name = "stake", mixinStandardHelpOptions = true, description = "Lock RHZ as stake.")
    static final class Stake extends Base {
        @Option(names = "--amount", required = true)
        long amount;

        @Override
        public Integer call() {
            return send("/api/ledger/wallet/stake", body("amount", amount));
        }
    }

    @Command(name = "unbond", mixinStandardHelpOptions = true, description = "Start unbonding stake (withdrawable after the unbonding period).")
    static final class Unbond extends Base {
        @Option(names = "--amount", required = true)
        long amount;

        @Override
        public Integer call() {
            return send("/api/ledger/wallet/unbond", body("amount", amount));
        }
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true, description = "Return unbonded RHZ to the balance.")
    static final class Withdraw extends Base {
        @Override
        public Integer call() {
            return send("/api/ledger/wallet/withdraw", body());
        }
    }

    @Command(name = "faucet", mixinStandardHelpOptions = true,
            description = "Mint devnet credits (ask the node holding the faucet key, e.g. --node devnet:1).")
    static final class Faucet extends Base {
        @Option(names = "--to", required = true, paramLabel = "PEER_ID")
        String to;

        @Option(names = "--amount", required = true)
        long amount;

        @Override
        public Integer call() {
            return send("/api/ledger/faucet", body("to", to, "amount", amount));
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Recent transactions of an account, newest first.")
    static final class History extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ACCOUNT", description = "Peer id (default: the node's own).")
        String account = "self";

        @Option(names = "--limit", defaultValue = "20")
        int limit;

        @Override
        public Integer call() {
            JsonNode list = client().get("/api/ledger/accounts/" + account + "/history?limit=" + limit);
            if (json) {
                out().println(list.toPrettyString());
                return 0;
            }
            for (JsonNode r : list) {
                JsonNode op = r.path("operation");
                StringBuilder fields = new StringBuilder();
                op.properties().forEach(f -> {
                    if (!f.getKey().equals("type")) {
                        String v = f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString();
                        fields.append(' ').append(f.getKey()).append('=').append(v.length() > 16 ? v.substring(0, 16) + "…" : v);
                    }
                });
                out().printf("%8d.%-4d %s  nonce %-5d %-15s%s%n", r.path("height").asLong(), r.path("index").asInt(),
                        r.path("sender").asText().substring(0, 12), r.path("nonce").asLong(), op.path("type").asText(), fields);
            }
            if (list.isEmpty()) {
                out().println("no transactions");
            }
            return 0;
        }
    }
}
