package net.rhizome.node.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import net.rhizome.node.client.NodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhizome model list}: the models in the node's store with their swarm state. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the node's models: id, name, size, state, peers, ratio.")
public final class ModelListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions nodeOptions;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode all = nodeOptions.client().get("/api/models");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(all.toPrettyString());
            return 0;
        }
        out.printf("%-64s  %-24s %10s  %-11s %5s %6s%n", "ID", "NAME", "SIZE", "STATE", "PEERS", "RATIO");
        for (JsonNode m : all.path("models")) {
            String state = m.path("state").asText();
            if (state.equals("downloading")) {
                state = String.format(Locale.ROOT, "%.0f%%", m.path("progress").asDouble() * 100);
            }
            out.printf(Locale.ROOT, "%-64s  %-24s %10s  %-11s %5d %6.2f%n", m.path("id").asText(), m.path("name").asText("?"),
                    Format.bytes(m.path("size").asLong()), state, m.path("peers").asInt(), m.path("ratio").asDouble());
        }
        return 0;
    }
}
