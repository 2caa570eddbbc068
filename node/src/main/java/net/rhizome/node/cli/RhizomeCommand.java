package net.rhizome.node.cli;

import picocli.CommandLine.Command;

/** The root of the command tree; each sub-command lives in its own class. */
@Command(
        name = "rhizome",
        mixinStandardHelpOptions = true,
        version = "rhizome 0.1.0",
        description = "An open network for running AI models: node, model swarm, ledger and inference.",
        subcommands = {
            ModelCommand.class,
            BenchCommand.class,
            net.rhizome.node.cli.wallet.WalletCommand.class,
            net.rhizome.node.cli.wallet.LedgerCommand.class,
            ChatCommand.class,
            DemoCommand.class,
            TokenizeCommand.class,
            net.rhizome.node.cli.inference.RunCommand.class,
            net.rhizome.node.cli.node.NodeCommand.class,
            net.rhizome.node.cli.node.IdCommand.class,
            net.rhizome.node.cli.node.DevnetCommand.class,
        })
public final class RhizomeCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
