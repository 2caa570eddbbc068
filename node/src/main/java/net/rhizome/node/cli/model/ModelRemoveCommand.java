package net.rhizome.node.cli.model;

import java.util.concurrent.Callable;
import net.rhizome.node.client.NodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rhizome model remove ID}: stops sharing a model and deletes its files from the store. */
@Command(name = "remove", mixinStandardHelpOptions = true, description = "Stop seeding a model and delete it from the node's store.")
public final class ModelRemoveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions nodeOptions;

    @Parameters(paramLabel = "ID", description = "Model id (64 hex digits).")
    String id;

    @Override
    public Integer call() {
        nodeOptions.client().post("/api/models/" + id.trim() + "/remove", java.util.Map.of());
        spec.commandLine().getOut().println("removed " + id.trim());
        return 0;
    }
}
