package net.rhizome.node.cli;

import picocli.CommandLine.Command;

/** {@code rhizome bench …}: benchmarks that print each figure next to its reference from the same run. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks: each prints its figure beside a reference measured in the same run.",
        subcommands = {net.rhizome.node.cli.bench.LedgerBenchCommand.class,
            net.rhizome.node.swarm.SwarmBenchCommand.class,
            net.rhizome.node.cli.node.TransportBenchCommand.class,
            net.rhizome.node.cli.bench.DhtBenchCommand.class,
            net.rhizome.node.cli.inference.InferenceBenchCommand.class,
            net.rhizome.node.gateway.MarketBenchCommand.class,
        })
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
