package net.rhizome.ledger;

import java.util.List;
import java.util.Objects;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.codec.Reader;
import net.rhizome.ledger.codec.Writer;

/**
 * A block header. Encoding: version 1, height, previous hash, timestamp (ms), tx root, state root,
 * tx count. The block hash is SHA-256 of that encoding; it chains blocks and, being unknown until
 * the block is made, serves as the public random beacon. Block 0's previous hash is the genesis hash.
 * The tx root is SHA-256 over the block's transaction ids in order.
 */
public record BlockHeader(long height, Hash32 previous, long timestampMillis, Hash32 txRoot, Hash32 stateRoot, int txCount) {
    public static final int ENCODED_LENGTH = 1 + 8 + 32 + 8 + 32 + 32 + 4;

    public BlockHeader {
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(txRoot, "txRoot");
        Objects.requireNonNull(stateRoot, "stateRoot");
        if (height < 0 || txCount < 0) {
            throw new IllegalArgumentException("block height and tx count must not be negative");
        }
    }

    public byte[] encode() {
        Writer w = new Writer(ENCODED_LENGTH).u8(1).i64(height).hash(previous).i64(timestampMillis).hash(txRoot).hash(stateRoot);
        return w.u16(txCount >>> 16).u16(txCount & 0xFFFF).toByteArray();
    }

    public static BlockHeader decode(byte[] bytes) throws DecodeException {
        Reader r = new Reader(bytes, "block header");
        int version = r.u8("version");
        if (version != 1) {
            throw new DecodeException("block header: unsupported version " + version);
        }
        long height = r.amount("height");
        Hash32 prev = r.hash("previous");
        long ts = r.i64("timestamp");
        Hash32 txRoot = r.hash("tx root");
        Hash32 stateRoot = r.hash("state root");
        int count = (r.u16("tx count") << 16) | r.u16("tx count");
        r.expectEnd();
        if (count < 0) {
            throw new DecodeException("block header: negative tx count");
        }
        return new BlockHeader(height, prev, ts, txRoot, stateRoot, count);
    }

    public Hash32 hash() {
        return Hash32.sha256(encode());
    }

    public static Hash32 txRoot(List<Hash32> txIds) {
        Writer w = new Writer(txIds.size() * 32 + 1);
        txIds.forEach(w::hash);
        return Hash32.sha256(w.toByteArray());
    }
}
