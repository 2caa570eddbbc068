package net.rhizome.net.dht;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.rhizome.core.crypto.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdTest {
    @TempDir
    Path dir;

    @Test
    void persistedIdSurvivesRestartsAndBadFilesAreNamed() throws Exception {
        Path file = dir.resolve("dht-id");
        NodeId first = NodeId.loadOrCreate(file);
        assertThat(NodeId.loadOrCreate(file)).isEqualTo(first);
        Files.writeString(file, "zz");
        assertThatThrownBy(() -> NodeId.loadOrCreate(file)).isInstanceOf(IOException.class).hasMessageContaining("DHT id in");
    }

    @Test
    void derivedIdIsTheTargetOfTheKeysUnsaltedItems() {
        KeyPair key = KeyPair.deterministic("node-id");
        assertThat(NodeId.derivedFrom(key.peerId())).isEqualTo(MutableItem.target(key.publicKey(), new byte[0]));
    }

    @Property(tries = 300)
    void randomIdWithCommonPrefixHasExactlyThatPrefix(@ForAll @IntRange(min = 0, max = 159) int bits) {
        NodeId self = NodeId.random();
        assertThat(self.commonPrefixLength(self.randomWithCommonPrefix(bits))).isEqualTo(bits);
        assertThat(self.commonPrefixLength(self)).isEqualTo(NodeId.BITS);
    }

    @Property(tries = 300)
    void xorDistanceOrdersByCommonPrefix(@ForAll @IntRange(min = 0, max = 158) int bits) {
        NodeId self = NodeId.random();
        NodeId near = self.randomWithCommonPrefix(bits + 1);
        NodeId far = self.randomWithCommonPrefix(bits);
        assertThat(self.compareDistance(near, far)).isNegative();
        assertThat(self.compareDistance(far, near)).isPositive();
        assertThat(self.compareDistance(near, near)).isZero();
    }
}
