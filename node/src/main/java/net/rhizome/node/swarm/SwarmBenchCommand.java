package net.rhizome.node.swarm;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import net.rhizome.node.cli.CliException;
import net.rhizome.swarm.bench.SwarmBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhizome bench swarm}: loopback model-swarm benchmark against libtorrent in the same run. */
@Command(name = "swarm", mixinStandardHelpOptions = true,
        description = "Swarm on loopback with a synthetic model: 1 seeder -> 1 leecher, 1 -> N leechers, libtorrent doing the same, CPU per GiB.")
public final class SwarmBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--size-mib", defaultValue = "1024", description = "Synthetic model size in MiB (default ${DEFAULT-VALUE}).")
    long sizeMib;

    @Option(names = "--leechers", defaultValue = "8", description = "Leechers in the 1 -> N run (default ${DEFAULT-VALUE}).")
    int leechers;

    @Option(names = "--no-libtorrent", description = "Skip the libtorrent reference transfer.")
    boolean noLibtorrent;

    @Option(names = "--leecher-processes", description = "Also run the Rhizome 1 -> 1 and 1 -> N transfers with each leecher in its own JVM, as libtorrent's are.")
    boolean leecherProcesses;

    @Option(names = "--upload-limit-mib", defaultValue = "0", paramLabel = "MIB_PER_S",
            description = "Limit every peer's upload (Rhizome and libtorrent alike), so uplinks rather than the CPUs bound the transfers, "
                    + "as on a real network; 0 = none (default ${DEFAULT-VALUE}).")
    double uploadLimitMib;

    @Option(names = "--work-dir", defaultValue = "/tmp/rhizome-swarm-bench",
            description = "Scratch directory for the random data; deleted afterwards (default ${DEFAULT-VALUE}).")
    Path work;

    @Override
    public Integer call() throws Exception {
        if (sizeMib < 1 || sizeMib > 64 * 1024 || leechers < 1 || leechers > 64) {
            throw new CliException("--size-mib must be 1..65536 and --leechers 1..64");
        }
        if (!(uploadLimitMib >= 0 && uploadLimitMib <= 1 << 20)) {
            throw new CliException("--upload-limit-mib must be 0..1048576 MiB/s, not " + uploadLimitMib);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("note: loopback on this machine; other processes share the CPUs, so figures vary between runs");
        SwarmBenchmark.run(work, sizeMib << 20, leechers, new SwarmBenchmark.Options(!noLibtorrent, leecherProcesses,
                Math.round(uploadLimitMib * (1 << 20))), out);
        return 0;
    }
}
