package net.rhizome.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.dht.MutableItem;
import net.rhizome.net.peers.OwnRecord;
import net.rhizome.net.peers.SignedRecord;
import net.rhizome.net.record.NodeRecord;
import net.rhizome.net.transport.proto.NodeInfo;

/**
 * What a node does with bytes a peer sends it in place of a node info: protobuf parsing, then
 * node-record verification, then address parsing. Every input ends in a parsed value or a checked
 * refusal, never another exception. Jazzer runs the seed corpus in normal builds; the jqwik
 * properties add random and mutated inputs.
 */
class NodeMessageFuzzTest {
    static final KeyPair KEY = KeyPair.deterministic("node-message-fuzz");

    @FuzzTest
    void decodeNodeInfo(byte[] input) {
        check(input);
    }

    @Property(tries = 2000)
    void randomBytesNeverCrashTheDecoder(@ForAll @Size(max = 2000) byte[] input) {
        check(input);
    }

    @Property(tries = 2000)
    void mutatedValidNodeInfoNeverCrashesTheDecoder(@ForAll int position, @ForAll byte value, @ForAll boolean truncate) {
        byte[] bytes = validInfo().toByteArray();
        int at = Math.floorMod(position, bytes.length);
        bytes[at] = value;
        check(truncate ? java.util.Arrays.copyOf(bytes, at) : bytes);
    }

    @Property(tries = 1000)
    void addressTextIsParsedOrRefusedWithAReason(@ForAll @Size(max = 400) String text) {
        try {
            HostPort hp = HostPort.parse(text);
            assertThat(HostPort.parse(hp.toString())).isEqualTo(hp);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    static NodeInfo validInfo() {
        NodeRecord record = new NodeRecord(KEY.peerId(), "127.0.0.1:7400", "http://127.0.0.1:7480", Set.of("worker"),
                List.of(), "rhizome/0.1.0", 0);
        MutableItem item = new OwnRecord(KEY, () -> record).signed();
        return NodeInfo.newBuilder()
                .setProtocolVersion(NodeTransport.PROTOCOL_VERSION)
                .setPeerId(KEY.peerId().hex())
                .addRoles("worker")
                .setRpcAddress("127.0.0.1:7400")
                .setRecordValue(ByteString.copyFrom(item.value().encode()))
                .setRecordSeq(item.seq())
                .setRecordSignature(ByteString.copyFrom(item.signature()))
                .build();
    }

    private static void check(byte[] input) {
        NodeInfo info;
        try {
            info = NodeInfo.parseFrom(input);
        } catch (InvalidProtocolBufferException refused) {
            return;
        }
        PeerId claimed;
        try {
            claimed = PeerId.parse(info.getPeerId());
        } catch (IllegalArgumentException refused) {
            claimed = KEY.peerId();
        }
        try {
            NodeRecord record = SignedRecord.verify(claimed, info.getRecordValue().toByteArray(), info.getRecordSeq(),
                    info.getRecordSignature().toByteArray());
            assertThat(record.peerId()).isEqualTo(claimed);
            HostPort.parse(record.rpcAddress());
        } catch (SignedRecord.InvalidRecordException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        } catch (IllegalArgumentException badAddress) {
            assertThat(badAddress.getMessage()).isNotBlank();
        }
        try {
            HostPort.parse(info.getRpcAddress());
        } catch (IllegalArgumentException badAddress) {
            assertThat(badAddress.getMessage()).isNotBlank();
        }
    }
}
