package net.rhizome.net.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.transport.HostPort;
import org.junit.jupiter.api.Test;

class PeerBookTest {
    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final PeerId self = KeyPair.generate().peerId();
    private final PeerBook book = new PeerBook(self, clock, 3, Duration.ofMinutes(10));
    private static final PeerDetails WORKER = new PeerDetails(Set.of("worker"), "http://127.0.0.1:1", "v", List.of(), true);

    private static HostPort at(int port) {
        return new HostPort("127.0.0.1", port);
    }

    @Test
    void silentPeersAreEvictedAfterTheTimeoutAndAnsweringOnesStay() {
        PeerId quiet = KeyPair.generate().peerId();
        PeerId chatty = KeyPair.generate().peerId();
        book.verified(quiet, at(1), WORKER);
        book.verified(chatty, at(2), WORKER);

        clock.now = clock.now.plusSeconds(8);
        book.alive(chatty, WORKER);
        book.unreachable(quiet, "ping: UNAVAILABLE");
        assertThat(book.evictSilent(Duration.ofSeconds(10))).isEmpty();

        clock.now = clock.now.plusSeconds(3);
        assertThat(book.evictSilent(Duration.ofSeconds(10))).extracting(Peer::id).containsExactly(quiet);
        assertThat(book.snapshot()).extracting(Peer::id).containsExactly(chatty);
    }

    @Test
    void aLivenessCheckRefreshesWhatThePeerSaysAboutItself() {
        PeerId worker = KeyPair.generate().peerId();
        book.verified(worker, at(1), WORKER);
        String model = "ab".repeat(32);
        book.alive(worker, new PeerDetails(Set.of("worker"), "http://127.0.0.1:1", "v", List.of(model), true));
        assertThat(book.get(worker)).hasValueSatisfying(p -> assertThat(p.details().models()).containsExactly(model));
    }

    @Test
    void misbehaviourLowersTheScoreAndAtZeroBansThePeerForTheBanPeriod() {
        PeerId rogue = KeyPair.generate().peerId();
        book.verified(rogue, at(1), WORKER);
        book.report(rogue, "oversized frame");
        assertThat(book.get(rogue)).hasValueSatisfying(p -> {
            assertThat(p.score()).isEqualTo(PeerBook.INITIAL_SCORE - PeerBook.MISBEHAVIOUR_PENALTY);
            assertThat(p.lastProblem()).isEqualTo("oversized frame");
        });
        for (int i = 0; i < PeerBook.INITIAL_SCORE / PeerBook.MISBEHAVIOUR_PENALTY; i++) {
            book.report(rogue, "flood");
        }
        assertThat(book.get(rogue)).isEmpty();
        assertThat(book.verified(rogue, at(1), WORKER)).isFalse();

        clock.now = clock.now.plus(Duration.ofMinutes(11));
        assertThat(book.verified(rogue, at(1), WORKER)).isTrue();
    }

    @Test
    void aMisbehavingStrangerIsBannedBeforeItEverJoins() {
        PeerId stranger = KeyPair.generate().peerId();
        for (int i = 0; i < PeerBook.INITIAL_SCORE / PeerBook.MISBEHAVIOUR_PENALTY; i++) {
            assertThat(book.refuses(stranger)).isFalse();
            book.report(stranger, "flood");
        }
        assertThat(book.refuses(stranger)).isTrue();
        assertThat(book.verified(stranger, at(1), WORKER)).isFalse();
    }

    @Test
    void refusesItselfAndStaysWithinItsCapacity() {
        assertThat(book.verified(self, at(9), WORKER)).isFalse();
        for (int i = 0; i < 5; i++) {
            book.verified(KeyPair.generate().peerId(), at(10 + i), WORKER);
        }
        assertThat(book.size()).isEqualTo(3);
    }

    @Test
    void aReVerifiedPeerKeepsItsHistoryButTakesTheNewAddress() {
        PeerId moved = KeyPair.generate().peerId();
        book.verified(moved, at(1), WORKER);
        book.report(moved, "bad record");
        clock.now = clock.now.plusSeconds(5);
        book.verified(moved, at(2), WORKER);

        assertThat(book.get(moved)).hasValueSatisfying(p -> {
            assertThat(p.rpcAddress()).isEqualTo(at(2));
            assertThat(p.score()).isLessThan(PeerBook.INITIAL_SCORE);
            assertThat(p.lastSeen()).isEqualTo(clock.now);
            assertThat(book.knowsAddress(at(2))).isTrue();
            assertThat(book.knowsAddress(at(1))).isFalse();
        });
    }
}
