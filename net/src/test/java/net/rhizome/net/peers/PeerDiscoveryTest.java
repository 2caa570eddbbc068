package net.rhizome.net.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.net.dht.DhtConfig;
import net.rhizome.net.dht.DhtNode;
import net.rhizome.net.dht.MutableItem;
import net.rhizome.net.dht.NodeId;
import net.rhizome.net.record.NodeRecord;
import net.rhizome.net.transport.HostPort;
import net.rhizome.net.transport.NodeServiceImpl;
import net.rhizome.net.transport.NodeTransport;
import net.rhizome.net.transport.proto.NodeInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** In-process nodes (transport server + DHT + discovery) on loopback finding and dropping each other. */
class PeerDiscoveryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private final List<Node> nodes = new ArrayList<>();

    /** One node; a liar hands out a record signed by a foreign key instead of its own. */
    private final class Node implements AutoCloseable {
        final KeyPair key = KeyPair.generate();
        final PeerBook book = new PeerBook(key.peerId());
        final NodeTransport transport = new NodeTransport(key);
        final PeerConnections connections = new PeerConnections(transport, book);
        final NodeTransport.TransportServer server;
        final DhtNode dht;
        final PeerDiscovery discovery;

        Node(List<InetSocketAddress> bootstrap, KeyPair foreignSigner) throws Exception {
            KeyPair recordSigner = foreignSigner == null ? key : foreignSigner;
            dht = DhtNode.start(DhtConfig.defaults(new InetSocketAddress("127.0.0.1", 0)).withNodeId(NodeId.derivedFrom(key.peerId()))
                    .withTimers(Duration.ofSeconds(1), Duration.ofMinutes(15), Duration.ofMinutes(15), Duration.ofMinutes(1)));
            HostPort[] self = new HostPort[1];
            OwnRecord signed = new OwnRecord(recordSigner, () -> new NodeRecord(recordSigner.peerId(), String.valueOf(self[0]),
                    "http://127.0.0.1:1", Set.of("worker"), List.of(), "test", 0));
            server = transport.server(new InetSocketAddress("127.0.0.1", 0), List.of(new NodeServiceImpl(() -> {
                MutableItem item = signed.signed();
                return NodeInfo.newBuilder().setProtocolVersion(1).setPeerId(key.peerId().hex())
                        .setRecordValue(ByteString.copyFrom(item.value().encode())).setRecordSeq(item.seq())
                        .setRecordSignature(ByteString.copyFrom(item.signature())).build();
            })), book);
            self[0] = new HostPort("127.0.0.1", server.port());
            OwnRecord own = new OwnRecord(key, () -> new NodeRecord(key.peerId(), String.valueOf(self[0]), "http://127.0.0.1:1",
                    Set.of("worker"), List.of(), "test", 0));
            discovery = new PeerDiscovery(transport, dht, own, book, connections, bootstrap, self[0],
                    new PeerDiscovery.Settings(Duration.ofMillis(300), TIMEOUT, Duration.ofMinutes(5), Duration.ofSeconds(2)));
            discovery.start();
        }

        @Override
        public void close() {
            discovery.close();
            connections.close();
            server.close();
            dht.close();
        }
    }

    @AfterEach
    void stop() {
        nodes.forEach(Node::close);
    }

    private Node node(List<InetSocketAddress> bootstrap, KeyPair recordSigner) throws Exception {
        Node n = new Node(bootstrap, recordSigner);
        nodes.add(n);
        return n;
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void nodesFindEachOtherRefuseALiarAndDropTheSilent() throws Exception {
        Node first = new Node(List.of(), null);
        nodes.add(first);
        List<InetSocketAddress> seed = List.of(first.dht.localAddress());
        Node second = node(seed, null);
        Node third = node(seed, null);
        Node liar = node(seed, KeyPair.generate());
        List<Node> honest = List.of(first, second, third);

        for (Node n : honest) {
            await(() -> n.book.size() == 2, Duration.ofSeconds(60), n.key.peerId().shortId() + " sees the two honest nodes");
        }
        for (Node n : honest) {
            for (Node other : honest) {
                if (other != n) {
                    assertThat(n.book.get(other.key.peerId())).hasValueSatisfying(p -> {
                        assertThat(p.rpcAddress()).isEqualTo(new HostPort("127.0.0.1", other.server.port()));
                        assertThat(p.details().recordVerified()).isTrue();
                    });
                }
            }
            assertThat(n.book.get(liar.key.peerId())).isEmpty();
        }
        // Every retry of the liar costs it score; at zero it is banned outright.
        await(() -> first.book.isBanned(liar.key.peerId()), Duration.ofSeconds(60), "liar banned");

        third.close();
        nodes.remove(third);
        for (Node n : List.of(first, second)) {
            await(() -> n.book.get(third.key.peerId()).isEmpty(), TIMEOUT.plusSeconds(15), "third evicted");
        }
    }
}
