package net.rhizome.swarm.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import net.rhizome.swarm.wire.Message.AllowedFast;
import net.rhizome.swarm.wire.Message.Bitfield;
import net.rhizome.swarm.wire.Message.Cancel;
import net.rhizome.swarm.wire.Message.Choke;
import net.rhizome.swarm.wire.Message.Extended;
import net.rhizome.swarm.wire.Message.HashReject;
import net.rhizome.swarm.wire.Message.HashRequest;
import net.rhizome.swarm.wire.Message.Hashes;
import net.rhizome.swarm.wire.Message.Have;
import net.rhizome.swarm.wire.Message.HaveAll;
import net.rhizome.swarm.wire.Message.HaveNone;
import net.rhizome.swarm.wire.Message.Interested;
import net.rhizome.swarm.wire.Message.KeepAlive;
import net.rhizome.swarm.wire.Message.NotInterested;
import net.rhizome.swarm.wire.Message.Piece;
import net.rhizome.swarm.wire.Message.Port;
import net.rhizome.swarm.wire.Message.RejectRequest;
import net.rhizome.swarm.wire.Message.Request;
import net.rhizome.swarm.wire.Message.SuggestPiece;
import net.rhizome.swarm.wire.Message.Unchoke;
import net.rhizome.swarm.wire.Message.Unknown;

/** Encodes and decodes length-prefixed peer wire messages with strict size checks. */
public final class MessageCodec {
    /** Largest frame accepted: a hashes message for 8192 hashes plus proofs, or a 16 KiB block with headroom. */
    public static final int MAX_FRAME = 512 * 1024;
    public static final int MAX_BLOCK = 16 * 1024;
    /** Message id of a piece (block) message. */
    public static final int PIECE = 7;
    /** Bytes before the block in a piece frame: length, id, piece index, offset. */
    public static final int PIECE_HEADER = 13;

    private MessageCodec() {}

    /** Decodes one frame payload (the bytes after the 4-byte length prefix). */
    public static Message decode(byte[] frame) {
        if (frame.length > MAX_FRAME) {
            throw new WireException("message of " + frame.length + " bytes exceeds the limit of " + MAX_FRAME);
        }
        if (frame.length == 0) {
            return new KeepAlive();
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        int id = b.get() & 0xff;
        return switch (id) {
            case 0 -> fixed(b, 0, new Choke());
            case 1 -> fixed(b, 0, new Unchoke());
            case 2 -> fixed(b, 0, new Interested());
            case 3 -> fixed(b, 0, new NotInterested());
            case 4 -> { size(b, 4, "have"); yield new Have(index(b.getInt(), "have")); }
            case 5 -> new Bitfield(Arrays.copyOfRange(frame, 1, frame.length));
            case 6 -> { size(b, 12, "request"); yield new Request(index(b.getInt(), "request"), b.getInt(), b.getInt()); }
            case PIECE -> {
                blockLength(b.remaining());
                yield new Piece(index(b.getInt(), "piece"), b.getInt(), Arrays.copyOfRange(frame, 9, frame.length));
            }
            case 8 -> { size(b, 12, "cancel"); yield new Cancel(b.getInt(), b.getInt(), b.getInt()); }
            case 9 -> { size(b, 2, "port"); yield new Port(b.getShort() & 0xffff); }
            case 0x0D -> { size(b, 4, "suggest"); yield new SuggestPiece(b.getInt()); }
            case 0x0E -> fixed(b, 0, new HaveAll());
            case 0x0F -> fixed(b, 0, new HaveNone());
            case 0x10 -> { size(b, 12, "reject"); yield new RejectRequest(b.getInt(), b.getInt(), b.getInt()); }
            case 0x11 -> { size(b, 4, "allowed fast"); yield new AllowedFast(b.getInt()); }
            case 20 -> {
                if (b.remaining() < 1) {
                    throw new WireException("extended message without an extension id");
                }
                yield new Extended(b.get() & 0xff, Arrays.copyOfRange(frame, 2, frame.length));
            }
            case 21, 23 -> {
                size(b, 48, id == 21 ? "hash request" : "hash reject");
                byte[] root = new byte[32];
                b.get(root);
                int base = b.getInt(), index = b.getInt(), count = b.getInt(), proof = b.getInt();
                yield id == 21 ? new HashRequest(root, base, index, count, proof) : new HashReject(root, base, index, count, proof);
            }
            case 22 -> {
                if (b.remaining() < 48 || (b.remaining() - 48) % 32 != 0) {
                    throw new WireException("hashes message has " + b.remaining() + " bytes, not a header plus whole hashes");
                }
                byte[] root = new byte[32];
                b.get(root);
                int base = b.getInt(), index = b.getInt(), count = b.getInt(), proof = b.getInt();
                yield new Hashes(root, base, index, count, proof, Arrays.copyOfRange(frame, 49, frame.length));
            }
            default -> new Unknown(id);
        };
    }

    /** The block length of a piece message with {@code payload} bytes after its id; throws if out of bounds. */
    public static int blockLength(int payload) {
        if (payload < 8 || payload - 8 > MAX_BLOCK) {
            throw new WireException("piece message carries " + (payload - 8) + " bytes; blocks are at most " + MAX_BLOCK);
        }
        return payload - 8;
    }

    /** A piece index from the wire; throws if negative. */
    public static int index(int v, String what) {
        if (v < 0) {
            throw new WireException(what + " message names negative piece " + v);
        }
        return v;
    }

    private static Message fixed(ByteBuffer b, int payload, Message m) {
        size(b, payload, m.getClass().getSimpleName().toLowerCase());
        return m;
    }

    private static void size(ByteBuffer b, int expected, String what) {
        if (b.remaining() != expected) {
            throw new WireException(what + " message has a " + b.remaining() + "-byte payload, expected " + expected);
        }
    }


    /** The frame for {@code m}, including its 4-byte length prefix. */
    public static byte[] encode(Message m) {
        return switch (m) {
            case KeepAlive k -> new byte[4];
            case Choke c -> frame(0, 0).array();
            case Unchoke u -> frame(1, 0).array();
            case Interested i -> frame(2, 0).array();
            case NotInterested n -> frame(3, 0).array();
            case Have h -> frame(4, 4).putInt(h.piece()).array();
            case Bitfield bf -> frame(5, bf.bits().length).put(bf.bits()).array();
            case Request r -> frame(6, 12).putInt(r.piece()).putInt(r.offset()).putInt(r.length()).array();
            case Piece p -> frame(7, 8 + p.block().length).putInt(p.piece()).putInt(p.offset()).put(p.block()).array();
            case Cancel c -> frame(8, 12).putInt(c.piece()).putInt(c.offset()).putInt(c.length()).array();
            case Port p -> frame(9, 2).putShort((short) p.port()).array();
            case SuggestPiece s -> frame(0x0D, 4).putInt(s.piece()).array();
            case HaveAll a -> frame(0x0E, 0).array();
            case HaveNone n -> frame(0x0F, 0).array();
            case RejectRequest r -> frame(0x10, 12).putInt(r.piece()).putInt(r.offset()).putInt(r.length()).array();
            case AllowedFast a -> frame(0x11, 4).putInt(a.piece()).array();
            case Extended e -> frame(20, 1 + e.payload().length).put((byte) e.id()).put(e.payload()).array();
            case HashRequest h -> frame(21, 48).put(h.piecesRoot()).putInt(h.base()).putInt(h.index()).putInt(h.count()).putInt(h.proofLayers()).array();
            case Hashes h -> frame(22, 48 + h.hashes().length).put(h.piecesRoot()).putInt(h.base()).putInt(h.index())
                    .putInt(h.count()).putInt(h.proofLayers()).put(h.hashes()).array();
            case HashReject h -> frame(23, 48).put(h.piecesRoot()).putInt(h.base()).putInt(h.index()).putInt(h.count()).putInt(h.proofLayers()).array();
            case Unknown u -> throw new IllegalArgumentException("cannot send an unknown message id " + u.id());
        };
    }

    /**
     * The frame of a piece message whose block is {@code length} bytes, taking the first
     * {@code present} of them from {@code src} at {@code srcOffset} and zero-filling the rest:
     * one copy from a read buffer straight into the frame.
     */
    public static byte[] pieceFrame(int piece, int offset, byte[] src, int srcOffset, int present, int length) {
        if (length < 0 || length > MAX_BLOCK || present < 0 || present > length) {
            throw new IllegalArgumentException("block of " + length + " bytes with " + present + " present");
        }
        byte[] frame = new byte[PIECE_HEADER + length];
        ByteBuffer.wrap(frame).putInt(9 + length).put((byte) PIECE).putInt(piece).putInt(offset);
        System.arraycopy(src, srcOffset, frame, PIECE_HEADER, present);
        return frame;
    }

    private static ByteBuffer frame(int id, int payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + payload);
        b.putInt(1 + payload).put((byte) id);
        return b;
    }
}
