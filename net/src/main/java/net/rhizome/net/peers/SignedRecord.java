package net.rhizome.net.peers;

import java.nio.charset.StandardCharsets;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.Bencode;
import net.rhizome.core.bencode.BencodeException;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.dht.MutableItem;
import net.rhizome.net.record.NodeRecord;
import net.rhizome.net.record.NodeRecordCodec;
import net.rhizome.net.record.NodeRecords;

/** Checks a node record received over the transport exactly as a DHT lookup would: BEP 44 signature, limits, fields. */
public final class SignedRecord {
    private static final Bencode.Limits LIMITS = new Bencode.Limits(8, 256);

    private SignedRecord() {}

    /**
     * The record {@code peer} signed, or an exception naming what is wrong (too large, not
     * bencode, bad signature, invalid field).
     */
    public static NodeRecord verify(PeerId peer, byte[] value, long seq, byte[] signature) throws InvalidRecordException {
        if (value.length == 0) {
            throw new InvalidRecordException("no node record");
        }
        if (value.length > MutableItem.MAX_VALUE_BYTES) {
            throw new InvalidRecordException("node record is " + value.length + " bytes, limit " + MutableItem.MAX_VALUE_BYTES);
        }
        BValue decoded;
        try {
            decoded = Bencode.decode(value, LIMITS);
        } catch (BencodeException e) {
            throw new InvalidRecordException("node record is not bencode: " + e.getMessage());
        }
        byte[] salt = NodeRecords.SALT.getBytes(StandardCharsets.US_ASCII);
        if (!new MutableItem(peer.bytes(), salt, seq, decoded, signature).verify()) {
            throw new InvalidRecordException("node record signature does not verify for " + peer.shortId());
        }
        try {
            return NodeRecordCodec.decode(peer, seq, decoded);
        } catch (BencodeException e) {
            throw new InvalidRecordException(e.getMessage());
        }
    }

    /** A node record that failed verification. */
    public static final class InvalidRecordException extends Exception {
        public InvalidRecordException(String message) {
            super(message);
        }
    }
}
