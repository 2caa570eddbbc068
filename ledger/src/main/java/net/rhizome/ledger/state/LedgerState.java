package net.rhizome.ledger.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.Hash32;

/**
 * The whole ledger state in memory, with its incrementally maintained {@link StateRoot}. Changes
 * are made through a {@link StateChanges} overlay and merged only when a transaction succeeds, so
 * a rejected transaction cannot leave a trace. Not thread-safe; the owner serialises access.
 */
public final class LedgerState {
    private final Map<StateKey, StateEntry> entries = new HashMap<>();
    private final StateRoot root = new StateRoot();
    /** Keys changed since the last {@link #takeDirty()}: the entry, or null when it was removed. */
    private final Map<StateKey, StateEntry> dirty = new LinkedHashMap<>();

    /** The state at genesis, before block 0. */
    public static LedgerState genesis(GenesisConfig g) {
        LedgerState s = new LedgerState();
        StateChanges c = s.begin();
        for (GenesisConfig.Allocation a : g.allocations()) {
            c.put(Account.empty(a.account()).withRhz(a.rhz()).withCredits(a.credits()));
        }
        if (c.account(g.creditIssuer()).isEmpty()) {
            c.put(Account.empty(g.creditIssuer()));
        }
        c.put(new Totals(g.initialCredits(), g.rhzSupply(), g.rewardPool(), 0));
        s.commit(c);
        return s;
    }

    /** Rebuilds a state from stored entries (in any order). */
    public static LedgerState of(Collection<StateEntry> stored) {
        LedgerState s = new LedgerState();
        for (StateEntry e : stored) {
            s.entries.put(e.key(), e);
            s.root.put(e.key().encode(), e.encode());
        }
        return s;
    }

    public StateChanges begin() {
        return new StateChanges(this);
    }

    public void commit(StateChanges changes) {
        if (changes.base() != this) {
            throw new IllegalArgumentException("changes belong to another state");
        }
        changes.writes().forEach((key, entry) -> {
            byte[] k = key.encode();
            if (entry == null) {
                if (entries.remove(key) != null) {
                    root.remove(k);
                }
            } else {
                entries.put(key, entry);
                root.put(k, entry.encode());
            }
            dirty.put(key, entry);
        });
    }

    StateEntry get(StateKey key) {
        return entries.get(key);
    }

    public Optional<Account> account(PeerId id) {
        return Optional.ofNullable((Account) entries.get(new StateKey.OfAccount(id)));
    }

    public Optional<Channel> channel(Hash32 id) {
        return Optional.ofNullable((Channel) entries.get(new StateKey.OfChannel(id)));
    }

    public Optional<Escrow> escrow(Hash32 id) {
        return Optional.ofNullable((Escrow) entries.get(new StateKey.OfEscrow(id)));
    }

    public Optional<Challenge> challenge(Hash32 id) {
        return Optional.ofNullable((Challenge) entries.get(new StateKey.OfChallenge(id)));
    }

    public Totals totals() {
        return (Totals) entries.get(new StateKey.OfTotals());
    }

    public Collection<StateEntry> entries() {
        return Collections.unmodifiableCollection(entries.values());
    }

    public <T extends StateEntry> List<T> all(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (StateEntry e : entries.values()) {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        }
        return out;
    }

    public int size() {
        return entries.size();
    }

    public Hash32 stateRoot() {
        return root.root();
    }

    /** Hands over and forgets the keys changed since the last call (entry, or null when removed), for persisting. */
    public Map<StateKey, StateEntry> takeDirty() {
        Map<StateKey, StateEntry> out = new LinkedHashMap<>(dirty);
        dirty.clear();
        return out;
    }
}
