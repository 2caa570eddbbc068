package net.rhizome.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.state.LedgerState;
import net.rhizome.ledger.state.StateMachine;
import net.rhizome.ledger.tx.SignedTransaction;

/** The ledger invariants over random transaction sequences, on the in-memory state machine. */
class LedgerPropertiesTest {

    @Provide
    Arbitrary<List<RandomWorkload.Step>> workload() {
        return RandomWorkload.steps().list().ofMinSize(20).ofMaxSize(160);
    }

    @Property(tries = 50)
    void invariantsHoldAtEveryBlockAndReplayReproducesIt(@ForAll("workload") List<RandomWorkload.Step> steps) {
        TestChain chain = new TestChain(RandomWorkload.USERS);
        RandomWorkload w = new RandomWorkload();
        List<List<SignedTransaction>> log = new ArrayList<>();
        List<BlockHeader> headers = new ArrayList<>();
        seal(chain, RandomWorkload.setup(), log, headers);
        assertThat(log.getFirst()).hasSize(RandomWorkload.setup().size());
        List<SignedTransaction> block = new ArrayList<>();
        for (RandomWorkload.Step s : steps) {
            block.add(w.toTransaction(s, chain.state, chain.head.height() + 1));
            if (s.endBlock()) {
                seal(chain, block, log, headers);
                block.clear();
                w.resync();
            }
        }
        seal(chain, block, log, headers);
        // a few empty blocks so epochs close and rewards are paid on the random state
        for (int i = 0; i < 12; i++) {
            seal(chain, List.of(), log, headers);
        }

        TestChain replay = new TestChain(RandomWorkload.USERS);
        for (int i = 0; i < log.size(); i++) {
            BlockBuilder.Built b = replay.block(log.get(i));
            assertThat(b.rejected()).isEmpty();
            assertThat(b.header()).isEqualTo(headers.get(i));
        }
    }

    private static void seal(TestChain chain, List<SignedTransaction> candidates, List<List<SignedTransaction>> log, List<BlockHeader> headers) {
        List<SignedTransaction> signed = candidates.stream().filter(SignedTransaction::verifySignature).toList();

        // the same transactions one by one on a copy: every rejection must leave the state root untouched
        LedgerState shadow = LedgerState.of(chain.state.entries());
        StateMachine machine = new StateMachine(chain.genesis);
        Set<Integer> shadowRejected = new HashSet<>();
        for (int i = 0; i < signed.size(); i++) {
            var before = shadow.stateRoot();
            try {
                machine.apply(shadow, signed.get(i), chain.head.height() + 1);
            } catch (RejectedException e) {
                assertThat(shadow.stateRoot()).as("root after rejected %s", e.rejection()).isEqualTo(before);
                shadowRejected.add(i);
            }
        }
        Map<PeerId, Long> noncesBefore = nonces(chain.state);

        BlockBuilder.Built built = chain.block(signed);

        assertThat(built.rejected().keySet()).isEqualTo(shadowRejected);
        assertThat(Invariants.violations(chain.state)).isEmpty();
        for (Account a : chain.state.all(Account.class)) {
            assertThat(a.credits()).isNotNegative();
            assertThat(a.rhz()).isNotNegative();
            assertThat(a.staked()).isNotNegative();
            assertThat(a.unbonding()).isNotNegative();
        }
        // nonces strictly increase: each sender's included transactions carry last+1, last+2, ...
        Map<PeerId, Long> expected = new HashMap<>(noncesBefore);
        for (SignedTransaction tx : built.included()) {
            PeerId sender = tx.transaction().sender();
            long next = expected.getOrDefault(sender, 0L) + 1;
            assertThat(tx.transaction().nonce()).isEqualTo(next);
            expected.put(sender, next);
        }
        assertThat(nonces(chain.state)).isEqualTo(withZerosFor(expected, chain.state));
        built.included().forEach(tx -> Statistics.label("accepted").collect(tx.transaction().operation().getClass().getSimpleName()));
        built.rejected().values().forEach(r -> Statistics.label("rejected").collect(r.code()));
        log.add(built.included());
        headers.add(built.header());
    }

    private static Map<PeerId, Long> nonces(LedgerState s) {
        Map<PeerId, Long> out = new HashMap<>();
        s.all(Account.class).forEach(a -> out.put(a.id(), a.nonce()));
        return out;
    }

    private static Map<PeerId, Long> withZerosFor(Map<PeerId, Long> expected, LedgerState s) {
        Map<PeerId, Long> out = new HashMap<>(expected);
        s.all(Account.class).forEach(a -> out.putIfAbsent(a.id(), 0L));
        return out;
    }
}
