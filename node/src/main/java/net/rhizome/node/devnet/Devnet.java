package net.rhizome.node.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeClientException;
import net.rhizome.node.client.NodeLocator;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeRuntime;
import net.rhizome.node.daemon.Role;

/**
 * A local network of real node processes on loopback: separate JVMs and data directories, each
 * bootstrapped from the DHT of the first nodes. The processes outlive the command that started
 * them; {@code DIR/devnet.json} lets {@link #status} and {@link #down} find them from any shell.
 */
public final class Devnet {
    /** The JVM flags of the {@code ./rhizome} launcher, which every node process gets too. */
    public static final List<String> NODE_JVM_FLAGS = List.of(
            "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC", "-Xmx768m");
    /** Extra JVM flags for node processes, space-separated. */
    public static final String JAVA_OPTS_ENV = "RHIZOME_DEVNET_JAVA_OPTS";
    private static final String MAIN_CLASS = "net.rhizome.node.cli.Main";
    private static final Duration POLL = Duration.ofMillis(250);
    private static final int BOOTSTRAP_SEEDS = 3;
    private static final int LOG_TAIL_LINES = 8;

    private Devnet() {}

    /** Starts the devnet and waits until every node sees every other; the nodes keep running afterwards. */
    public static DevnetManifest up(DevnetSpec spec, PrintWriter progress) throws IOException {
        Path dir = spec.dir().toAbsolutePath().normalize();
        refuseRunning(dir);
        Files.createDirectories(dir);
        FreePorts ports = new FreePorts();
        int n = spec.size();
        int[] rpc = new int[n + 1];
        int[] dht = new int[n + 1];
        int[] http = new int[n + 1];
        for (int i = 1; i <= n; i++) {
            rpc[i] = ports.next();
            dht[i] = ports.next();
            http[i] = ports.next();
        }
        progress.printf("starting %d nodes in %s …%n", n, dir);
        progress.flush();
        Instant started = Instant.now();
        List<DevnetManifest.Node> nodes = new ArrayList<>();
        Map<Integer, List<String>> args = new TreeMap<>();
        net.rhizome.node.ledger.DevnetLedger.prepare(java.util.stream.IntStream.rangeClosed(1, n).mapToObj(spec::nodeDir).toList(),
                new net.rhizome.net.transport.HostPort("127.0.0.1", rpc[1]));
        for (int i = 1; i <= n; i++) {
            Path dataDir = spec.nodeDir(i);
            String peerId = KeyPair.loadOrCreate(dataDir.resolve(NodeConfig.KEY_FILE)).peerId().hex();
            List<String> a = nodeArgs(spec, i, dataDir, rpc[i], dht[i], http[i], seeds(i, n, dht));
            args.put(i, a);
            long pid = launch(dataDir, a);
            nodes.add(new DevnetManifest.Node(i, peerId, labels(spec.roles().get(i - 1)), dataDir.toString(), pid,
                    "127.0.0.1:" + rpc[i], dht[i], "http://127.0.0.1:" + http[i], a, null));
        }
        DevnetManifest manifest = new DevnetManifest(Instant.now().toString(), nodes);
        manifest.write(dir);
        Instant deadline = started.plus(spec.startTimeout());
        for (DevnetManifest.Node node : nodes) {
            awaitStarted(node, deadline);
        }
        awaitMesh(nodes, deadline);
        progress.printf("all %d nodes see each other after %.1f s%n", n, Duration.between(started, Instant.now()).toMillis() / 1000.0);
        return manifest;
    }

    /** Starts node {@code index} of a devnet again with its original arguments (same data dir, id and ports). */
    public static DevnetManifest restart(Path dir, int index, Duration timeout) throws IOException {
        DevnetManifest manifest = DevnetManifest.read(dir);
        DevnetManifest.Node old = manifest.node(index);
        if (old.processAlive()) {
            throw new IOException("devnet node " + index + " is still running (pid " + old.pid() + ")");
        }
        long pid = launch(Path.of(old.dataDir()), old.args());
        DevnetManifest.Node fresh = old.withPid(pid);
        DevnetManifest updated = new DevnetManifest(manifest.createdAt(),
                manifest.nodes().stream().map(n -> n.index() == index ? fresh : n).toList());
        updated.write(dir);
        awaitStarted(fresh, Instant.now().plus(timeout));
        return updated;
    }

    /** The state of every node: process alive, and how many peers its HTTP API reports. */
    public static List<NodeStatus> status(Path dir) throws IOException {
        DevnetManifest manifest = DevnetManifest.read(dir);
        List<NodeStatus> out = new ArrayList<>();
        for (DevnetManifest.Node node : manifest.nodes()) {
            Optional<Integer> peers = Optional.empty();
            if (node.processAlive()) {
                try {
                    peers = Optional.of(client(node, Duration.ofSeconds(3)).get("/api/peers").path("peers").size());
                } catch (NodeClientException e) {
                    // running but not answering (yet)
                }
            }
            out.add(new NodeStatus(node, node.processAlive(), peers));
        }
        return out;
    }

    /** A devnet node's process and HTTP health. */
    public record NodeStatus(DevnetManifest.Node node, boolean alive, Optional<Integer> peers) {}

    /** The manifest's nodes with {@code running} and {@code peers} added, as JSON for scripts. */
    public static String statusJson(List<NodeStatus> status) {
        ObjectMapper json = new ObjectMapper();
        ArrayNode nodes = json.createArrayNode();
        for (NodeStatus s : status) {
            ObjectNode node = json.valueToTree(s.node());
            node.put("running", s.alive());
            s.peers().ifPresentOrElse(p -> node.put("peers", p), () -> node.putNull("peers"));
            nodes.add(node);
        }
        ObjectNode root = json.createObjectNode();
        root.set("nodes", nodes);
        return root.toPrettyString();
    }

    /** Stops every node (SIGTERM, then SIGKILL after the grace period) and removes {@code devnet.json}; returns how many were running. */
    public static int down(Path dir, Duration grace) throws IOException {
        DevnetManifest manifest = DevnetManifest.read(dir);
        List<ProcessHandle> stopping = new ArrayList<>();
        for (DevnetManifest.Node node : manifest.nodes()) {
            ProcessHandle.of(node.pid()).filter(Devnet::isRhizomeNode).ifPresent(p -> {
                p.destroy();
                stopping.add(p);
            });
        }
        Instant deadline = Instant.now().plus(grace);
        for (ProcessHandle p : stopping) {
            while (p.isAlive() && Instant.now().isBefore(deadline)) {
                sleep(POLL);
            }
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        Files.deleteIfExists(DevnetManifest.file(dir));
        return stopping.size();
    }

    /** Guards against a recycled pid: only stop processes that run our main class. */
    private static boolean isRhizomeNode(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        // ProcessHandle.Info cuts the command line at 4 KiB, before the main class of a long class path.
        Path cmdline = Path.of("/proc", String.valueOf(p.pid()), "cmdline");
        try (var in = Files.newInputStream(cmdline)) {
            return new String(in.readNBytes(1 << 20), java.nio.charset.StandardCharsets.UTF_8).contains(MAIN_CLASS);
        } catch (IOException noProcFs) {
            return p.info().commandLine().map(c -> c.contains(MAIN_CLASS)).orElse(true);
        }
    }

    private static void refuseRunning(Path dir) throws IOException {
        if (!Files.exists(DevnetManifest.file(dir))) {
            return;
        }
        DevnetManifest old = DevnetManifest.read(dir);
        List<Integer> alive = old.nodes().stream().filter(DevnetManifest.Node::processAlive).map(DevnetManifest.Node::index).toList();
        if (!alive.isEmpty()) {
            throw new IOException("a devnet is already running in " + dir + " (nodes " + alive + "); stop it with ./rhizome devnet down");
        }
    }

    private static List<String> seeds(int index, int n, int[] dht) {
        List<String> seeds = new ArrayList<>();
        for (int j = 1; j <= n && seeds.size() < BOOTSTRAP_SEEDS; j++) {
            if (j != index) {
                seeds.add("127.0.0.1:" + dht[j]);
            }
        }
        return seeds;
    }

    private static List<String> nodeArgs(DevnetSpec spec, int i, Path dataDir, int rpc, int dht, int http, List<String> seeds) {
        List<String> a = new ArrayList<>(List.of("node", "start",
                "--data-dir", dataDir.toString(),
                "--listen", "127.0.0.1:" + rpc,
                "--dht-port", String.valueOf(dht),
                "--http-port", String.valueOf(http),
                "--roles", String.join(",", labels(spec.roles().get(i - 1))),
                "--peer-timeout", spec.peerTimeout().toMillis() + "ms",
                "--discovery-interval", spec.discoveryInterval().toMillis() + "ms"));
        if (!seeds.isEmpty()) {
            a.add("--bootstrap");
            a.add(String.join(",", seeds));
        }
        a.addAll(spec.extraArgs().get(i - 1));
        return a;
    }

    private static List<String> labels(Set<Role> roles) {
        return roles.stream().map(Role::label).sorted().toList();
    }

    private static long launch(Path dataDir, List<String> nodeArgs) throws IOException {
        Files.createDirectories(dataDir);
        List<String> cmd = new ArrayList<>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            cmd.add(setsid.toString()); // own session: Ctrl-C in the shell that ran `devnet up` does not reach the nodes
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(NODE_JVM_FLAGS);
        String extra = System.getenv(JAVA_OPTS_ENV);
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS));
        cmd.addAll(nodeArgs);
        Path log = dataDir.resolve("node.log");
        Files.deleteIfExists(dataDir.resolve(NodeRuntime.FILE_NAME));
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        return p.pid();
    }

    private static void awaitStarted(DevnetManifest.Node node, Instant deadline) throws IOException {
        Path runtime = Path.of(node.dataDir()).resolve(NodeRuntime.FILE_NAME);
        while (true) {
            if (Files.exists(runtime)) {
                try {
                    if (NodeRuntime.read(runtime).pid() == node.pid()) {
                        return;
                    }
                } catch (IOException halfWritten) {
                    // the node is writing it; look again
                }
            }
            if (!node.processAlive()) {
                throw new IOException("devnet node " + node.index() + " exited during start; last log lines:\n" + logTail(node));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("devnet node " + node.index() + " did not start in time; log: " + Path.of(node.dataDir(), "node.log"));
            }
            sleep(POLL);
        }
    }

    private static void awaitMesh(List<DevnetManifest.Node> nodes, Instant deadline) throws IOException {
        Set<String> all = nodes.stream().map(DevnetManifest.Node::peerId).collect(Collectors.toSet());
        Map<Integer, Integer> missing = new TreeMap<>();
        while (true) {
            missing.clear();
            for (DevnetManifest.Node node : nodes) {
                Set<String> seen = new HashSet<>();
                try {
                    for (JsonNode p : client(node, Duration.ofSeconds(3)).get("/api/peers").path("peers")) {
                        seen.add(p.path("peer_id").asText());
                    }
                } catch (NodeClientException e) {
                    if (!node.processAlive()) {
                        throw new IOException("devnet node " + node.index() + " exited; last log lines:\n" + logTail(node));
                    }
                }
                Set<String> want = new HashSet<>(all);
                want.remove(node.peerId());
                want.removeAll(seen);
                if (!want.isEmpty()) {
                    missing.put(node.index(), want.size());
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("devnet did not connect in time; peers still unseen per node: " + missing
                        + " (nodes keep running: inspect with ./rhizome devnet status, stop with ./rhizome devnet down)");
            }
            sleep(POLL.multipliedBy(2));
        }
    }

    static NodeClient client(DevnetManifest.Node node, Duration timeout) {
        return new NodeClient(new NodeLocator.Target(URI.create(node.httpUrl()), Optional.empty(), Optional.empty(), "devnet node " + node.index()), timeout);
    }

    private static String logTail(DevnetManifest.Node node) {
        try {
            List<String> lines = Files.readAllLines(Path.of(node.dataDir(), "node.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
