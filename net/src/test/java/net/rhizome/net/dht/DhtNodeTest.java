package net.rhizome.net.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BValue.BBytes;
import org.junit.jupiter.api.Test;

/** One DHT node on a real UDP socket, probed with raw KRPC datagrams from several loopback IPs. */
class DhtNodeTest {
    private static final byte[] CLIENT_ID = new byte[20];

    private static DhtConfig config(String ip) {
        return DhtConfig.defaults(new InetSocketAddress(ip, 0))
                .withTimers(Duration.ofMillis(500), Duration.ofMinutes(15), Duration.ofMinutes(15), Duration.ofMinutes(1));
    }

    @Test
    void floodFromOneIpIsDroppedWhileOthersAreServed() throws Exception {
        try (DhtNode node = DhtNode.start(config("127.0.0.1").withRateLimit(50, 50));
                Client attacker = new Client("127.0.0.3");
                Client honest = new Client("127.0.0.4")) {
            int honestAnswered = 0;
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 100; i++) {
                    attacker.send(node, ping(i));
                }
                honest.send(node, ping(round));
                if (honest.receive(2000) instanceof KrpcMessage.Response) {
                    honestAnswered++;
                }
            }
            int attackerAnswered = attacker.drain();
            assertThat(honestAnswered).isEqualTo(20);
            assertThat(attackerAnswered).as("answers to 2000 flood pings").isLessThan(1000);
            assertThat(node.metrics().droppedRateLimited()).isGreaterThan(0);
        }
    }

    @Test
    void malformedAndOversizedDatagramsAreDroppedAndTheNodeKeepsServing() throws Exception {
        try (DhtNode node = DhtNode.start(config("127.0.0.1")); Client c = new Client("127.0.0.1")) {
            c.send(node, "not bencode".getBytes());
            c.send(node, "d1:t2:aa1:y1:qe".getBytes());
            c.send(node, new byte[KrpcCodec.MAX_MESSAGE + 500]);
            c.send(node, ("d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe").getBytes());
            c.send(node, ping(7));
            assertThat(c.receive(2000)).isInstanceOf(KrpcMessage.Response.class);
            assertThat(node.metrics().droppedMalformed()).isEqualTo(4);
        }
    }

    @Test
    void unknownMethodGetsError204() throws Exception {
        try (DhtNode node = DhtNode.start(config("127.0.0.1")); Client c = new Client("127.0.0.1")) {
            c.send(node, KrpcCodec.encodeQuery(new byte[] {9}, "frobnicate", BValue.dict("id", BValue.bytes(CLIENT_ID)), false));
            assertThat(c.receive(2000)).isInstanceOfSatisfying(KrpcMessage.Error.class, e -> assertThat(e.code()).isEqualTo(204));
        }
    }

    @Test
    void announceNeedsATokenIssuedToTheSameIp() throws Exception {
        byte[] hash = new byte[20];
        hash[0] = 42;
        try (DhtNode node = DhtNode.start(config("127.0.0.1"));
                Client a = new Client("127.0.0.4");
                Client b = new Client("127.0.0.5")) {
            a.send(node, KrpcCodec.encodeQuery(new byte[] {1}, "get_peers", BValue.dict("id", BValue.bytes(CLIENT_ID), "info_hash", BValue.bytes(hash)), false));
            byte[] token = ((KrpcMessage.Response) a.receive(2000)).values().require("token", BBytes.class).bytes();

            b.send(node, announce(hash, token, 7000));
            assertThat(b.receive(2000)).as("token of another IP").isInstanceOfSatisfying(KrpcMessage.Error.class,
                    e -> assertThat(e.message()).isEqualTo("bad token"));
            a.send(node, announce(hash, new byte[8], 7000));
            assertThat(a.receive(2000)).as("forged token").isInstanceOf(KrpcMessage.Error.class);
            a.send(node, announce(hash, token, 7000));
            assertThat(a.receive(2000)).isInstanceOf(KrpcMessage.Response.class);

            assertThat(node.getPeers(hash).get(5, TimeUnit.SECONDS)).containsExactly(new InetSocketAddress("127.0.0.4", 7000));
        }
    }

    @Test
    void announcedPeersAndTokensExpire() throws Exception {
        MutableClock clock = new MutableClock();
        byte[] hash = new byte[20];
        hash[1] = 7;
        try (DhtNode node = DhtNode.start(config("127.0.0.1").withClock(clock)); Client a = new Client("127.0.0.4")) {
            a.send(node, KrpcCodec.encodeQuery(new byte[] {1}, "get_peers", BValue.dict("id", BValue.bytes(CLIENT_ID), "info_hash", BValue.bytes(hash)), false));
            byte[] token = ((KrpcMessage.Response) a.receive(2000)).values().require("token", BBytes.class).bytes();
            a.send(node, announce(hash, token, 7000));
            assertThat(a.receive(2000)).isInstanceOf(KrpcMessage.Response.class);

            clock.advance(Duration.ofMinutes(31));
            assertThat(node.getPeers(hash).get(5, TimeUnit.SECONDS)).as("peer TTL is 30 minutes").isEmpty();
            a.send(node, announce(hash, token, 7000));
            assertThat(a.receive(2000)).as("token older than two rotations").isInstanceOf(KrpcMessage.Error.class);
        }
    }

    @Test
    void ipv6NodesExchangeNodes6AndCompactIpv6Peers() throws Exception {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            probe.getLocalPort();
        } catch (java.net.SocketException e) {
            org.junit.jupiter.api.Assumptions.abort("IPv6 loopback ::1 is not available here: " + e.getMessage());
        }
        try (DhtNode a = DhtNode.start(config("::1")); DhtNode b = DhtNode.start(config("::1")); DhtNode c = DhtNode.start(config("::1"))) {
            b.bootstrap(List.of(a.localAddress())).get(5, TimeUnit.SECONDS);
            // c learns b only through a's "nodes6" answer.
            assertThat(c.bootstrap(List.of(a.localAddress())).get(5, TimeUnit.SECONDS)).isEqualTo(2);
            byte[] hash = new byte[20];
            hash[2] = 6;
            assertThat(b.announce(hash, 7006).get(5, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(c.getPeers(hash).get(5, TimeUnit.SECONDS)).containsExactly(new InetSocketAddress("::1", 7006));
        }
    }

    @Test
    void readOnlyNodesAreNotAddedAndDoNotAnswer() throws Exception {
        try (DhtNode full = DhtNode.start(config("127.0.0.1"));
                DhtNode readOnly = DhtNode.start(config("127.0.0.1").withReadOnly(true));
                Client c = new Client("127.0.0.1")) {
            assertThat(readOnly.bootstrap(List.of(full.localAddress())).get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(full.routingTableSnapshot()).isEmpty();
            c.send(readOnly.localAddress(), ping(1));
            assertThat(c.receive(700)).isNull();
        }
    }

    @Test
    void nodeThatStopsAnsweringIsEvicted() throws Exception {
        try (DhtNode a = DhtNode.start(config("127.0.0.1"))) {
            DhtNode b = DhtNode.start(config("127.0.0.1"));
            a.bootstrap(List.of(b.localAddress())).get(5, TimeUnit.SECONDS);
            assertThat(a.routingTableSnapshot()).extracting(NodeInfo::id).containsExactly(b.id());
            b.close();
            a.findNode(NodeId.random()).get(5, TimeUnit.SECONDS);
            a.findNode(NodeId.random()).get(5, TimeUnit.SECONDS);
            assertThat(a.routingTableSnapshot()).isEmpty();
            assertThat(a.metrics().timeouts()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void closingANodeEndsItsLookups() throws Exception {
        DhtNode a = DhtNode.start(config("127.0.0.1"));
        try (DhtNode b = DhtNode.start(config("127.0.0.1"))) {
            a.bootstrap(List.of(b.localAddress())).get(5, TimeUnit.SECONDS);
            b.close();
            var lookup = a.findNode(NodeId.random());
            a.close();
            assertThat(lookup.get(5, TimeUnit.SECONDS).closest()).isEmpty();
            assertThat(a.getPeers(new byte[20]).get(5, TimeUnit.SECONDS)).isEmpty();
        }
    }

    private static byte[] ping(int t) {
        return KrpcCodec.encodeQuery(new byte[] {(byte) t, (byte) (t >> 8)}, "ping", BValue.dict("id", BValue.bytes(CLIENT_ID)), false);
    }

    private static byte[] announce(byte[] hash, byte[] token, int port) {
        return KrpcCodec.encodeQuery(new byte[] {2}, "announce_peer", BValue.dict("id", BValue.bytes(CLIENT_ID),
                "info_hash", BValue.bytes(hash), "port", BValue.integer(port), "token", BValue.bytes(token)), false);
    }

    /** A raw UDP KRPC client bound to one loopback IP. */
    private static final class Client implements AutoCloseable {
        private final DatagramSocket socket;

        Client(String ip) throws Exception {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ip), 0));
        }

        void send(DhtNode node, byte[] datagram) throws Exception {
            send(node.localAddress(), datagram);
        }

        void send(InetSocketAddress to, byte[] datagram) throws Exception {
            socket.send(new DatagramPacket(datagram, datagram.length, to));
        }

        /**
         * The next response or error, or null after {@code millis} of silence. Queries are
         * skipped: the node learns this client from its queries and may look it up too.
         */
        KrpcMessage receive(int millis) throws Exception {
            socket.setSoTimeout(millis);
            while (true) {
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                KrpcMessage m = KrpcCodec.parse(Arrays.copyOf(p.getData(), p.getLength()));
                if (!(m instanceof KrpcMessage.Query)) {
                    return m;
                }
            }
        }

        /** Counts messages until 300 ms of silence. */
        int drain() throws Exception {
            int n = 0;
            while (receive(300) != null) {
                n++;
            }
            return n;
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
