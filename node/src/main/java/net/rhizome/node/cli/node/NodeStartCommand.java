package net.rhizome.node.cli.node;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import net.rhizome.net.transport.HostPort;
import net.rhizome.node.cli.CliException;
import net.rhizome.node.client.NodeLocator;
import net.rhizome.node.daemon.NodeAssembly;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeDaemon;
import net.rhizome.node.daemon.NodeRuntime;
import net.rhizome.node.daemon.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhizome node start}: runs a node in the foreground until SIGINT/SIGTERM. */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = "Start a node in the foreground; stop it with Ctrl-C or SIGTERM.")
public final class NodeStartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Node data directory (key, admin token, state). Default: ${DEFAULT-VALUE}")
    Path dataDir = NodeLocator.DEFAULT_DATA_DIR;

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = CliConverters.HostPortConverter.class,
            description = "Node-to-node RPC address. Default: ${DEFAULT-VALUE}")
    HostPort listen = new HostPort("0.0.0.0", NodeConfig.DEFAULT_RPC_PORT);

    @Option(names = "--advertise", paramLabel = "HOST:PORT", converter = CliConverters.HostPortConverter.class,
            description = "RPC address other nodes should use (default: the listen address, or this host's address when listening on a wildcard).")
    HostPort advertise;

    @Option(names = "--dht-port", paramLabel = "PORT", description = "UDP port of the DHT. Default: ${DEFAULT-VALUE}")
    int dhtPort = NodeConfig.DEFAULT_DHT_PORT;

    @Option(names = "--http-host", paramLabel = "HOST", description = "HTTP API bind address. Default: ${DEFAULT-VALUE}")
    String httpHost = "127.0.0.1";

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP API port. Default: ${DEFAULT-VALUE}")
    int httpPort = NodeConfig.DEFAULT_HTTP_PORT;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", split = ",", converter = CliConverters.HostPortConverter.class,
            description = "DHT nodes to join through (comma-separated).")
    List<HostPort> bootstrap = List.of();

    @Option(names = "--roles", paramLabel = "ROLES", converter = CliConverters.RolesConverter.class,
            description = "Comma-separated roles: gateway, worker, seeder, auditor, scanner. Default: gateway,worker")
    Set<Role> roles = Set.of(Role.GATEWAY, Role.WORKER);

    @Option(names = "--peer-timeout", paramLabel = "DURATION", converter = CliConverters.DurationConverter.class,
            description = "Drop peers silent for this long (e.g. 30s). Default: 30s")
    Duration peerTimeout = Duration.ofSeconds(30);

    @Option(names = "--discovery-interval", paramLabel = "DURATION", converter = CliConverters.DurationConverter.class,
            description = "How often to look for peers and ping known ones. Default: 2s")
    Duration discoveryInterval = Duration.ofSeconds(2);

    @picocli.CommandLine.Mixin
    net.rhizome.node.worker.WorkerOptions worker;

    @Override
    public Integer call() throws Exception {
        for (int port : new int[] {dhtPort, httpPort}) {
            if (port < 0 || port > 65535) {
                throw new CliException("ports must be 0..65535, got " + port, 2);
            }
        }
        NodeConfig config = new NodeConfig(dataDir, listen, advertised(), dhtPort, httpHost, httpPort, bootstrap, roles,
                peerTimeout, discoveryInterval);
        refuseSecondNode(config);
        try {
            worker.save(config.dataDir());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), 2);
        }
        NodeDaemon daemon;
        try {
            daemon = NodeDaemon.start(config, NodeAssembly.features(config));
        } catch (IOException e) {
            throw new CliException("node did not start: " + e.getMessage());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "node-shutdown"));
        spec.commandLine().getOut().println("node " + daemon.peerId() + " running: rpc " + daemon.rpcAddress() + ", http " + daemon.httpUrl());
        daemon.awaitStop();
        return 0;
    }

    private HostPort advertised() throws IOException {
        if (advertise != null) {
            return advertise;
        }
        InetAddress host = InetAddress.getByName(listen.host());
        if (!host.isAnyLocalAddress()) {
            return listen;
        }
        return new HostPort(InetAddress.getLocalHost().getHostAddress(), listen.port());
    }

    private static void refuseSecondNode(NodeConfig config) throws IOException {
        if (Files.exists(config.runtimeFile())) {
            NodeRuntime other = NodeRuntime.read(config.runtimeFile());
            if (other.processAlive() && other.pid() != ProcessHandle.current().pid()) {
                throw new CliException("a node (pid " + other.pid() + ") already runs from " + config.dataDir()
                        + "; stop it first or pick another --data-dir");
            }
        }
    }
}
