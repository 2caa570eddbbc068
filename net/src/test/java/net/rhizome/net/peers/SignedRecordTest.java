package net.rhizome.net.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.net.dht.MutableItem;
import net.rhizome.net.record.NodeRecord;
import org.junit.jupiter.api.Test;

class SignedRecordTest {
    private static final KeyPair KEY = KeyPair.deterministic("signed-record-test");
    private static final NodeRecord RECORD = new NodeRecord(KEY.peerId(), "127.0.0.1:7400", "http://127.0.0.1:7480",
            Set.of("worker"), List.of(), "rhizome/0.1.0", 0);

    private static MutableItem signed() {
        return new OwnRecord(KEY, () -> RECORD).signed();
    }

    @Test
    void aRecordSignedByThePeerVerifies() throws Exception {
        MutableItem item = signed();
        NodeRecord back = SignedRecord.verify(KEY.peerId(), item.value().encode(), item.seq(), item.signature());
        assertThat(back.withSeq(0)).isEqualTo(RECORD);
        assertThat(back.seq()).isEqualTo(item.seq()).isPositive();
    }

    @Test
    void anyTamperingIsRefused() {
        MutableItem item = signed();
        byte[] value = item.value().encode();
        byte[] flipped = value.clone();
        flipped[flipped.length - 3] ^= 1;
        byte[] badSig = item.signature().clone();
        badSig[0] ^= 1;

        assertThatThrownBy(() -> SignedRecord.verify(KEY.peerId(), value, item.seq() + 1, item.signature()))
                .hasMessageContaining("signature");
        assertThatThrownBy(() -> SignedRecord.verify(KEY.peerId(), value, item.seq(), badSig)).hasMessageContaining("signature");
        assertThatThrownBy(() -> SignedRecord.verify(KeyPair.generate().peerId(), value, item.seq(), item.signature()))
                .hasMessageContaining("signature");
        assertThatThrownBy(() -> SignedRecord.verify(KEY.peerId(), flipped, item.seq(), item.signature()))
                .isInstanceOf(SignedRecord.InvalidRecordException.class);
        assertThatThrownBy(() -> SignedRecord.verify(KEY.peerId(), new byte[1001], 1, item.signature()))
                .hasMessageContaining("limit 1000");
        assertThatThrownBy(() -> SignedRecord.verify(KEY.peerId(), new byte[0], 1, item.signature()))
                .hasMessageContaining("no node record");
    }

    @Test
    void changedContentIsReSignedWithAHigherSequenceNumber() {
        String[] roles = {"worker"};
        OwnRecord own = new OwnRecord(KEY, () -> new NodeRecord(KEY.peerId(), "127.0.0.1:7400", "http://127.0.0.1:7480",
                Set.of(roles), List.of(), "rhizome/0.1.0", 0));
        MutableItem first = own.signed();
        assertThat(own.signed()).isSameAs(first);
        roles[0] = "seeder";
        MutableItem second = own.signed();
        assertThat(second.seq()).isGreaterThan(first.seq());
        assertThat(second.verify()).isTrue();
    }

    /** Random bytes from the network never escape as anything but a refusal. */
    @Property(tries = 300)
    void randomBytesAreRefusedCleanly(@ForAll @Size(max = 1200) byte[] value, @ForAll long seq, @ForAll @Size(64) byte[] sig) {
        try {
            SignedRecord.verify(KEY.peerId(), value, seq, sig);
            throw new AssertionError("random bytes verified: " + Arrays.toString(value));
        } catch (SignedRecord.InvalidRecordException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
