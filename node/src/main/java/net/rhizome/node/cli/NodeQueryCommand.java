package net.rhizome.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that reads JSON from a running node and prints it as text, or as JSON with {@code --json}. */
public abstract class NodeQueryCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    @Mixin
    protected NodeOptions nodeOptions;

    @Option(names = "--json", description = "Print JSON.")
    protected boolean json;

    /** What to show, read from the node. */
    protected abstract JsonNode fetch(NodeClient client);

    /** The human-readable form of {@code body}. */
    protected abstract void printText(JsonNode body, PrintWriter out);

    @Override
    public final Integer call() {
        JsonNode body = fetch(nodeOptions.client());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(body.toPrettyString());
        } else {
            printText(body, out);
        }
        out.flush();
        return 0;
    }
}
