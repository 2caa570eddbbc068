package net.rhizome.node.cli.wallet;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import net.rhizome.node.cli.NodeQueryCommand;
import net.rhizome.node.client.NodeClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rhizome ledger status}: height, state root and supply of the ledger a node uses. */
@Command(name = "ledger", mixinStandardHelpOptions = true, description = "The ledger a node hosts or uses.",
        subcommands = {LedgerCommand.Status.class})
public final class LedgerCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Height, block hash, state root, supply per asset.")
    static final class Status extends NodeQueryCommand {
        @Override
        protected JsonNode fetch(NodeClient client) {
            return client.get("/api/ledger/status");
        }

        @Override
        protected void printText(JsonNode s, PrintWriter out) {
            out.printf("chain        %s (%s, genesis %s)%nheight       %d%nblock hash   %s%nstate root   %s%n"
                            + "supply       credits %,d   rhz %,d%nreward pool  %,d rhz (%d epochs paid)%n",
                    s.path("chain").asText(), s.path("mode").asText(), s.path("genesis").asText().substring(0, 16),
                    s.path("height").asLong(), s.path("block_hash").asText(), s.path("state_root").asText(),
                    s.path("supply").path("credits").asLong(), s.path("supply").path("rhz").asLong(),
                    s.path("reward_pool").asLong(), s.path("epochs_paid").asLong());
        }
    }
}
