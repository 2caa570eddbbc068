package net.rhizome.ledger.state;

import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.codec.Reader;
import net.rhizome.ledger.codec.Writer;

/** Tokens a worker was paid for on one model in the current epoch (settled vouchers and released escrows). */
public record WorkTally(PeerId worker, Hash32 model, long tokens) implements StateEntry {
    public WorkTally {
        if (tokens <= 0) {
            throw new IllegalArgumentException("work tally must be positive, got " + tokens);
        }
    }

    public StateKey key() { return new StateKey.OfWork(worker, model); }
    public int kind() { return 5; }

    public void encodeFields(Writer w) {
        w.peer(worker).hash(model).i64(tokens);
    }

    static WorkTally decode(Reader r) throws DecodeException {
        return new WorkTally(r.peer("worker"), r.hash("model"), r.amount("tokens"));
    }
}
