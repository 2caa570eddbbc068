package net.rhizome.net.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.util.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rhizome DHT nodes and a real libtorrent 2.0 DHT node on 127.0.0.1 form one network: libtorrent
 * bootstraps from Rhizome node A, Rhizome node B bootstraps from libtorrent, and announces and
 * BEP 44 items travel both ways.
 */
class LibtorrentInteropTest {
    @TempDir
    Path dir;

    @Test
    void rhizomeAndLibtorrentFindEachOthersPeersAndItems() throws Exception {
        LibtorrentPeer.assumeAvailable();
        DhtConfig base = DhtConfig.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withTimers(Duration.ofSeconds(2), Duration.ofMinutes(15), Duration.ofMinutes(15), Duration.ofSeconds(1));
        try (DhtNode a = DhtNode.start(base.withNodeId(NodeId.random()));
                DhtNode r1 = DhtNode.start(base.withNodeId(NodeId.random()));
                DhtNode r2 = DhtNode.start(base.withNodeId(NodeId.random()));
                DhtNode b = DhtNode.start(base.withNodeId(NodeId.random()))) {
            // libtorrent never puts its bootstrap ("router") node in its routing table, so A
            // must be able to point it at further Rhizome nodes.
            r1.bootstrap(List.of(a.localAddress())).get(10, TimeUnit.SECONDS);
            r2.bootstrap(List.of(a.localAddress())).get(10, TimeUnit.SECONDS);
            try (LibtorrentPeer lt = LibtorrentPeer.start(a.localAddress(), dir)) {
                exchange(a, b, lt);
            }
        }
    }

    private static void exchange(DhtNode a, DhtNode b, LibtorrentPeer lt) throws Exception {
        {
            await("libtorrent to reach node A", () -> a.routingTableSnapshot().stream().anyMatch(n -> n.address().equals(lt.address)));

            // B knows only the libtorrent node: joining proves Rhizome understands libtorrent's replies.
            await("node B to bootstrap through libtorrent", () -> {
                try {
                    return b.bootstrap(List.of(lt.address)).get(10, TimeUnit.SECONDS) >= 2;
                } catch (Exception e) {
                    return false;
                }
            });

            // libtorrent announces, Rhizome finds.
            byte[] fromLibtorrent = Hashes.sha1("announced by libtorrent".getBytes(StandardCharsets.UTF_8));
            lt.send("announce " + Hex.encode(fromLibtorrent));
            lt.next("OK announce", 10);
            InetSocketAddress ltPeer = lt.address;
            await("Rhizome to find libtorrent's announce", () -> b.getPeers(fromLibtorrent).get(10, TimeUnit.SECONDS).contains(ltPeer));

            // Rhizome announces, libtorrent finds.
            byte[] fromRhizome = Hashes.sha1("announced by rhizome".getBytes(StandardCharsets.UTF_8));
            assertThat(b.announce(fromRhizome, 7002).get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(1);
            await("libtorrent to find Rhizome's announce", () -> {
                lt.send("get_peers " + Hex.encode(fromRhizome));
                return lt.next("PEERS " + Hex.encode(fromRhizome), 15).contains("127.0.0.1:7002");
            });

            // A BEP 44 mutable item signed by Rhizome verifies in libtorrent.
            KeyPair key = KeyPair.deterministic("libtorrent-interop");
            BValue value = BValue.dict("a", BValue.string("127.0.0.1:7003"), "r", BValue.list(BValue.string("worker")));
            assertThat(b.putMutable(MutableItem.sign(key, "rhizome-node-v1".getBytes(StandardCharsets.US_ASCII), 5, value))
                    .get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(1);
            await("libtorrent to fetch and verify the mutable item", () -> {
                lt.send("get_mutable " + Hex.encode(key.publicKey()) + " rhizome-node-v1");
                String line = lt.next("MUTABLE", 15);
                return line.startsWith("MUTABLE 5 ") && line.contains("'a': '127.0.0.1:7003'") && line.contains("'r': [ 'worker' ]");
            });

            // A BEP 44 mutable item signed and stored by libtorrent verifies in Rhizome.
            KeyPair ltKey = KeyPair.deterministic("libtorrent-signer");
            BValue ltValue = BValue.dict("from", BValue.string("libtorrent"), "n", BValue.integer(7));
            lt.send("put_mutable " + Hex.encode(expandedSecret(ltKey)) + " " + Hex.encode(ltKey.publicKey()) + " "
                    + Hex.encode(ltValue.encode()) + " lt-salt");
            // Not waiting for libtorrent's "PUT" report: in this loopback set-up libtorrent 2.0.8
            // counts no put response at all, not even from its own node, and reports only after
            // its ~15 s timeout, while the Rhizome nodes have already stored the item.
            byte[] ltSalt = "lt-salt".getBytes(StandardCharsets.US_ASCII);
            // The Python binding stores its data argument as a bencoded *string*, so v is the
            // byte string holding our encoding, signed by libtorrent with seq 1.
            BValue expected = BValue.bytes(ltValue.encode());
            await("Rhizome to fetch libtorrent's mutable item", () -> b.getMutable(ltKey.publicKey(), ltSalt).get(10, TimeUnit.SECONDS)
                    .filter(item -> item.value().equals(expected) && item.seq() == 1 && item.verify())
                    .isPresent());
        }
    }

    /** The 64-byte secret libtorrent's Ed25519 code signs with: SHA-512 of the seed, clamped (RFC 8032 5.1.5). */
    private static byte[] expandedSecret(KeyPair key) throws Exception {
        byte[] h = java.security.MessageDigest.getInstance("SHA-512").digest(key.seed());
        h[0] &= (byte) 248;
        h[31] &= 63;
        h[31] |= 64;
        return h;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Polls {@code check} for up to 40 s. */
    static void await(String what, Check check) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < end) {
            if (check.ok()) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
