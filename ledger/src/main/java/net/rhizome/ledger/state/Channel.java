package net.rhizome.ledger.state;

import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.codec.Reader;
import net.rhizome.ledger.codec.Writer;

/**
 * A unidirectional payment channel. {@code deposit} is the total ever locked, {@code claimed} what the
 * payee has settled so far; {@code deposit - claimed} credits are still locked while {@code open}.
 * A closed or refunded channel keeps its record (with nothing locked) so stale vouchers are recognised.
 */
public record Channel(Hash32 id, PeerId payer, PeerId payee, Hash32 model, long deposit, long claimed,
                      long lastVoucherNonce, long expiryHeight, boolean open) implements StateEntry {
    public Channel {
        if (deposit < 0 || claimed < 0 || claimed > deposit || lastVoucherNonce < 0 || expiryHeight < 0) {
            throw new IllegalArgumentException("channel " + id.shortHex() + " amounts out of range");
        }
    }

    /** Credits still locked in the channel. */
    public long locked() {
        return open ? deposit - claimed : 0;
    }

    public StateKey key() { return new StateKey.OfChannel(id); }
    public int kind() { return 2; }

    public void encodeFields(Writer w) {
        w.hash(id).peer(payer).peer(payee).hash(model).i64(deposit).i64(claimed).i64(lastVoucherNonce).i64(expiryHeight).bool(open);
    }

    static Channel decode(Reader r) throws DecodeException {
        return new Channel(r.hash("id"), r.peer("payer"), r.peer("payee"), r.hash("model"), r.amount("deposit"),
                r.amount("claimed"), r.amount("voucher nonce"), r.amount("expiry"), r.bool("open"));
    }
}
