package net.rhizome.ledger.tx;

import java.util.Arrays;
import net.rhizome.core.crypto.Ed25519;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.codec.Reader;
import net.rhizome.ledger.codec.Writer;

/**
 * A transaction with the sender's Ed25519 signature over {@code "rhizome/ledger/tx/v1" ‖ encoding}.
 * Wire form: the transaction encoding followed by the 64-byte signature; at most
 * {@link #MAX_ENCODED_BYTES} bytes. The id is SHA-256 of the wire form.
 */
public final class SignedTransaction {
    public static final int MAX_ENCODED_BYTES = 4096;

    private final Transaction tx;
    private final byte[] body;
    private final byte[] signature;
    private final byte[] encoded;
    private final Hash32 id;

    SignedTransaction(Transaction tx, byte[] body, byte[] signature) {
        this.tx = tx;
        this.body = body;
        this.signature = signature;
        this.encoded = new Writer(body.length + signature.length).raw(body).raw(signature).toByteArray();
        if (encoded.length > MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("transaction is " + encoded.length + " bytes, limit " + MAX_ENCODED_BYTES);
        }
        this.id = Hash32.sha256(encoded);
    }

    public static SignedTransaction decode(byte[] bytes) throws DecodeException {
        if (bytes.length > MAX_ENCODED_BYTES) {
            throw new DecodeException("transaction is " + bytes.length + " bytes, limit " + MAX_ENCODED_BYTES);
        }
        if (bytes.length < 1 + 32 + 8 + 1 + Ed25519.SIGNATURE_LENGTH) {
            throw new DecodeException("transaction is " + bytes.length + " bytes, too short");
        }
        int bodyLength = bytes.length - Ed25519.SIGNATURE_LENGTH;
        byte[] body = Arrays.copyOf(bytes, bodyLength);
        Reader r = new Reader(body, "transaction");
        int version = r.u8("version");
        if (version != Transaction.VERSION) {
            throw new DecodeException("transaction: unsupported version " + version);
        }
        var sender = r.peer("sender");
        long nonce = r.i64("nonce");
        if (nonce <= 0) {
            throw new DecodeException("transaction: nonce must be positive, got " + nonce);
        }
        Operation op = Operation.decode(r.u8("operation tag"), r);
        r.expectEnd();
        Transaction tx = new Transaction(sender, nonce, op);
        if (!Arrays.equals(tx.encode(), body)) {
            throw new DecodeException("transaction: not in canonical form");
        }
        return new SignedTransaction(tx, body, Arrays.copyOfRange(bytes, bodyLength, bytes.length));
    }

    static byte[] signedMessage(byte[] body) {
        return new Writer(Transaction.DOMAIN.length + body.length).raw(Transaction.DOMAIN).raw(body).toByteArray();
    }

    /** True when the sender's key signed this transaction's encoding. */
    public boolean verifySignature() {
        return tx.sender().verify(signedMessage(body), signature);
    }

    /** {@link #verifySignature()} through a checker that keeps decoded keys. */
    public boolean verifySignature(SignatureChecker checker) {
        return checker.verify(tx.sender(), signedMessage(body), signature);
    }

    public Transaction transaction() {
        return tx;
    }

    public Hash32 id() {
        return id;
    }

    public byte[] encode() {
        return encoded.clone();
    }

    public int encodedLength() {
        return encoded.length;
    }

    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedTransaction other && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "SignedTransaction[" + id.shortHex() + " " + tx + "]";
    }
}
