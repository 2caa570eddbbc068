package net.rhizome.ledger.state;

import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.codec.Reader;
import net.rhizome.ledger.codec.Writer;

/** Credits locked for one job until released to the worker or refunded; removed from state when settled. */
public record Escrow(Hash32 id, PeerId payer, PeerId worker, Hash32 model, long amount, long timeoutHeight)
        implements StateEntry {
    public Escrow {
        if (amount <= 0 || timeoutHeight < 0) {
            throw new IllegalArgumentException("escrow " + id.shortHex() + " amounts out of range");
        }
    }

    public StateKey key() { return new StateKey.OfEscrow(id); }
    public int kind() { return 3; }

    public void encodeFields(Writer w) {
        w.hash(id).peer(payer).peer(worker).hash(model).i64(amount).i64(timeoutHeight);
    }

    static Escrow decode(Reader r) throws DecodeException {
        return new Escrow(r.hash("id"), r.peer("payer"), r.peer("worker"), r.hash("model"), r.amount("amount"), r.amount("timeout"));
    }
}
