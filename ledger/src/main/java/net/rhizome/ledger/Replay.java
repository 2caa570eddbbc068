package net.rhizome.ledger;

import java.util.List;
import net.rhizome.ledger.state.LedgerState;
import net.rhizome.ledger.store.SqliteStore;
import net.rhizome.ledger.store.StoreException;
import net.rhizome.ledger.tx.SignedTransaction;

/**
 * Re-executes a stored log from genesis in a fresh in-memory state and checks that every block
 * comes out identical (same transactions accepted, same state root, same hash).
 */
public final class Replay {
    private Replay() {}

    public record Report(long blocks, long transactions, Hash32 finalStateRoot) {}

    public static Report verify(SqliteStore store, GenesisConfig genesis) throws StoreException {
        BlockBuilder builder = new BlockBuilder(genesis);
        LedgerState state = LedgerState.genesis(genesis);
        List<BlockHeader> first = store.headers(0, 1);
        if (first.isEmpty()) {
            throw new StoreException("ledger database " + store.file() + " has no genesis block");
        }
        BlockHeader expected0 = builder.genesisBlock(state);
        if (!first.getFirst().equals(expected0)) {
            throw new StoreException("block 0 does not match the genesis config");
        }
        BlockHeader prev = expected0;
        long blocks = 1;
        long txs = 0;
        while (true) {
            List<BlockHeader> batch = store.headers(prev.height() + 1, 512);
            if (batch.isEmpty()) {
                return new Report(blocks, txs, prev.stateRoot());
            }
            for (BlockHeader stored : batch) {
                List<SignedTransaction> log = store.transactions(stored.height());
                for (SignedTransaction tx : log) {
                    if (!tx.verifySignature()) {
                        throw new StoreException("block " + stored.height() + ": transaction " + tx.id().shortHex() + " has a bad signature");
                    }
                }
                BlockBuilder.Built built = builder.build(state, prev, log, stored.timestampMillis());
                if (!built.rejected().isEmpty()) {
                    var bad = built.rejected().entrySet().iterator().next();
                    throw new StoreException("block " + stored.height() + ": logged transaction " + log.get(bad.getKey()).id().shortHex()
                            + " is rejected on replay: " + bad.getValue());
                }
                if (!built.header().equals(stored)) {
                    throw new StoreException("block " + stored.height() + " replays to state root " + built.header().stateRoot().shortHex()
                            + " but the log says " + stored.stateRoot().shortHex());
                }
                prev = stored;
                blocks++;
                txs += log.size();
            }
        }
    }
}
