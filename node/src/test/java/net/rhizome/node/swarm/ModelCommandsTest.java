package net.rhizome.node.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.rhizome.net.transport.HostPort;
import net.rhizome.node.cli.Main;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeDaemon;
import net.rhizome.node.daemon.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Two real daemons with the swarm feature: model add on one, model get by id (found through the DHT) on the other. */
class ModelCommandsTest {
    @TempDir
    Path tmp;

    private static NodeConfig config(Path dataDir, List<HostPort> bootstrap) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return new NodeConfig(dataDir, any, any, 0, "127.0.0.1", 0, bootstrap, Set.of(Role.SEEDER),
                Duration.ofSeconds(10), Duration.ofMillis(300));
    }

    private record Run(int exit, String out, String err) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void addGetListRemoveAcrossTwoNodes() throws Exception {
        byte[] data = new byte[5_000_000];
        new Random(9).nextBytes(data);
        Path model = tmp.resolve("tiny.gguf");
        Files.write(model, data);
        Path dirA = tmp.resolve("a");
        Path dirB = tmp.resolve("b");
        NodeConfig ca = config(dirA, List.of());
        try (NodeDaemon a = NodeDaemon.start(ca, List.of(new SwarmFeature(ca)))) {
            NodeConfig cb = config(dirB, List.of(new HostPort("127.0.0.1", a.dhtPort())));
            try (NodeDaemon b = NodeDaemon.start(cb, List.of(new SwarmFeature(cb)))) {
                Run add = cli("model", "add", model.toString(), "--data-dir", dirA.toString());
                assertThat(add.exit()).as(add.err()).isZero();
                String id = add.out().lines().filter(l -> l.startsWith("model id")).findFirst().orElseThrow().split("\\s+")[2];
                assertThat(add.out()).contains("magnet:?xt=urn:btmh:1220" + id);

                Run get = cli("model", "get", id, "--data-dir", dirB.toString(), "--stall-timeout", "PT60S");
                assertThat(get.exit()).as(get.err()).isZero();
                assertThat(get.err()).contains("peers").contains("ETA");
                assertThat(SwarmFeature.store(dirB).resolve(id)).hasBinaryContent(data);

                Run list = cli("model", "list", "--json", "--data-dir", dirB.toString());
                assertThat(list.out()).contains(id).contains("\"state\" : \"seeding\"");

                Run bad = cli("model", "get", "magnet:?xt=urn:btmh:1220abcd", "--data-dir", dirB.toString());
                assertThat(bad.exit()).isNotZero();
                assertThat(bad.err()).contains("1220");

                Run remove = cli("model", "remove", id, "--data-dir", dirB.toString());
                assertThat(remove.exit()).as(remove.err()).isZero();
                assertThat(SwarmFeature.store(dirB).contains(id)).isFalse();
            }
        }
    }
}
