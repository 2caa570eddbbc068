package net.rhizome.node.cli.wallet;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhizome wallet channel open|top-up|close|list}: the node's payment channels. */
@Command(name = "channel", mixinStandardHelpOptions = true, description = "Payment channels of the node's account.",
        subcommands = {ChannelCommand.Open.class, ChannelCommand.TopUp.class, ChannelCommand.Close.class, ChannelCommand.ListChannels.class})
public final class ChannelCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "open", mixinStandardHelpOptions = true, description = "Lock a credit deposit for a payee (a worker) and a model.")
    static final class Open extends WalletCommand.Base {
        @Option(names = "--payee", required = true, paramLabel = "PEER_ID")
        String payee;

        @Option(names = "--model", required = true, paramLabel = "INFO_HASH", description = "The model's 32-byte id in hex.")
        String model;

        @Option(names = "--deposit", required = true, description = "Credits, base units.")
        long deposit;

        @Option(names = "--expiry-blocks", defaultValue = "3600", description = "Blocks until the payer may take the rest back (default ${DEFAULT-VALUE}).")
        long expiryBlocks;

        @Override
        public Integer call() {
            return send("/api/ledger/wallet/channel-open",
                    WalletCommand.body("payee", payee, "model", model, "deposit", deposit, "expiry_blocks", expiryBlocks));
        }
    }

    @Command(name = "top-up", mixinStandardHelpOptions = true, description = "Add to a channel's deposit, optionally extending it.")
    static final class TopUp extends WalletCommand.Base {
        @Option(names = "--channel", required = true)
        String channel;

        @Option(names = "--amount", required = true)
        long amount;

        @Option(names = "--expiry-blocks", description = "New expiry, in blocks from now (never earlier than the current one).")
        Long expiryBlocks;

        @Override
        public Integer call() {
            return send("/api/ledger/wallet/channel-top-up",
                    WalletCommand.body("channel", channel, "amount", amount, "expiry_blocks", expiryBlocks));
        }
    }

    @Command(name = "close", mixinStandardHelpOptions = true,
            description = "As payee: settle the newest voucher and close. As payer: take back the unclaimed deposit after expiry.")
    static final class Close extends WalletCommand.Base {
        @Option(names = "--channel", required = true)
        String channel;

        @Option(names = "--voucher", paramLabel = "HEX", description = "The newest voucher (payee only), 113 bytes in hex.")
        String voucher;

        @Override
        public Integer call() {
            return send("/api/ledger/wallet/channel-close", WalletCommand.body("channel", channel, "voucher", voucher));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Channels where the node is payer or payee.")
    static final class ListChannels extends WalletCommand.Base {
        @Override
        public Integer call() {
            JsonNode list = client().get("/api/ledger/accounts/self/channels");
            if (json) {
                out().println(list.toPrettyString());
                return 0;
            }
            for (JsonNode c : list) {
                out().printf("%s  %-6s payer %s payee %s  deposit %,d claimed %,d  expires at %d%n",
                        c.path("id").asText().substring(0, 16), c.path("open").asBoolean() ? "open" : "closed",
                        c.path("payer").asText().substring(0, 12), c.path("payee").asText().substring(0, 12),
                        c.path("deposit").asLong(), c.path("claimed").asLong(), c.path("expiry_height").asLong());
            }
            if (list.isEmpty()) {
                out().println("no channels");
            }
            return 0;
        }
    }
}
