package net.rhizome.node.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeLocator;
import net.rhizome.node.daemon.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** Five real node processes on loopback, shared by the tests of this class (JVM start-up dominates). */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevnetTest {
    private static final int NODES = 5;
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(6);

    @TempDir
    static Path dir;

    static DevnetManifest manifest;
    static String upOutput;

    @BeforeAll
    static void up() throws Exception {
        StringWriter progress = new StringWriter();
        DevnetSpec spec = DevnetSpec.uniform(dir, NODES, Set.of(Role.WORKER, Role.GATEWAY), PEER_TIMEOUT, Duration.ofSeconds(150));
        manifest = Devnet.up(spec, new PrintWriter(progress, true));
        upOutput = progress.toString();
    }

    @AfterAll
    static void down() throws Exception {
        if (manifest != null) {
            Devnet.down(dir, Duration.ofSeconds(10));
            for (DevnetManifest.Node n : manifest.nodes()) {
                assertThat(ProcessHandle.of(n.pid()).map(ProcessHandle::isAlive).orElse(false)).as("node %d stopped", n.index()).isFalse();
                // SIGTERM ran the graceful shutdown, which removes the node's runtime file.
                assertThat(Path.of(n.dataDir(), net.rhizome.node.daemon.NodeRuntime.FILE_NAME)).as("node %d runtime file", n.index()).doesNotExist();
            }
        }
    }

    private static NodeClient client(int index) {
        return new NodeClient(NodeLocator.resolve("devnet:" + index, dir, dir));
    }

    private static Set<String> peersOf(int index) {
        Set<String> ids = new HashSet<>();
        for (JsonNode p : client(index).get("/api/peers").path("peers")) {
            ids.add(p.path("peer_id").asText());
        }
        return ids;
    }

    private static void awaitPeers(int index, java.util.function.Predicate<Set<String>> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(peersOf(index))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("node " + index + " peers after " + timeout + ": " + peersOf(index));
            }
            Thread.sleep(250);
        }
    }

    @Test
    @Order(1)
    void everyNodeSeesEveryOtherAndTheManifestDescribesThem() throws Exception {
        assertThat(upOutput).contains("all 5 nodes see each other");
        DevnetManifest onDisk = DevnetManifest.read(dir);
        assertThat(onDisk.nodes()).extracting(DevnetManifest.Node::index).containsExactly(1, 2, 3, 4, 5);
        Set<String> all = manifest.nodes().stream().map(DevnetManifest.Node::peerId).collect(Collectors.toSet());
        assertThat(all).hasSize(NODES);
        for (DevnetManifest.Node n : manifest.nodes()) {
            Set<String> expected = new HashSet<>(all);
            expected.remove(n.peerId());
            assertThat(peersOf(n.index())).isEqualTo(expected);
            assertThat(client(n.index()).get("/api/node").path("peer_id").asText()).isEqualTo(n.peerId());
            assertThat(n.roles()).containsExactly("gateway", "worker");
        }
        assertThat(Devnet.status(dir)).allSatisfy(s -> {
            assertThat(s.alive()).isTrue();
            assertThat(s.peers()).contains(NODES - 1);
        });
    }

    @Test
    @Order(2)
    void aNodeRecordLookupThroughTheDhtReturnsTheSignedRecord() {
        DevnetManifest.Node target = manifest.node(3);
        JsonNode record = client(1).get("/api/records/" + target.peerId());
        assertThat(record.path("signature_verified").asBoolean()).isTrue();
        assertThat(record.path("rpc_address").asText()).isEqualTo(target.rpcAddress());
        assertThat(record.path("http_url").asText()).isEqualTo(target.httpUrl());
        assertThat(record.path("seq").asLong()).isPositive();
    }

    @Test
    @Order(3)
    void aKilledNodeLeavesThePeerListsAndRejoinsWithTheSameIdWhenRestarted() throws Exception {
        DevnetManifest.Node victim = manifest.node(5);
        ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly(); // SIGKILL: no goodbye
        // Evicted after PEER_TIMEOUT of silence; the slack covers discovery rounds on a loaded machine.
        for (int i = 1; i <= 4; i++) {
            awaitPeers(i, peers -> !peers.contains(victim.peerId()), PEER_TIMEOUT.plusSeconds(20));
        }

        manifest = Devnet.restart(dir, 5, Duration.ofSeconds(120));
        assertThat(manifest.node(5).peerId()).isEqualTo(victim.peerId());
        assertThat(manifest.node(5).pid()).isNotEqualTo(victim.pid());
        for (int i = 1; i <= 4; i++) {
            awaitPeers(i, peers -> peers.contains(victim.peerId()), Duration.ofSeconds(60));
        }
        awaitPeers(5, peers -> peers.size() == NODES - 1, Duration.ofSeconds(60));
    }

    @Test
    @Order(4)
    void aSecondUpInTheSameDirectoryIsRefused() {
        DevnetSpec again = DevnetSpec.uniform(dir, 2, Set.of(Role.WORKER), PEER_TIMEOUT, Duration.ofSeconds(10));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Devnet.up(again, new PrintWriter(new StringWriter())))
                .hasMessageContaining("already running")
                .hasMessageContaining("devnet down");
        assertThat(List.copyOf(manifest.nodes())).hasSize(NODES);
    }
}
