package net.rhizome.ledger.state;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;

/** A write overlay over a {@link LedgerState}: reads see the overlay first; nothing reaches the state until committed. */
public final class StateChanges {
    private final LedgerState base;
    private final Map<StateKey, StateEntry> writes = new HashMap<>();

    StateChanges(LedgerState base) {
        this.base = base;
    }

    LedgerState base() {
        return base;
    }

    Map<StateKey, StateEntry> writes() {
        return writes;
    }

    private StateEntry get(StateKey key) {
        return writes.containsKey(key) ? writes.get(key) : base.get(key);
    }

    public void put(StateEntry e) {
        writes.put(e.key(), e);
    }

    public void remove(StateKey key) {
        writes.put(key, null);
    }

    public Optional<Account> account(PeerId id) {
        return Optional.ofNullable((Account) get(new StateKey.OfAccount(id)));
    }

    public Optional<Channel> channel(Hash32 id) {
        return Optional.ofNullable((Channel) get(new StateKey.OfChannel(id)));
    }

    public Optional<Escrow> escrow(Hash32 id) {
        return Optional.ofNullable((Escrow) get(new StateKey.OfEscrow(id)));
    }

    public Optional<Challenge> challenge(Hash32 id) {
        return Optional.ofNullable((Challenge) get(new StateKey.OfChallenge(id)));
    }

    public Optional<WorkTally> work(PeerId worker, Hash32 model) {
        return Optional.ofNullable((WorkTally) get(new StateKey.OfWork(worker, model)));
    }

    public Totals totals() {
        return (Totals) get(new StateKey.OfTotals());
    }
}
