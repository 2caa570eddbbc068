package net.rhizome.ledger.state;

import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.codec.Reader;
import net.rhizome.ledger.codec.Writer;

/** A value in the ledger state. Its encoding starts with a kind byte matching its key's. */
public sealed interface StateEntry permits Totals, Account, Channel, Escrow, Challenge, WorkTally {
    StateKey key();

    void encodeFields(Writer w);

    int kind();

    default byte[] encode() {
        Writer w = new Writer(128).u8(kind());
        encodeFields(w);
        return w.toByteArray();
    }

    static StateEntry decode(byte[] bytes) throws DecodeException {
        Reader r = new Reader(bytes, "state entry");
        int kind = r.u8("kind");
        StateEntry e;
        try {
            e = switch (kind) {
                case 0 -> Totals.decode(r);
                case 1 -> Account.decode(r);
                case 2 -> Channel.decode(r);
                case 3 -> Escrow.decode(r);
                case 4 -> Challenge.decode(r);
                case 5 -> WorkTally.decode(r);
                default -> throw new DecodeException("state entry: unknown kind " + kind);
            };
        } catch (IllegalArgumentException bad) {
            throw new DecodeException("state entry: " + bad.getMessage());
        }
        r.expectEnd();
        return e;
    }
}
