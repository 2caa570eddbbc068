package net.rhizome.market.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.state.Account;
import net.rhizome.market.selection.Candidate;
import net.rhizome.market.selection.WorkerSelection;
import org.junit.jupiter.api.Test;

class RouterTest {
    static final Hash32 MODEL = Hash32.sha256("model".getBytes());
    static final Hash32 OTHER_MODEL = Hash32.sha256("other".getBytes());
    static final Hash32 SEED = Hash32.sha256("block".getBytes());
    static final long MIN_STAKE = 100;

    final Map<PeerId, Account> ledger = new HashMap<>();
    final List<Router.LivePeer> alive = new ArrayList<>();
    final MutableClock clock = new MutableClock();
    final CoolDown coolDown = new CoolDown(clock);
    final Router router = new Router(() -> alive, id -> Optional.ofNullable(ledger.get(id)), () -> SEED, () -> MIN_STAKE, coolDown);

    PeerId worker(String name, long stake, Hash32 registered, boolean advertised, long price) {
        PeerId id = KeyPair.deterministic(name).peerId();
        ledger.put(id, Account.empty(id).withStake(stake, 0, 0).withWorker(List.of(registered), price).withReputation(600));
        alive.add(new Router.LivePeer(id, advertised ? List.of(MODEL.hex()) : List.of(), 40));
        return id;
    }

    @Test
    void onlyRegisteredStakedAdvertisingRestedWorkersAreEligible() {
        PeerId good = worker("good", 500, MODEL, true, 3);
        PeerId good2 = worker("good2", 900, MODEL, true, 4);
        worker("poor", MIN_STAKE - 1, MODEL, true, 3);
        worker("wrong-model", 500, OTHER_MODEL, true, 3);
        worker("silent", 500, MODEL, false, 3);
        PeerId unregistered = KeyPair.deterministic("unregistered").peerId();
        alive.add(new Router.LivePeer(unregistered, List.of(MODEL.hex()), 40));
        PeerId tired = worker("tired", 500, MODEL, true, 3);
        coolDown.failed(tired);

        assertThat(router.eligible(MODEL)).extracting(e -> e.candidate().worker()).containsExactlyInAnyOrder(good, good2);
        clock.advance(Duration.ofSeconds(6));
        assertThat(router.eligible(MODEL)).extracting(e -> e.candidate().worker()).contains(tired);
    }

    @Test
    void theRouteIsTheSelectionRuleOverPublicDataWithTheMultiplierApplied() {
        for (int i = 0; i < 6; i++) {
            worker("w" + i, 100 + 50L * i, MODEL, true, 10 + i);
        }
        Hash32 job = Hash32.sha256("job".getBytes());
        Router.Route route = router.route(job, MODEL, 1500);

        // Recompute from the public data alone: ledger stakes and reputations, node records, block hash.
        List<Candidate> recomputed = WorkerSelection.rank(job.bytes(), SEED.bytes(), alive.stream()
                .map(p -> new Candidate(p.peer(), ledger.get(p.peer()).staked(), ledger.get(p.peer()).reputation(), p.tokensPerSecond()))
                .toList());
        assertThat(route.ranked()).isEqualTo(recomputed);
        assertThat(route.assignments()).extracting(JobDispatcher.Assignment::worker)
                .containsExactlyElementsOf(recomputed.stream().map(Candidate::worker).toList());
        for (JobDispatcher.Assignment a : route.assignments()) {
            assertThat(a.pricePerToken()).isEqualTo(Math.ceilDiv(ledger.get(a.worker()).pricePerToken() * 1500, 1000));
        }
    }

    @Test
    void coolDownDoublesAndClearsOnSuccess() {
        PeerId w = KeyPair.deterministic("w").peerId();
        coolDown.failed(w);
        coolDown.failed(w);
        clock.advance(Duration.ofSeconds(9));
        assertThat(coolDown.resting(w)).isTrue();
        clock.advance(Duration.ofSeconds(2));
        assertThat(coolDown.resting(w)).isFalse();
        for (int i = 0; i < 30; i++) {
            coolDown.failed(w);
        }
        clock.advance(CoolDown.LONGEST.minusSeconds(1));
        assertThat(coolDown.resting(w)).isTrue();
        coolDown.succeeded(w);
        assertThat(coolDown.resting(w)).isFalse();
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

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
}
