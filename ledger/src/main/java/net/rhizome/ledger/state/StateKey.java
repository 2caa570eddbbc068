package net.rhizome.ledger.state;

import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.codec.Writer;

/** Where a state entry lives. The encoding (a kind byte, then the id) orders the state and feeds the state root. */
public sealed interface StateKey {
    byte[] encode();

    record OfTotals() implements StateKey {
        public byte[] encode() { return new byte[] {0}; }
    }

    record OfAccount(PeerId id) implements StateKey {
        public byte[] encode() { return new Writer(33).u8(1).peer(id).toByteArray(); }
    }

    record OfChannel(Hash32 id) implements StateKey {
        public byte[] encode() { return new Writer(33).u8(2).hash(id).toByteArray(); }
    }

    record OfEscrow(Hash32 id) implements StateKey {
        public byte[] encode() { return new Writer(33).u8(3).hash(id).toByteArray(); }
    }

    record OfChallenge(Hash32 id) implements StateKey {
        public byte[] encode() { return new Writer(33).u8(4).hash(id).toByteArray(); }
    }

    record OfWork(PeerId worker, Hash32 model) implements StateKey {
        public byte[] encode() { return new Writer(65).u8(5).peer(worker).hash(model).toByteArray(); }
    }
}
