package net.rhizome.node.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import net.rhizome.node.cli.NodeQueryCommand;
import net.rhizome.node.client.NodeClient;
import picocli.CommandLine.Command;

/** {@code rhizome node status}: asks a running node who it is and which peers it knows. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a running node's identity and peers.")
public final class NodeStatusCommand extends NodeQueryCommand {
    @Override
    protected JsonNode fetch(NodeClient client) {
        ObjectNode combined = client.get("/api/node").deepCopy();
        combined.set("peers", client.get("/api/peers").path("peers"));
        return combined;
    }

    @Override
    protected void printText(JsonNode node, PrintWriter out) {
        out.printf("peer id   %s%nroles     %s%nrpc       %s%nhttp      %s%nversion   %s%n",
                node.path("peer_id").asText(), node.path("roles"), node.path("rpc_address").asText(),
                node.path("http_url").asText(), node.path("software_version").asText());
        out.printf("peers     %d%n", node.path("peers").size());
        for (JsonNode p : node.path("peers")) {
            out.printf("  %s  %-21s %-24s score %d%n", p.path("peer_id").asText().substring(0, 16),
                    p.path("rpc_address").asText(), p.path("roles"), p.path("score").asInt());
        }
    }
}
