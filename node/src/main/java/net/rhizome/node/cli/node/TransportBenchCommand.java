package net.rhizome.node.cli.node;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import net.rhizome.net.transport.NodeTransport;
import net.rhizome.net.transport.TransportBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhizome bench transport}: the node transport against a plain TLS 1.3 socket, on loopback. */
@Command(name = "transport", mixinStandardHelpOptions = true,
        description = "Node transport (gRPC over TLS 1.3) vs a plain JDK TLS 1.3 socket on loopback: "
                + "connection set-up, unary round trip, streaming throughput over 1 and 16 streams, and the "
                + "process CPU time per MB streamed (both ends run in this JVM; steadier than MB/s on a busy machine).")
public final class TransportBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--connections", paramLabel = "N", description = "Connection set-ups to time. Default: ${DEFAULT-VALUE}")
    int connections = 30;

    @Option(names = "--calls", paramLabel = "N", description = "Timed round trips. Default: ${DEFAULT-VALUE}")
    int calls = 5000;

    @Option(names = "--mb", paramLabel = "MB", description = "MiB streamed per throughput test. Default: ${DEFAULT-VALUE}")
    int mebibytes = 256;

    @Option(names = "--chunk-kb", paramLabel = "KB", description = "Message size while streaming, KiB. Default: ${DEFAULT-VALUE}")
    int chunkKib = 64;

    @Override
    public Integer call() throws Exception {
        TransportBenchmark.Settings settings;
        try {
            settings = new TransportBenchmark.Settings(connections, calls, (long) mebibytes << 20, chunkKib << 10);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "need --connections ≥ 1, --calls ≥ 10, --mb ≥ 1, --chunk-kb 1..1024");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("transport benchmark on loopback, TLS by %s; reference: JDK TLS socket (%d cores, load average %.1f; figures are noisy while other work runs)%n",
                NodeTransport.tlsImplementation(), Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.flush();
        List<TransportBenchmark.Figure> figures = new TransportBenchmark(settings).run();
        out.printf("%-26s %14s %16s %10s%n", "figure", "rhizome", "plain TLS 1.3", "overhead");
        for (TransportBenchmark.Figure f : figures) {
            out.printf("%-26s %9.1f %-4s %11.1f %-4s %+9.1f%%%n", f.name(), f.rhizome(), f.unit(), f.reference(), f.unit(),
                    f.overheadPercent());
        }
        return 0;
    }
}
