package net.rhizome.net.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PeerStoreTest {
    private final MutableClock clock = new MutableClock();
    private final NodeId hash = NodeId.random();

    @Test
    void peersExpireAfterTheirTtl() {
        PeerStore store = new PeerStore(clock, Duration.ofMinutes(30), 10, 10);
        InetSocketAddress p = new InetSocketAddress("10.1.1.1", 6881);
        store.add(hash, p);
        clock.advance(Duration.ofMinutes(29));
        assertThat(store.get(hash, 10)).containsExactly(p);
        clock.advance(Duration.ofMinutes(2));
        assertThat(store.get(hash, 10)).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void storeIsBoundedPerHashAndInHashes() {
        PeerStore store = new PeerStore(clock, Duration.ofMinutes(30), 2, 3);
        for (int i = 1; i <= 5; i++) {
            store.add(hash, new InetSocketAddress("10.1.1." + i, 6881));
        }
        assertThat(store.get(hash, 10)).hasSize(3).doesNotContain(new InetSocketAddress("10.1.1.1", 6881));
        assertThat(store.get(hash, 2)).hasSize(2);
        assertThat(store.add(NodeId.random(), new InetSocketAddress("10.1.1.1", 1))).isTrue();
        assertThat(store.add(NodeId.random(), new InetSocketAddress("10.1.1.1", 1))).isFalse();
    }
}
