package net.rhizome.ledger.tx;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.codec.Writer;

/**
 * An unsigned transaction. {@code nonce} must be exactly the sender's last accepted nonce + 1
 * (the first is 1), so a replayed and a skipped nonce are both rejected.
 */
public record Transaction(PeerId sender, long nonce, Operation operation) {
    public static final int VERSION = 1;
    static final byte[] DOMAIN = "rhizome/ledger/tx/v1".getBytes(StandardCharsets.US_ASCII);

    public Transaction {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(operation, "operation");
        if (nonce <= 0) {
            throw new IllegalArgumentException("nonce must be positive, got " + nonce);
        }
    }

    /** Canonical encoding: version, sender (32), nonce (8), operation tag (1), operation fields. */
    public byte[] encode() {
        Writer w = new Writer(96);
        w.u8(VERSION).peer(sender).i64(nonce).u8(operation.tag());
        operation.encodeFields(w);
        return w.toByteArray();
    }

    public SignedTransaction sign(KeyPair key) {
        if (!key.peerId().equals(sender)) {
            throw new IllegalArgumentException("transaction sender " + sender.shortId() + " is not the signing key " + key.peerId().shortId());
        }
        byte[] body = encode();
        return new SignedTransaction(this, body, key.sign(SignedTransaction.signedMessage(body)));
    }
}
