package net.rhizome.node.cli;

import picocli.CommandLine.Command;

/** {@code rhizome model …}: the node's model store and synthetic models. */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = "Add, fetch, pull from a URL, list, remove and synthesise models.",
        subcommands = {
            net.rhizome.node.cli.model.ModelAddCommand.class,
            net.rhizome.node.cli.model.ModelGetCommand.class,
            net.rhizome.node.cli.model.ModelPullCommand.class,
            net.rhizome.node.cli.model.ModelListCommand.class,
            net.rhizome.node.cli.model.ModelRemoveCommand.class,
            net.rhizome.node.cli.inference.ModelSynthCommand.class,
        })
public final class ModelCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
