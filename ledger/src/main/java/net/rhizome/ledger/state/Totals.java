package net.rhizome.ledger.state;

import net.rhizome.ledger.Asset;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.codec.Reader;
import net.rhizome.ledger.codec.Writer;

/**
 * Ledger-wide numbers: supply per asset (credits grow by minting; RHZ is fixed at genesis), the
 * RHZ reward pool not yet emitted (also receives slashed stake), and the number of epochs paid.
 */
public record Totals(long creditsSupply, long rhzSupply, long rewardPool, long epochsPaid) implements StateEntry {
    public Totals {
        if (creditsSupply < 0 || rhzSupply < 0 || rewardPool < 0 || epochsPaid < 0) {
            throw new IllegalArgumentException("totals must not be negative");
        }
    }

    public long supply(Asset asset) {
        return asset == Asset.CREDITS ? creditsSupply : rhzSupply;
    }

    public Totals withCreditsSupply(long v) { return new Totals(v, rhzSupply, rewardPool, epochsPaid); }
    public Totals withRewardPool(long v) { return new Totals(creditsSupply, rhzSupply, v, epochsPaid); }
    public Totals withEpochsPaid(long v) { return new Totals(creditsSupply, rhzSupply, rewardPool, v); }

    public StateKey key() { return new StateKey.OfTotals(); }
    public int kind() { return 0; }

    public void encodeFields(Writer w) {
        w.i64(creditsSupply).i64(rhzSupply).i64(rewardPool).i64(epochsPaid);
    }

    static Totals decode(Reader r) throws DecodeException {
        return new Totals(r.amount("credits supply"), r.amount("rhz supply"), r.amount("reward pool"), r.amount("epochs paid"));
    }
}
