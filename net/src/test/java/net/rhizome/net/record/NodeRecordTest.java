package net.rhizome.net.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BencodeException;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.dht.MutableItem;
import org.junit.jupiter.api.Test;

class NodeRecordTest {
    static final KeyPair KEY = KeyPair.deterministic("node-record-test");
    static final String MODEL = "ab".repeat(32);

    static NodeRecord sample(long seq) {
        return new NodeRecord(KEY.peerId(), "127.0.0.1:7001", "http://127.0.0.1:8001", Set.of("worker", "gateway"), List.of(MODEL), "rhizome/0.1.0", seq);
    }

    @Test
    void roundTripsThroughItsCompactEncoding() {
        NodeRecord r = sample(3).withExtension("price", BValue.dict("in", BValue.integer(12), "out", BValue.integer(40)));
        assertThat(NodeRecordCodec.decode(KEY.peerId(), 3, NodeRecordCodec.encode(r))).isEqualTo(r);
    }

    @Test
    void unknownFieldsFromNewerSoftwareSurviveAsExtensions() {
        BValue.BDict newer = BValue.dict("a", BValue.string("h:1"), "h", BValue.string(""), "r", BValue.list(), "m", BValue.bytes(new byte[0]),
                "s", BValue.string("rhizome/9"), "cap", BValue.integer(4));
        NodeRecord r = NodeRecordCodec.decode(KEY.peerId(), 1, newer);
        assertThat(r.extensions()).containsEntry("cap", BValue.integer(4));
        assertThat(NodeRecordCodec.encode(r)).isEqualTo(newer);
    }

    @Test
    void malformedRecordsAreRejectedWithTheFieldNamed() {
        PeerId p = KEY.peerId();
        assertThatThrownBy(() -> NodeRecordCodec.decode(p, 1, BValue.integer(1))).isInstanceOf(BencodeException.class).hasMessageContaining("dictionary");
        assertThatThrownBy(() -> NodeRecordCodec.decode(p, 1, BValue.dict("a", BValue.string("x")))).hasMessageContaining("missing key 'r'");
        BValue.BDict badModels = BValue.dict("a", BValue.string("h:1"), "h", BValue.string(""), "r", BValue.list(), "m", BValue.bytes(new byte[31]), "s", BValue.string("v"));
        assertThatThrownBy(() -> NodeRecordCodec.decode(p, 1, badModels)).hasMessageContaining("multiple of 32");
        BValue.BDict badRole = BValue.dict("a", BValue.string("h:1"), "h", BValue.string(""), "r", BValue.list(BValue.string("Root!")), "m", BValue.bytes(new byte[0]), "s", BValue.string("v"));
        assertThatThrownBy(() -> NodeRecordCodec.decode(p, 1, badRole)).isInstanceOf(BencodeException.class).hasMessageContaining("role 'Root!'");
    }

    @Test
    void invalidFieldsAreRefusedAtConstruction() {
        assertThatThrownBy(() -> new NodeRecord(KEY.peerId(), "", "", Set.of(), List.of(), "v", 1)).hasMessageContaining("rpc address");
        assertThatThrownBy(() -> new NodeRecord(KEY.peerId(), "h:1", "", Set.of(), List.of("xyz"), "v", 1)).hasMessageContaining("model id 'xyz'");
        assertThatThrownBy(() -> sample(1).withExtension("a", BValue.integer(1))).hasMessageContaining("extension key 'a'");
    }

    @Test
    void recordsLargerThanABep44ItemCannotBePublished() {
        List<String> many = java.util.stream.IntStream.range(0, 40).mapToObj(i -> String.format("%064x", i)).toList();
        NodeRecord big = new NodeRecord(KEY.peerId(), "127.0.0.1:7001", "", Set.of(), many, "v", 1);
        assertThatThrownBy(() -> MutableItem.sign(KEY, NodeRecords.SALT.getBytes(), 1, NodeRecordCodec.encode(big)))
                .hasMessageContaining("limit 1000");
    }
}
