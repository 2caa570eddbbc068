package net.rhizome.net.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.core.crypto.KeyPair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 50 DHT nodes with real UDP sockets on loopback: lookups, announces and BEP 44 items work across them. */
class DhtNetworkTest {
    private static LocalNetwork net;

    @BeforeAll
    static void startNetwork() throws Exception {
        net = LocalNetwork.start(50);
    }

    @AfterAll
    static void stopNetwork() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void everyNodeHasARoutingTable() {
        assertThat(net.nodes).allSatisfy(n -> assertThat(n.routingTableSnapshot()).hasSizeGreaterThanOrEqualTo(8));
    }

    @Test
    void findNodeReachesTheTrueClosestNodes() throws Exception {
        for (int i = 0; i < 10; i++) {
            NodeId target = NodeId.random();
            List<NodeId> truth = net.nodes.stream().map(DhtNode::id).sorted((a, b) -> target.compareDistance(a, b)).toList();
            DhtNode from = net.nodes.get(i * 5 + 1);
            DhtNode.LookupStats stats = from.findNode(target).get(20, TimeUnit.SECONDS);
            List<NodeId> found = stats.closest().stream().map(NodeInfo::id).toList();
            // The searcher itself is never in its own result.
            List<NodeId> expected = truth.stream().filter(id -> !id.equals(from.id())).limit(3).toList();
            assertThat(found).as("closest nodes to %s", target).startsWith(expected.toArray(NodeId[]::new));
        }
    }

    @Test
    void announcedPeerIsFoundFromTheOtherSideOfTheNetwork() throws Exception {
        byte[] infoHash = Hashes.sha1("some torrent".getBytes(StandardCharsets.UTF_8));
        DhtNode announcer = net.nodes.get(7);
        assertThat(announcer.announce(infoHash, 6881).get(20, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(5);
        List<InetSocketAddress> peers = net.nodes.get(42).getPeers(infoHash).get(20, TimeUnit.SECONDS);
        assertThat(peers).containsExactly(new InetSocketAddress(announcer.localAddress().getAddress(), 6881));
    }

    @Test
    void modelProvidersAreFoundByTheirV2InfoHash() throws Exception {
        byte[] modelId = Hashes.sha256("a model's v2 info-hash".getBytes(StandardCharsets.UTF_8));
        DhtNode seeder = net.nodes.get(13);
        seeder.announce(modelId, 6882).get(20, TimeUnit.SECONDS);
        InetSocketAddress expected = new InetSocketAddress(seeder.localAddress().getAddress(), 6882);
        assertThat(net.nodes.get(33).providers(modelId).get(20, TimeUnit.SECONDS)).containsExactly(expected);
        // BEP 52: v2 torrents live in the DHT under the first 20 bytes of their SHA-256 info-hash.
        assertThat(net.nodes.get(34).getPeers(java.util.Arrays.copyOf(modelId, 20)).get(20, TimeUnit.SECONDS)).containsExactly(expected);
    }

    @Test
    void impliedPortAnnouncesTheDhtPort() throws Exception {
        byte[] infoHash = DhtKeys.rhizomeNetwork();
        DhtNode a = net.nodes.get(3);
        DhtNode b = net.nodes.get(30);
        a.announce(infoHash, 0).get(20, TimeUnit.SECONDS);
        b.announce(infoHash, 0).get(20, TimeUnit.SECONDS);
        assertThat(net.nodes.get(20).getPeers(infoHash).get(20, TimeUnit.SECONDS))
                .contains(a.localAddress(), b.localAddress());
    }

    @Test
    void mutableItemsKeepTheHighestSequence() throws Exception {
        KeyPair key = KeyPair.deterministic("dht-network-test");
        byte[] salt = "profile".getBytes(StandardCharsets.UTF_8);
        DhtNode writer = net.nodes.get(11);
        assertThat(writer.putMutable(MutableItem.sign(key, salt, 1, BValue.string("first"))).get(20, TimeUnit.SECONDS)).isGreaterThan(0);
        assertThat(writer.putMutable(MutableItem.sign(key, salt, 2, BValue.string("second"))).get(20, TimeUnit.SECONDS)).isGreaterThan(0);
        // An older version is refused by the storing nodes.
        assertThat(writer.putMutable(MutableItem.sign(key, salt, 1, BValue.string("stale"))).get(20, TimeUnit.SECONDS)).isZero();

        Optional<MutableItem> got = net.nodes.get(37).getMutable(key.publicKey(), salt).get(20, TimeUnit.SECONDS);
        assertThat(got).hasValueSatisfying(item -> {
            assertThat(item.seq()).isEqualTo(2);
            assertThat(item.value()).isEqualTo(BValue.string("second"));
        });
        assertThat(net.nodes.get(37).getMutable(key.publicKey(), "other".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void immutableItemsRoundTrip() throws Exception {
        BValue value = BValue.dict("hello", BValue.string("world"), "n", BValue.integer(42));
        NodeId target = net.nodes.get(2).putImmutable(value).get(20, TimeUnit.SECONDS);
        assertThat(target).isEqualTo(NodeId.of(Hashes.sha1(value.encode())));
        assertThat(net.nodes.get(45).getImmutable(target).get(20, TimeUnit.SECONDS)).contains(value);
    }

    @Test
    void lookupsNeedFewRoundTrips() throws Exception {
        double total = 0;
        int n = 20;
        for (int i = 0; i < n; i++) {
            total += net.nodes.get(i).findNode(NodeId.random()).get(20, TimeUnit.SECONDS).rounds();
        }
        // log2(50) ≈ 5.6 hops for a naive walk; Kademlia with full tables needs far fewer.
        assertThat(total / n).isLessThanOrEqualTo(4.0);
    }

}
