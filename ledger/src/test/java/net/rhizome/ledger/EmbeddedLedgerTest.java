package net.rhizome.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.store.StoreException;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.ledger.tx.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedLedgerTest {
    @TempDir
    Path dir;

    final GenesisConfig genesis = TestChain.genesis(3);
    final KeyPair alice = TestChain.user(0);
    final KeyPair bob = TestChain.user(1);

    private static SignedTransaction transfer(KeyPair from, KeyPair to, long nonce, long amount) {
        return new Transaction(from.peerId(), nonce, new Operation.Transfer(to.peerId(), Asset.CREDITS, amount)).sign(from);
    }

    @Test
    void acceptedTransactionsSurviveReopenAndReplay() throws Exception {
        Path file = dir.resolve("ledger.db");
        List<BlockHeader> seen = new CopyOnWriteArrayList<>();
        BlockHeader head;
        try (EmbeddedLedger ledger = EmbeddedLedger.open(file, genesis)) {
            ledger.subscribe(seen::add);
            var ok = ledger.submit(transfer(alice, bob, 1, 100));
            var skipped = ledger.submit(transfer(alice, bob, 3, 100));
            head = ledger.produceBlock();
            assertThat(ok.get()).isEqualTo(new TxOutcome.Accepted(transfer(alice, bob, 1, 100).id(), 1, 0));
            assertThat(skipped.get()).isInstanceOfSatisfying(TxOutcome.Rejected.class,
                    r -> assertThat(r.rejection().code()).isEqualTo(RejectCode.SKIPPED_NONCE));
            ledger.submit(transfer(bob, alice, 1, 30));
            ledger.submit(transfer(alice, bob, 2, 7));
            head = ledger.produceBlock();
            assertThat(seen).extracting(BlockHeader::height).containsExactly(1L, 2L);
            assertThat(ledger.balance(bob.peerId(), Asset.CREDITS)).isEqualTo(1_000_077);
            assertThat(ledger.nextNonce(alice.peerId())).isEqualTo(3);
            assertThat(ledger.history(bob.peerId(), 10)).extracting(Ledger.TxRecord::height).containsExactly(2L, 2L, 1L);
            assertThat(ledger.checkInvariants()).isEmpty();
        }
        try (EmbeddedLedger reopened = EmbeddedLedger.open(file, genesis)) {
            assertThat(reopened.head()).isEqualTo(head);
            assertThat(reopened.balance(bob.peerId(), Asset.CREDITS)).isEqualTo(1_000_077);
            Replay.Report report = reopened.verifyReplay();
            assertThat(report.blocks()).isEqualTo(3);
            assertThat(report.transactions()).isEqualTo(3);
            assertThat(report.finalStateRoot()).isEqualTo(head.stateRoot());
            assertThat(reopened.produceBlock().previous()).isEqualTo(head.hash());
        }
    }

    @Test
    void badSignatureIsRejectedAtOnce() throws Exception {
        try (EmbeddedLedger ledger = EmbeddedLedger.open(dir.resolve("l.db"), genesis)) {
            TxOutcome out = ledger.submit(RandomWorkload.withBrokenSignature(transfer(alice, bob, 1, 5))).get();
            assertThat(out).isInstanceOfSatisfying(TxOutcome.Rejected.class,
                    r -> assertThat(r.rejection().code()).isEqualTo(RejectCode.BAD_SIGNATURE));
        }
    }

    @Test
    void closingRejectsWhatWasNeverCommitted() throws Exception {
        EmbeddedLedger ledger = EmbeddedLedger.open(dir.resolve("c.db"), genesis);
        var waiting = ledger.submit(transfer(alice, bob, 1, 5));
        ledger.close();
        assertThat(waiting.get()).isInstanceOfSatisfying(TxOutcome.Rejected.class,
                r -> assertThat(r.rejection().code()).isEqualTo(RejectCode.LEDGER_CLOSED));
        assertThat(ledger.submit(transfer(alice, bob, 1, 5)).get()).isInstanceOf(TxOutcome.Rejected.class);
        try (EmbeddedLedger reopened = EmbeddedLedger.open(dir.resolve("c.db"), genesis)) {
            assertThat(reopened.head().height()).isZero();
            assertThat(reopened.balance(bob.peerId(), Asset.CREDITS)).isEqualTo(1_000_000);
        }
    }

    @Test
    void aFileFromAnotherGenesisIsRefused() throws Exception {
        Path file = dir.resolve("l.db");
        EmbeddedLedger.open(file, genesis).close();
        assertThatThrownBy(() -> EmbeddedLedger.open(file, TestChain.genesis(4)))
                .isInstanceOf(StoreException.class).hasMessageContaining("belongs to the chain with genesis");
    }

    @Test
    void tamperedStateIsDetectedOnOpen() throws Exception {
        Path file = dir.resolve("l.db");
        try (EmbeddedLedger ledger = EmbeddedLedger.open(file, genesis)) {
            ledger.submit(transfer(alice, bob, 1, 100));
            ledger.produceBlock();
        }
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + file);
             var st = db.createStatement()) {
            st.executeUpdate("DELETE FROM state WHERE rowid IN (SELECT rowid FROM state LIMIT 1)");
        } catch (java.sql.SQLException withoutRowid) {
            try (var db = DriverManager.getConnection("jdbc:sqlite:" + file); var st = db.createStatement()) {
                st.executeUpdate("DELETE FROM state WHERE key = (SELECT key FROM state ORDER BY key DESC LIMIT 1)");
            }
        }
        assertThatThrownBy(() -> EmbeddedLedger.open(file, genesis))
                .isInstanceOf(StoreException.class).hasMessageContaining("state hashes to");
    }

    @Test
    void blockTimerCommitsAndAcknowledges() throws Exception {
        GenesisConfig fast = new GenesisConfig("fast", 0, TestChain.ISSUER.peerId(), genesis.allocations(), 1000,
                genesis.emission(), 10, 5, 20, genesis.minStakes(), genesis.rewards(), genesis.disputes());
        try (EmbeddedLedger ledger = EmbeddedLedger.open(dir.resolve("t.db"), fast)) {
            ledger.startBlockTimer();
            List<CompletableFuture<TxOutcome>> acks = new ArrayList<>();
            for (int n = 1; n <= 50; n++) {
                acks.add(ledger.submit(transfer(alice, bob, n, 1)));
            }
            for (var f : acks) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isInstanceOf(TxOutcome.Accepted.class);
            }
            assertThat(ledger.balance(bob.peerId(), Asset.CREDITS)).isEqualTo(1_000_050);
        }
    }

    @Provide
    Arbitrary<List<RandomWorkload.Step>> workload() {
        return RandomWorkload.steps().list().ofMinSize(10).ofMaxSize(80);
    }

    /** The SQLite path end to end: random blocks, then the stored log replays to every stored header and reopens to the same state. */
    @Property(tries = 12)
    void storedLogReplaysToEveryBlock(@ForAll("workload") List<RandomWorkload.Step> steps) throws Exception {
        Path file = java.nio.file.Files.createTempFile("ledger-prop", ".db");
        java.nio.file.Files.delete(file);
        try {
            GenesisConfig g = TestChain.genesis(RandomWorkload.USERS);
            BlockHeader head;
            try (EmbeddedLedger ledger = EmbeddedLedger.open(file, g)) {
                RandomWorkload.setup().forEach(ledger::submit);
                ledger.produceBlock();
                var w = new RandomWorkload();
                for (RandomWorkload.Step s : steps) {
                    ledger.submit(w.toTransaction(s, ledger.snapshot(), ledger.head().height() + 1));
                    if (s.endBlock()) {
                        ledger.produceBlock();
                        w.resync();
                        assertThat(ledger.checkInvariants()).isEmpty();
                    }
                }
                for (int i = 0; i < 10; i++) {
                    ledger.produceBlock();
                }
                head = ledger.head();
                assertThat(ledger.verifyReplay().finalStateRoot()).isEqualTo(head.stateRoot());
            }
            try (EmbeddedLedger reopened = EmbeddedLedger.open(file, g)) {
                assertThat(reopened.head()).isEqualTo(head);
                assertThat(reopened.checkInvariants()).isEmpty();
            }
        } finally {
            for (String suffix : List.of("", "-wal", "-shm")) {
                java.nio.file.Files.deleteIfExists(Path.of(file + suffix));
            }
        }
    }
}
