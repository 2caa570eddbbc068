package net.rhizome.ledger;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.state.Totals;
import net.rhizome.ledger.tx.SignedTransaction;

/**
 * The ledger as the rest of Rhizome sees it: submit signed transactions, query committed state,
 * follow blocks. Implementations: {@link EmbeddedLedger} (SQLite, hosted in-process) and remote
 * clients of a hosting node; queries always reflect the last committed block.
 */
public interface Ledger extends AutoCloseable {

    /** Completes with {@link TxOutcome.Accepted} once the transaction's block is durably committed, or {@link TxOutcome.Rejected}. */
    CompletableFuture<TxOutcome> submit(SignedTransaction tx);

    GenesisConfig genesis();

    BlockHeader head();

    Optional<Account> account(PeerId id);

    Optional<Channel> channel(Hash32 id);

    /** Channels where {@code party} is payer or payee, open ones first. */
    List<Channel> channels(PeerId party);

    Totals totals();

    /** The newest {@code limit} committed transactions that involve {@code account}, newest first. */
    List<TxRecord> history(PeerId account, int limit);

    /** Calls {@code listener} with each new block after it is committed; close the handle to stop. */
    AutoCloseable subscribe(Consumer<BlockHeader> listener);

    default long balance(PeerId id, Asset asset) {
        return account(id).map(a -> a.balance(asset)).orElse(0L);
    }

    /** The nonce the account's next transaction must carry, by committed state. */
    default long nextNonce(PeerId id) {
        return account(id).map(Account::nonce).orElse(0L) + 1;
    }

    @Override
    void close();

    /** A committed transaction and where it sits. */
    record TxRecord(long height, int index, SignedTransaction tx) {}
}
