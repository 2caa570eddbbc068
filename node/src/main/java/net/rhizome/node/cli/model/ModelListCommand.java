package net.rhizome.node.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import net.rhizome.node.cli.NodeQueryCommand;
import net.rhizome.node.client.NodeClient;
import picocli.CommandLine.Command;

/** {@code rhizome model list}: the models in the node's store with their swarm state. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the node's models: id, name, size, state, peers, ratio.")
public final class ModelListCommand extends NodeQueryCommand {
    @Override
    protected JsonNode fetch(NodeClient client) {
        return client.get("/api/models");
    }

    @Override
    protected void printText(JsonNode all, PrintWriter out) {
        out.printf("%-64s  %-24s %10s  %-11s %5s %6s%n", "ID", "NAME", "SIZE", "STATE", "PEERS", "RATIO");
        for (JsonNode m : all.path("models")) {
            String state = m.path("state").asText();
            if (state.equals("downloading")) {
                state = String.format(Locale.ROOT, "%.0f%%", m.path("progress").asDouble() * 100);
            }
            out.printf(Locale.ROOT, "%-64s  %-24s %10s  %-11s %5d %6.2f%n", m.path("id").asText(), m.path("name").asText("?"),
                    Format.bytes(m.path("size").asLong()), state, m.path("peers").asInt(), m.path("ratio").asDouble());
        }
    }
}
