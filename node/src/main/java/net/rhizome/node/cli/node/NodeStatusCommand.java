package net.rhizome.node.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhizome node status}: asks a running node who it is and which peers it knows. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a running node's identity and peers.")
public final class NodeStatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions nodeOptions;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        NodeClient client = nodeOptions.client();
        JsonNode node = client.get("/api/node");
        JsonNode peers = client.get("/api/peers");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode combined = node.deepCopy();
            combined.set("peers", peers.path("peers"));
            out.println(combined.toPrettyString());
            return 0;
        }
        out.printf("peer id   %s%nroles     %s%nrpc       %s%nhttp      %s%nversion   %s%n",
                node.path("peer_id").asText(), node.path("roles"), node.path("rpc_address").asText(),
                node.path("http_url").asText(), node.path("software_version").asText());
        out.printf("peers     %d%n", peers.path("peers").size());
        for (JsonNode p : peers.path("peers")) {
            out.printf("  %s  %-21s %-24s score %d%n", p.path("peer_id").asText().substring(0, 16),
                    p.path("rpc_address").asText(), p.path("roles"), p.path("score").asInt());
        }
        return 0;
    }
}
