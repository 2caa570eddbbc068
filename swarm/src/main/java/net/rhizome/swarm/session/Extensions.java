package net.rhizome.swarm.session;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BValue.BBytes;
import net.rhizome.core.bencode.BValue.BDict;
import net.rhizome.core.bencode.BValue.BInt;
import net.rhizome.core.bencode.Bencode;
import net.rhizome.core.bencode.BencodeException;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.wire.WireException;

/** BEP 10 extension handshake, BEP 9 ut_metadata and BEP 11 ut_pex payloads. */
final class Extensions {
    static final int UT_METADATA = 1;
    static final int UT_PEX = 2;
    static final int METADATA_PIECE = 16 * 1024;
    static final int MAX_METADATA = 8 << 20;
    static final int MAX_PEX_PEERS = 200;
    private static final Bencode.Limits LIMITS = new Bencode.Limits(8, 2_000);

    private Extensions() {}

    record Hello(int utMetadata, int utPex, int metadataSize, int listenPort) {}

    static byte[] hello(int metadataSize, int listenPort) {
        List<Object> kv = new ArrayList<>(List.of("m", BValue.dict("ut_metadata", BValue.integer(UT_METADATA), "ut_pex", BValue.integer(UT_PEX)),
                "p", BValue.integer(listenPort), "reqq", BValue.integer(PeerConnection.MAX_QUEUED_REQUESTS),
                "v", BValue.string("Rhizome 0.1")));
        if (metadataSize > 0) {
            kv.addAll(List.of("metadata_size", BValue.integer(metadataSize)));
        }
        return Bencode.encode(BValue.dict(kv.toArray()));
    }

    static Hello parseHello(byte[] payload) {
        BDict d = dict(Bencode.decodePrefix(payload, 0, LIMITS).value(), "extension handshake");
        BDict m = d.optional("m", BDict.class).orElse(BValue.dict());
        int meta = id(m, "ut_metadata");
        int pex = id(m, "ut_pex");
        long size = d.optional("metadata_size", BInt.class).map(BInt::value).orElse(0L);
        if (size < 0 || size > MAX_METADATA) {
            throw new WireException("peer announced metadata of " + size + " bytes (limit " + MAX_METADATA + ")");
        }
        long p = d.optional("p", BInt.class).map(BInt::value).orElse(0L);
        return new Hello(meta, pex, (int) size, p > 0 && p < 65536 ? (int) p : 0);
    }

    private static int id(BDict m, String name) {
        Optional<BValue> v = m.get(name);
        if (v.isPresent() && v.get() instanceof BInt i && i.value() > 0 && i.value() < 256) {
            return (int) i.value();
        }
        return 0;
    }

    /** A ut_metadata message: type 0 request, 1 data (with {@code data}), 2 reject. */
    record MetadataMsg(int type, int piece, int totalSize, byte[] data) {}

    static MetadataMsg parseMetadata(byte[] payload) {
        try {
            Bencode.Prefix prefix = Bencode.decodePrefix(payload, 0, LIMITS);
            BDict d = dict(prefix.value(), "ut_metadata message");
            long type = d.require("msg_type", BInt.class).value();
            long piece = d.require("piece", BInt.class).value();
            long total = d.optional("total_size", BInt.class).map(BInt::value).orElse(0L);
            if (type < 0 || type > 2 || piece < 0 || piece > MAX_METADATA / METADATA_PIECE || total < 0 || total > MAX_METADATA) {
                throw new WireException("ut_metadata message out of range");
            }
            byte[] data = java.util.Arrays.copyOfRange(payload, prefix.end(), payload.length);
            return new MetadataMsg((int) type, (int) piece, (int) total, data);
        } catch (BencodeException e) {
            throw new WireException("bad ut_metadata message: " + e.getMessage());
        }
    }

    static byte[] metadataRequest(int piece) {
        return Bencode.encode(BValue.dict("msg_type", BValue.integer(0), "piece", BValue.integer(piece)));
    }

    static byte[] metadataReject(int piece) {
        return Bencode.encode(BValue.dict("msg_type", BValue.integer(2), "piece", BValue.integer(piece)));
    }

    static byte[] metadataData(int piece, byte[] metadata) {
        int from = piece * METADATA_PIECE;
        int to = Math.min(metadata.length, from + METADATA_PIECE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Bencode.encode(BValue.dict("msg_type", BValue.integer(1), "piece", BValue.integer(piece),
                "total_size", BValue.integer(metadata.length))));
        out.write(metadata, from, to - from);
        return out.toByteArray();
    }

    static byte[] pex(List<PeerAddress> added, List<PeerAddress> dropped) {
        return Bencode.encode(BValue.dict("added", BValue.bytes(compact(added)), "added.f", BValue.bytes(new byte[compact(added).length / 6]),
                "dropped", BValue.bytes(compact(dropped))));
    }

    static List<PeerAddress> parsePexAdded(byte[] payload) {
        BDict d = dict(Bencode.decodePrefix(payload, 0, LIMITS).value(), "ut_pex message");
        byte[] added = d.optional("added", BBytes.class).map(BBytes::bytes).orElse(new byte[0]);
        if (added.length % 6 != 0 || added.length / 6 > MAX_PEX_PEERS) {
            throw new WireException("ut_pex 'added' has " + added.length + " bytes (limit " + MAX_PEX_PEERS + " peers of 6 bytes)");
        }
        List<PeerAddress> out = new ArrayList<>();
        for (int i = 0; i < added.length; i += 6) {
            String host = (added[i] & 0xff) + "." + (added[i + 1] & 0xff) + "." + (added[i + 2] & 0xff) + "." + (added[i + 3] & 0xff);
            int port = (added[i + 4] & 0xff) << 8 | (added[i + 5] & 0xff);
            if (port > 0) {
                out.add(new PeerAddress(host, port));
            }
        }
        return out;
    }

    private static byte[] compact(List<PeerAddress> peers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (PeerAddress p : peers) {
            String[] parts = p.host().split("\\.");
            if (parts.length != 4) {
                continue;
            }
            for (String part : parts) {
                out.write(Integer.parseInt(part));
            }
            out.write(p.port() >> 8);
            out.write(p.port());
        }
        return out.toByteArray();
    }

    private static BDict dict(BValue v, String what) {
        if (!(v instanceof BDict d)) {
            throw new WireException(what + " is not a dictionary");
        }
        return d;
    }
}
