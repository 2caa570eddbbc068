package net.rhizome.ledger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.rhizome.ledger.state.LedgerState;
import net.rhizome.ledger.state.RewardFormula;
import net.rhizome.ledger.state.StateMachine;
import net.rhizome.ledger.tx.SignedTransaction;

/**
 * Turns candidate transactions into the next block: applies them in order (rejections leave no
 * trace and are left out), pays epoch rewards when the block closes an epoch (height is a multiple
 * of the epoch length), then seals the header with the state root. The same code builds blocks
 * live and replays them from the log, which is what makes replay reproduce every state root.
 */
public final class BlockBuilder {
    private final GenesisConfig genesis;
    private final StateMachine machine;
    private final RewardFormula rewards;

    public BlockBuilder(GenesisConfig genesis) {
        this.genesis = genesis;
        this.machine = new StateMachine(genesis);
        this.rewards = new RewardFormula(genesis);
    }

    /** {@code rejected} maps a candidate's position in the input list to why it was left out. */
    public record Built(BlockHeader header, List<SignedTransaction> included, Map<Integer, Rejection> rejected) {}

    /** Block 0: the genesis state, no transactions. */
    public BlockHeader genesisBlock(LedgerState genesisState) {
        return new BlockHeader(0, genesis.hash(), genesis.timestampMillis(), BlockHeader.txRoot(List.of()),
                genesisState.stateRoot(), 0);
    }

    /** Transactions must have had their signatures checked. */
    public Built build(LedgerState state, BlockHeader previous, List<SignedTransaction> candidates, long timestampMillis) {
        long height = previous.height() + 1;
        List<SignedTransaction> included = new ArrayList<>(candidates.size());
        Map<Integer, Rejection> rejected = new LinkedHashMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            SignedTransaction tx = candidates.get(i);
            try {
                machine.apply(state, tx, height);
                included.add(tx);
            } catch (RejectedException e) {
                rejected.put(i, e.rejection());
            }
        }
        if (height % genesis.epochBlocks() == 0) {
            rewards.payEpoch(state);
        }
        BlockHeader header = new BlockHeader(height, previous.hash(), Math.max(timestampMillis, previous.timestampMillis()),
                BlockHeader.txRoot(included.stream().map(SignedTransaction::id).toList()), state.stateRoot(), included.size());
        return new Built(header, included, rejected);
    }
}
