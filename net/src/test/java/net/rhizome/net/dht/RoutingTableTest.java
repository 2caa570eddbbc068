package net.rhizome.net.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Kademlia routing-table invariants (jqwik) and BEP 5 eviction of questionable and bad nodes. */
class RoutingTableTest {
    private final MutableClock clock = new MutableClock();

    @Property(tries = 200)
    void bucketInvariantsHold(@ForAll long seed, @ForAll @IntRange(min = 1, max = 600) int inserts, @ForAll @IntRange(min = 0, max = 100) int failures) {
        Random random = new Random(seed);
        NodeId self = id(random);
        RoutingTable table = new RoutingTable(self, 8, 2, Duration.ofMinutes(15), clock);
        List<NodeInfo> known = new ArrayList<>();
        for (int i = 0; i < inserts; i++) {
            // Skew towards our own id so that splitting is exercised deeply.
            NodeId id = random.nextBoolean() ? id(random) : self.randomWithCommonPrefix(random.nextInt(24));
            NodeInfo n = new NodeInfo(id, new InetSocketAddress("10.0." + (i / 250) + "." + (i % 250), 1000 + i));
            known.add(n);
            table.heard(n, random.nextBoolean());
        }
        for (int i = 0; i < failures && !known.isEmpty(); i++) {
            table.failed(known.get(random.nextInt(known.size())).id());
        }

        List<List<NodeInfo>> buckets = table.buckets();
        HashSet<NodeId> seen = new HashSet<>();
        for (int b = 0; b < buckets.size(); b++) {
            assertThat(buckets.get(b)).hasSizeLessThanOrEqualTo(8);
            for (NodeInfo n : buckets.get(b)) {
                assertThat(n.id()).isNotEqualTo(self);
                assertThat(seen.add(n.id())).as("duplicate %s", n.id()).isTrue();
                int cpl = self.commonPrefixLength(n.id());
                if (b < buckets.size() - 1) {
                    assertThat(cpl).isEqualTo(b);
                } else {
                    assertThat(cpl).isGreaterThanOrEqualTo(b);
                }
            }
        }
        assertThat(table.size()).isEqualTo(seen.size());
        NodeId target = id(random);
        List<NodeInfo> closest = table.closest(target, 8);
        for (int i = 1; i < closest.size(); i++) {
            assertThat(target.compareDistance(closest.get(i - 1).id(), closest.get(i).id())).isNegative();
        }
        // Nothing in the table is closer to the target than the last node returned.
        if (closest.size() == 8) {
            NodeId eighth = closest.get(7).id();
            assertThat(table.snapshot()).allSatisfy(n -> assertThat(
                    closest.contains(n) || target.compareDistance(n.id(), eighth) > 0).isTrue());
        }
    }

    @Test
    void fullBucketPingsTheQuestionableNodeAndReplacesItWhenItFails() {
        NodeId self = NodeId.of(new byte[20]);
        RoutingTable table = new RoutingTable(self, 2, 2, Duration.ofMinutes(15), clock);
        // Far ids (first bit set) all land in bucket 0, which does not split once a closer bucket exists.
        table.heard(node(0x00, 1), true);
        NodeInfo a = node(0x80, 2);
        NodeInfo b = node(0x81, 3);
        table.heard(a, true);
        table.heard(b, true);
        clock.advance(Duration.ofMinutes(10));
        table.heard(b, true);
        NodeInfo newcomer = node(0x82, 4);
        assertThat(table.heard(newcomer, true)).as("all nodes are good").isEmpty();
        clock.advance(Duration.ofMinutes(6));
        // a was last seen 16 minutes ago: questionable, so the caller should ping it.
        Optional<NodeInfo> ping = table.heard(newcomer, true);
        assertThat(ping).contains(a);
        table.failed(a.id());
        assertThat(table.snapshot()).contains(a);
        table.failed(a.id());
        assertThat(table.snapshot()).doesNotContain(a).contains(newcomer, b);
    }

    @Test
    void answeringNodeStaysAndNewcomerWaits() {
        NodeId self = NodeId.of(new byte[20]);
        RoutingTable table = new RoutingTable(self, 1, 2, Duration.ofMinutes(15), clock);
        table.heard(node(0x00, 1), true);
        NodeInfo a = node(0x80, 2);
        table.heard(a, true);
        clock.advance(Duration.ofMinutes(20));
        assertThat(table.heard(node(0x81, 3), true)).contains(a);
        table.heard(a, true); // the ping was answered
        assertThat(table.snapshot()).contains(a).doesNotContain(node(0x81, 3));
    }

    @Test
    void staleBucketsAreRefreshedWithTargetsInTheirRange() {
        NodeId self = NodeId.random();
        RoutingTable table = new RoutingTable(self, 8, 2, Duration.ofMinutes(15), clock);
        assertThat(table.bucketsToRefresh(Duration.ofMinutes(15))).isEmpty();
        clock.advance(Duration.ofMinutes(15));
        List<NodeId> targets = table.bucketsToRefresh(Duration.ofMinutes(15));
        assertThat(targets).hasSize(1);
        assertThat(table.bucketsToRefresh(Duration.ofMinutes(15))).as("just refreshed").isEmpty();
    }

    @Test
    void nodesSilentForTheQuestionablePeriodAreOfferedForPingOnce() {
        RoutingTable table = new RoutingTable(NodeId.random(), 8, 2, Duration.ofMinutes(15), clock);
        NodeInfo a = new NodeInfo(NodeId.random(), new InetSocketAddress("10.0.0.1", 1));
        table.heard(a, true);
        assertThat(table.questionable()).isEmpty();
        clock.advance(Duration.ofMinutes(15));
        assertThat(table.questionable()).containsExactly(a);
        assertThat(table.questionable()).as("ping already under way").isEmpty();
    }

    private static NodeInfo node(int firstByte, int last) {
        byte[] id = new byte[20];
        id[0] = (byte) firstByte;
        id[19] = (byte) last;
        return new NodeInfo(NodeId.of(id), new InetSocketAddress("10.0.0." + last, 6881));
    }

    private static NodeId id(Random random) {
        byte[] b = new byte[20];
        random.nextBytes(b);
        return NodeId.of(b);
    }
}
