package net.rhizome.ledger;

import java.util.ArrayList;
import java.util.List;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.state.Challenge;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.state.Escrow;
import net.rhizome.ledger.state.LedgerState;
import net.rhizome.ledger.state.StateEntry;
import net.rhizome.ledger.state.Totals;

/**
 * The supply identity, per asset: credits: balances + open channel deposits not yet claimed +
 * escrow = credit supply; RHZ: balances + stakes + unbonding + challenge bonds + reward pool =
 * RHZ supply. Non-negativity is enforced by the entry types themselves.
 */
public final class Invariants {
    private Invariants() {}

    public record Holdings(long credits, long rhz) {}

    /** Sums what every entry holds, exactly (overflow is an error). */
    public static Holdings holdings(LedgerState state) {
        long credits = 0;
        long rhz = 0;
        for (StateEntry e : state.entries()) {
            switch (e) {
                case Account a -> {
                    credits = Math.addExact(credits, a.credits());
                    rhz = Math.addExact(rhz, Math.addExact(a.rhz(), Math.addExact(a.staked(), a.unbonding())));
                }
                case Channel ch -> credits = Math.addExact(credits, ch.locked());
                case Escrow es -> credits = Math.addExact(credits, es.amount());
                case Challenge ch -> rhz = Math.addExact(rhz, ch.bond());
                case Totals t -> rhz = Math.addExact(rhz, t.rewardPool());
                default -> { }
            }
        }
        return new Holdings(credits, rhz);
    }

    /** Every broken invariant, described; empty when the state is consistent. */
    public static List<String> violations(LedgerState state) {
        List<String> out = new ArrayList<>();
        Totals t = state.totals();
        Holdings h = holdings(state);
        if (h.credits() != t.creditsSupply()) {
            out.add("credits held " + h.credits() + " != credit supply " + t.creditsSupply());
        }
        if (h.rhz() != t.rhzSupply()) {
            out.add("RHZ held " + h.rhz() + " != RHZ supply " + t.rhzSupply());
        }
        return out;
    }
}
