package net.rhizome.net.dht;

import java.net.InetSocketAddress;
import java.util.TreeMap;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BValue.BBytes;
import net.rhizome.core.bencode.BValue.BDict;
import net.rhizome.core.bencode.BValue.BInt;
import net.rhizome.core.bencode.BValue.BList;
import net.rhizome.core.bencode.Bencode;
import net.rhizome.core.bencode.BencodeException;

/**
 * Parses and writes KRPC datagrams. Parsing is strict about what Rhizome relies on (sizes, id
 * lengths, types) and lenient about unknown keys, as BEP 5 asks; every failure is a
 * {@link BencodeException} naming the problem.
 */
public final class KrpcCodec {
    /** Largest datagram accepted; a BEP 44 put with a 1000-byte value and 64-byte salt fits. */
    public static final int MAX_MESSAGE = 1500;
    static final int MAX_TRANSACTION_ID = 16;
    private static final int MAX_METHOD = 32;
    private static final int MAX_ERROR_TEXT = 256;
    private static final Bencode.Limits LIMITS = new Bencode.Limits(8, 512);
    /** Client version ("RZ" + major + minor), sent in every message's "v" key. */
    static final byte[] VERSION = {'R', 'Z', 0, 1};

    private KrpcCodec() {}

    public static KrpcMessage parse(byte[] datagram) {
        if (datagram.length > MAX_MESSAGE) {
            throw new BencodeException("KRPC message of " + datagram.length + " bytes exceeds " + MAX_MESSAGE);
        }
        if (!(Bencode.decode(datagram, LIMITS) instanceof BDict top)) {
            throw new BencodeException("KRPC message is not a dictionary");
        }
        byte[] t = top.require("t", BBytes.class).bytes();
        if (t.length > MAX_TRANSACTION_ID) {
            throw new BencodeException("transaction id of " + t.length + " bytes exceeds " + MAX_TRANSACTION_ID);
        }
        String y = top.require("y", BBytes.class).utf8();
        return switch (y) {
            case "q" -> {
                BBytes q = top.require("q", BBytes.class);
                if (q.length() == 0 || q.length() > MAX_METHOD) {
                    throw new BencodeException("query method name has " + q.length() + " bytes");
                }
                BDict a = top.require("a", BDict.class);
                boolean ro = top.optional("ro", BInt.class).map(i -> i.value() == 1).orElse(false);
                yield new KrpcMessage.Query(t, q.utf8(), id(a), a, ro);
            }
            case "r" -> {
                BDict r = top.require("r", BDict.class);
                yield new KrpcMessage.Response(t, id(r), r);
            }
            case "e" -> {
                BList e = top.require("e", BList.class);
                if (e.items().size() < 2 || !(e.items().get(0) instanceof BInt code) || !(e.items().get(1) instanceof BBytes text)) {
                    throw new BencodeException("error 'e' must be [code, message]");
                }
                String msg = text.utf8();
                yield new KrpcMessage.Error(t, code.value(), msg.length() > MAX_ERROR_TEXT ? msg.substring(0, MAX_ERROR_TEXT) : msg);
            }
            default -> throw new BencodeException("unknown message type y='" + abbreviate(y) + "'");
        };
    }

    private static NodeId id(BDict d) {
        BBytes id = d.require("id", BBytes.class);
        if (id.length() != NodeId.LENGTH) {
            throw new BencodeException("node id must be 20 bytes, got " + id.length());
        }
        return NodeId.of(id.bytes());
    }

    public static byte[] encodeQuery(byte[] t, String method, BDict args, boolean readOnly) {
        TreeMap<BBytes, BValue> m = base(t, "q");
        m.put(BBytes.of("q"), BValue.string(method));
        m.put(BBytes.of("a"), args);
        if (readOnly) {
            m.put(BBytes.of("ro"), BValue.integer(1));
        }
        return Bencode.encode(BValue.dict(m));
    }

    /** A response; {@code requester} is echoed in "ip" (BEP 42) so peers learn their external address. */
    public static byte[] encodeResponse(byte[] t, BDict values, InetSocketAddress requester) {
        TreeMap<BBytes, BValue> m = base(t, "r");
        m.put(BBytes.of("r"), values);
        m.put(BBytes.of("ip"), BValue.bytes(Compact.peer(requester)));
        return Bencode.encode(BValue.dict(m));
    }

    public static byte[] encodeError(byte[] t, int code, String message) {
        TreeMap<BBytes, BValue> m = base(t, "e");
        m.put(BBytes.of("e"), BValue.list(BValue.integer(code), BValue.string(message)));
        return Bencode.encode(BValue.dict(m));
    }

    private static TreeMap<BBytes, BValue> base(byte[] t, String y) {
        TreeMap<BBytes, BValue> m = new TreeMap<>();
        m.put(BBytes.of("t"), BValue.bytes(t));
        m.put(BBytes.of("y"), BValue.string(y));
        m.put(BBytes.of("v"), BValue.bytes(VERSION));
        return m;
    }

    private static String abbreviate(String s) {
        return s.length() <= 16 ? s : s.substring(0, 16) + "…";
    }
}
