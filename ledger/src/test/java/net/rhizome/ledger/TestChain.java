package net.rhizome.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.state.LedgerState;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.ledger.tx.Transaction;

/** An in-memory chain for tests: deterministic keys, nonce bookkeeping, blocks on demand. */
final class TestChain {
    static final KeyPair ISSUER = KeyPair.deterministic("ledger-issuer");

    static KeyPair user(int i) {
        return KeyPair.deterministic("ledger-user-" + i);
    }

    /** Users 0..n-1 start with 1,000,000 RHZ and 1,000,000 credits; 10-block epochs, 5-block unbonding. */
    static GenesisConfig genesis(int users) {
        List<GenesisConfig.Allocation> allocations = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            allocations.add(new GenesisConfig.Allocation(user(i).peerId(), 1_000_000, 1_000_000));
        }
        return new GenesisConfig("test", 1_700_000_000_000L, ISSUER.peerId(), allocations, 10_000_000,
                new GenesisConfig.Emission(100_000, 100), 10, 5, 1000,
                new GenesisConfig.MinStakes(1000, 1000, 1000),
                new GenesisConfig.RewardParams(700, 200, 100, 88, 800, 1200, 500, 2000),
                new GenesisConfig.DisputeParams(100, 3, 500, 200));
    }

    final GenesisConfig genesis;
    final LedgerState state;
    final BlockBuilder builder;
    BlockHeader head;
    private final Map<PeerId, Long> nextNonce = new HashMap<>();
    private final List<SignedTransaction> queued = new ArrayList<>();

    TestChain(GenesisConfig genesis) {
        this.genesis = genesis;
        this.state = LedgerState.genesis(genesis);
        this.builder = new BlockBuilder(genesis);
        this.head = builder.genesisBlock(state);
    }

    TestChain(int users) {
        this(genesis(users));
    }

    /** Signs with the next nonce this chain expects for the key (claimed even if the tx is rejected). */
    SignedTransaction sign(KeyPair key, Operation op) {
        long nonce = nextNonce.getOrDefault(key.peerId(), state.account(key.peerId()).map(Account::nonce).orElse(0L) + 1);
        nextNonce.put(key.peerId(), nonce + 1);
        return new Transaction(key.peerId(), nonce, op).sign(key);
    }

    /** Forget claimed nonces (after rejections) so the next one comes from state again. */
    void resyncNonces() {
        nextNonce.clear();
    }

    TestChain queue(KeyPair key, Operation op) {
        queued.add(sign(key, op));
        return this;
    }

    BlockBuilder.Built block(List<SignedTransaction> txs) {
        BlockBuilder.Built built = builder.build(state, head, txs, head.timestampMillis() + 1000);
        head = built.header();
        state.takeDirty();
        return built;
    }

    BlockBuilder.Built block() {
        List<SignedTransaction> txs = List.copyOf(queued);
        queued.clear();
        return block(txs);
    }

    /** Runs one transaction in its own block; returns its rejection or null when accepted. */
    Rejection run(KeyPair key, Operation op) {
        BlockBuilder.Built b = block(List.of(sign(key, op)));
        if (!b.rejected().isEmpty()) {
            resyncNonces();
            return b.rejected().get(0);
        }
        return null;
    }

    /**
     * Applies one transaction outside any block, at the next height, expecting a rejection;
     * returns it, or null when the transaction was (unexpectedly) accepted.
     */
    Rejection tryReject(KeyPair key, Operation op) {
        SignedTransaction tx = sign(key, op);
        resyncNonces();
        try {
            new net.rhizome.ledger.state.StateMachine(genesis).apply(state, tx, head.height() + 1);
            return null;
        } catch (RejectedException e) {
            return e.rejection();
        }
    }

    void emptyBlocks(int n) {
        for (int i = 0; i < n; i++) {
            block(List.of());
        }
    }

    Account account(KeyPair k) {
        return state.account(k.peerId()).orElseThrow();
    }
}
