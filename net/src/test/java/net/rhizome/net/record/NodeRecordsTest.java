package net.rhizome.net.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.net.dht.LocalNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Publishing and looking up signed node records across a 12-node loopback DHT. */
class NodeRecordsTest {
    private static LocalNetwork net;

    @BeforeAll
    static void start() throws Exception {
        net = LocalNetwork.start(12);
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void lookupReturnsTheNewestSignedRecord() throws Exception {
        NodeRecords publisher = new NodeRecords(net.nodes.get(1));
        assertThat(publisher.publish(NodeRecordTest.KEY, NodeRecordTest.sample(10)).get(20, TimeUnit.SECONDS)).isPositive();
        assertThat(publisher.publish(NodeRecordTest.KEY, NodeRecordTest.sample(11)).get(20, TimeUnit.SECONDS)).isPositive();

        NodeRecords reader = new NodeRecords(net.nodes.get(9));
        assertThat(reader.lookup(NodeRecordTest.KEY.peerId()).get(20, TimeUnit.SECONDS)).contains(NodeRecordTest.sample(11));
    }

    @Test
    void unknownPeerHasNoRecord() throws Exception {
        assertThat(new NodeRecords(net.nodes.get(4)).lookup(KeyPair.deterministic("nobody").peerId()).get(20, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void aRecordCanOnlyBeSignedByItsOwnKey() {
        KeyPair other = KeyPair.deterministic("impostor");
        assertThatThrownBy(() -> new NodeRecords(net.nodes.get(2)).publish(other, NodeRecordTest.sample(1)))
                .hasMessageContaining("cannot be signed by");
    }
}
