package net.rhizome.node.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.rhizome.net.transport.HostPort;
import net.rhizome.node.cli.Main;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeDaemon;
import net.rhizome.node.daemon.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The swarm demonstration on real daemons (in one JVM): one node seeds a 200 MB synthetic model,
 * three fetch it by magnet link at the same time; all end with identical files and the leechers
 * uploaded to each other.
 */
class SwarmDemoTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static NodeConfig config(Path dataDir, List<HostPort> bootstrap) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return new NodeConfig(dataDir, any, any, 0, "127.0.0.1", 0, bootstrap, Set.of(Role.SEEDER),
                Duration.ofSeconds(10), Duration.ofMillis(300));
    }

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        assertThat(exit).as(String.join(" ", args) + ": " + err).isZero();
        return out.toString();
    }

    private static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void oneSeedThreeLeechersByMagnetAtOnce() throws Exception {
        Path model = tmp.resolve("synthetic-200m.gguf");
        SplittableRandom random = new SplittableRandom(200);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(model)) {
            for (int mib = 0; mib < 200; mib++) {
                for (int i = 0; i < buf.length; i += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8; k++) {
                        buf[i + k] = (byte) (v >>> (8 * k));
                    }
                }
                out.write(buf);
            }
        }
        List<Path> dirs = List.of(tmp.resolve("seed"), tmp.resolve("l1"), tmp.resolve("l2"), tmp.resolve("l3"));
        List<NodeDaemon> daemons = new ArrayList<>();
        try {
            NodeConfig seedConfig = config(dirs.get(0), List.of());
            daemons.add(NodeDaemon.start(seedConfig, List.of(new SwarmFeature(seedConfig))));
            for (Path d : dirs.subList(1, 4)) {
                NodeConfig c = config(d, List.of(new HostPort("127.0.0.1", daemons.getFirst().dhtPort())));
                daemons.add(NodeDaemon.start(c, List.of(new SwarmFeature(c))));
            }
            String added = cli("model", "add", model.toString(), "--data-dir", dirs.get(0).toString());
            String magnet = added.lines().filter(l -> l.startsWith("magnet")).findFirst().orElseThrow().split("\\s+")[1];
            String id = added.lines().filter(l -> l.startsWith("model id")).findFirst().orElseThrow().split("\\s+")[2];

            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<CompletableFuture<String>> gets = new ArrayList<>();
                for (Path d : dirs.subList(1, 4)) {
                    gets.add(CompletableFuture.supplyAsync(() -> cli("model", "get", magnet, "--data-dir", d.toString()), pool));
                }
                CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            }

            String expected = sha256(model);
            long leecherUploads = 0;
            for (Path d : dirs.subList(1, 4)) {
                assertThat(sha256(SwarmFeature.store(d).resolve(id))).isEqualTo(expected);
                JsonNode list = JSON.readTree(cli("model", "list", "--json", "--data-dir", d.toString()));
                leecherUploads += list.path("models").get(0).path("uploaded").asLong();
            }
            assertThat(leecherUploads).as("bytes the leechers uploaded to each other").isPositive();
        } finally {
            daemons.forEach(NodeDaemon::close);
        }
    }
}
