package net.rhizome.node.cli.node;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import net.rhizome.node.cli.CliException;
import net.rhizome.node.cli.model.ModelUrlArgument;
import net.rhizome.node.client.NodeLocator;
import net.rhizome.node.daemon.Role;
import net.rhizome.node.devnet.Devnet;
import net.rhizome.node.devnet.DevnetManifest;
import net.rhizome.node.devnet.DevnetSpec;
import net.rhizome.node.devnet.ModelDevnet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhizome devnet up|status|down}: a local network of real node processes. */
@Command(name = "devnet", mixinStandardHelpOptions = true,
        description = "Run a local network of node processes on loopback.",
        subcommands = {DevnetCommand.Up.class, DevnetCommand.Status.class, DevnetCommand.Down.class})
public final class DevnetCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = {"Start N node processes bootstrapped to each other and wait until all see each other.",
                "By default node 1 hosts the ledger and seeds a model (--model, else a synthetic one) that nodes 2..N fetch "
                        + "through the swarm and serve as workers; each node's API key is in devnet.json (api_key).",
                "--bare starts the nodes only, with the roles of --roles and --node-roles."})
    static final class Up implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--nodes", paramLabel = "N", description = "Number of nodes (1..64). Default: ${DEFAULT-VALUE}")
        int nodes = 3;

        @Option(names = "--dir", paramLabel = "DIR", description = "Devnet directory. Default: ~/.rhizome/devnet")
        Path dir = NodeLocator.DEFAULT_DEVNET_DIR;

        @Option(names = "--model", paramLabel = "PATH|URL",
                description = "GGUF model the workers serve: a file or an http(s) URL (downloaded once into ~/.rhizome/node/downloads). "
                        + "Default: a synthetic model generated now")
        String model;

        @Option(names = "--bare", description = "Start the nodes only: no model, no workers, no API keys.")
        boolean bare;

        @Option(names = "--roles", paramLabel = "ROLES", converter = CliConverters.RolesConverter.class,
                description = "Roles of every node. Default: gateway,worker,seeder,auditor")
        Set<Role> roles = Set.of(Role.GATEWAY, Role.WORKER, Role.SEEDER, Role.AUDITOR);

        @Option(names = "--node-roles", paramLabel = "K=ROLES",
                description = "Roles of node K, overriding --roles (repeatable), e.g. --node-roles 1=gateway")
        Map<Integer, String> nodeRoles = Map.of();

        @Option(names = "--peer-timeout", paramLabel = "DURATION", converter = CliConverters.DurationConverter.class,
                description = "Nodes drop peers silent for this long. Default: 10s")
        Duration peerTimeout = Duration.ofSeconds(10);

        @Option(names = "--timeout", paramLabel = "DURATION", converter = CliConverters.DurationConverter.class,
                description = "How long to wait for the nodes to connect. Default: 120s")
        Duration timeout = Duration.ofSeconds(120);

        @Override
        public Integer call() throws IOException {
            if (nodes < 1 || nodes > DevnetSpec.MAX_NODES) {
                throw new CliException("--nodes must be 1.." + DevnetSpec.MAX_NODES + ", got " + nodes, 2);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (!bare) {
                return serveModel(out);
            }
            List<Set<Role>> perNode = new ArrayList<>(Collections.nCopies(nodes, roles));
            for (var e : nodeRoles.entrySet()) {
                if (e.getKey() < 1 || e.getKey() > nodes) {
                    throw new CliException("--node-roles names node " + e.getKey() + " but the devnet has nodes 1.." + nodes, 2);
                }
                perNode.set(e.getKey() - 1, Role.parseList(e.getValue()));
            }
            DevnetSpec devnet = new DevnetSpec(dir, perNode, Collections.nCopies(nodes, List.of()), peerTimeout,
                    Duration.ofSeconds(1), timeout);
            DevnetManifest manifest;
            try {
                manifest = Devnet.up(devnet, out);
            } catch (IOException e) {
                throw new CliException(e.getMessage());
            }
            printTable(out, manifest.nodes());
            printStop(out);
            return 0;
        }

        private int serveModel(PrintWriter out) {
            if (!nodeRoles.isEmpty() || spec.commandLine().getParseResult().hasMatchedOption("--roles")) {
                throw new CliException("--roles and --node-roles go with --bare; a model devnet sets the roles itself", 2);
            }
            if (nodes < ModelDevnet.MIN_NODES) {
                throw new CliException("a devnet serving a model needs at least " + ModelDevnet.MIN_NODES + " nodes (or use --bare)", 2);
            }
            ModelDevnet.Served served;
            try {
                Path file = model == null ? null : ModelUrlArgument.localFile(model, NodeLocator.DEFAULT_DATA_DIR, spec.commandLine().getErr());
                served = ModelDevnet.up(dir, nodes, file, peerTimeout, timeout, out);
            } catch (IOException e) {
                throw new CliException(e.getMessage());
            }
            printTable(out, served.manifest().nodes());
            out.printf("model %s is served; OpenAI API at HTTP_URL/v1 of any node, with that node's api_key:%n", served.modelId());
            for (DevnetManifest.Node n : served.manifest().nodes()) {
                out.printf("  node %d: %s/v1  api_key %s%n", n.index(), n.httpUrl(), n.apiKey());
            }
            printStop(out);
            return 0;
        }

        private void printStop(PrintWriter out) {
            out.println("stop with: ./rhizome devnet down" + (dir.equals(NodeLocator.DEFAULT_DEVNET_DIR) ? "" : " --dir " + dir));
            out.flush();
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the devnet's nodes and whether they run.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", description = "Devnet directory. Default: ~/.rhizome/devnet")
        Path dir = NodeLocator.DEFAULT_DEVNET_DIR;

        @Option(names = "--json", description = "Print devnet.json with each node's state.")
        boolean json;

        @Override
        public Integer call() {
            List<Devnet.NodeStatus> status;
            try {
                status = Devnet.status(dir);
            } catch (IOException e) {
                throw new CliException(e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Devnet.statusJson(status));
                return 0;
            }
            printTable(out, status.stream().map(Devnet.NodeStatus::node).toList());
            for (Devnet.NodeStatus s : status) {
                out.printf("node %d: %s%n", s.node().index(), !s.alive() ? "not running"
                        : s.peers().map(p -> "running, sees " + p + " peers").orElse("running, HTTP not answering"));
            }
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop every node of the devnet (data directories are kept).")
    static final class Down implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", description = "Devnet directory. Default: ~/.rhizome/devnet")
        Path dir = NodeLocator.DEFAULT_DEVNET_DIR;

        @Override
        public Integer call() {
            try {
                int stopped = Devnet.down(dir, Duration.ofSeconds(15));
                spec.commandLine().getOut().println("stopped " + stopped + " node" + (stopped == 1 ? "" : "s") + " of the devnet in " + dir);
            } catch (IOException e) {
                throw new CliException(e.getMessage());
            }
            return 0;
        }
    }

    static void printTable(PrintWriter out, List<DevnetManifest.Node> nodes) {
        out.printf("%-3s %-16s %-28s %-17s %-6s %s%n", "#", "peer id", "roles", "rpc", "dht", "dashboard");
        for (DevnetManifest.Node n : nodes) {
            out.printf("%-3d %-16s %-28s %-17s %-6d %s/%n", n.index(), n.peerId().substring(0, 16),
                    String.join(",", n.roles()), n.rpcAddress(), n.dhtPort(), n.httpUrl());
        }
        out.flush();
    }
}
