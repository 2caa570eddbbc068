package net.rhizome.net.dht;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BencodeException;

/**
 * Hostile datagrams into the KRPC parser and the query handler: a clean {@link BencodeException}
 * or a parsed message; the handler answers any parsed query with a response or a KRPC error,
 * never an exception. Jazzer replays {@code KrpcFuzzTestInputs/parse} in normal builds.
 */
class KrpcFuzzTest {
    private static final NodeId SELF = NodeId.random();
    private static final MutableClock CLOCK = new MutableClock();
    private static final RoutingTable TABLE = new RoutingTable(SELF, 8, 2, java.time.Duration.ofMinutes(15), CLOCK);
    private static final QueryHandler HANDLER = new QueryHandler(SELF, 8, false, TABLE,
            new TokenManager(CLOCK, java.time.Duration.ofMinutes(5)),
            new PeerStore(CLOCK, java.time.Duration.ofMinutes(30), 100, 100),
            new ItemStore(CLOCK, java.time.Duration.ofHours(2), 100));
    private static final InetSocketAddress FROM = new InetSocketAddress("127.0.0.1", 6881);

    @FuzzTest
    void parse(byte[] datagram) {
        check(datagram);
    }

    @Property(tries = 3000)
    void randomBytes(@ForAll @Size(max = 1600) byte[] datagram) {
        check(datagram);
    }

    @Property(tries = 3000)
    void mutatedValidMessages(@ForAll("messages") byte[] valid, @ForAll int position, @ForAll byte value, @ForAll boolean truncate) {
        byte[] bytes = valid.clone();
        int at = Math.floorMod(position, bytes.length);
        bytes[at] = value;
        check(truncate ? Arrays.copyOf(bytes, at) : bytes);
    }

    @Provide
    Arbitrary<byte[]> messages() {
        Arbitrary<byte[]> ids = Arbitraries.bytes().array(byte[].class).ofSize(20);
        Arbitrary<String> methods = Arbitraries.of("ping", "find_node", "get_peers", "announce_peer", "get", "put", "vote");
        return net.jqwik.api.Combinators.combine(ids, ids, methods, Arbitraries.integers().between(0, 70000))
                .as((id, target, method, port) -> KrpcCodec.encodeQuery(new byte[] {1, 2}, method, BValue.dict(
                        "id", BValue.bytes(id), "target", BValue.bytes(target), "info_hash", BValue.bytes(target),
                        "port", BValue.integer(port), "token", BValue.bytes(new byte[8]), "v", BValue.string("x"),
                        "implied_port", BValue.integer(port & 1)), false));
    }

    private static void check(byte[] datagram) {
        KrpcMessage msg;
        try {
            msg = KrpcCodec.parse(datagram);
        } catch (BencodeException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return;
        }
        assertThat(msg.transactionId().length).isLessThanOrEqualTo(KrpcCodec.MAX_TRANSACTION_ID);
        if (msg instanceof KrpcMessage.Query q) {
            QueryHandler.Reply reply = HANDLER.handle(q, FROM);
            byte[] out = switch (reply) {
                case QueryHandler.Ok ok -> KrpcCodec.encodeResponse(q.transactionId(), ok.values(), FROM);
                case QueryHandler.Fail f -> KrpcCodec.encodeError(q.transactionId(), f.code(), f.message());
            };
            assertThat(out.length).isLessThanOrEqualTo(KrpcCodec.MAX_MESSAGE);
            assertThat(KrpcCodec.parse(out)).isNotInstanceOf(KrpcMessage.Query.class);
        }
    }
}
