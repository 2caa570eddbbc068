package net.rhizome.node.cli.node;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rhizome node …}: run and inspect a node daemon. */
@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        description = "Run a Rhizome node daemon.",
        subcommands = {NodeStartCommand.class, NodeStatusCommand.class})
public final class NodeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
