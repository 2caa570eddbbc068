package net.rhizome.ledger.tx;

import java.nio.charset.StandardCharsets;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.codec.Writer;

/**
 * Ids of things a transaction creates: SHA-256 of a kind label, the sender and the transaction's
 * nonce. Unique because a sender's nonces are, and known to the sender before the block is made.
 */
public final class Ids {
    private Ids() {}

    public static Hash32 channel(PeerId payer, long nonce) {
        return derive("channel", payer, nonce);
    }

    public static Hash32 escrow(PeerId payer, long nonce) {
        return derive("escrow", payer, nonce);
    }

    public static Hash32 challenge(PeerId challenger, long nonce) {
        return derive("challenge", challenger, nonce);
    }

    private static Hash32 derive(String kind, PeerId sender, long nonce) {
        return Hash32.sha256(new Writer(64).bytes(kind.getBytes(StandardCharsets.US_ASCII)).peer(sender).i64(nonce).toByteArray());
    }
}
