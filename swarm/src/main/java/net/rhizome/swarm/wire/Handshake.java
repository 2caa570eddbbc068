package net.rhizome.swarm.wire;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The BEP 3 handshake: protocol string, 8 reserved bytes (extension bits), 20-byte info-hash and peer id. */
public record Handshake(byte[] reserved, byte[] infoHash, byte[] peerId) {
    private static final byte[] PROTOCOL = "BitTorrent protocol".getBytes(StandardCharsets.US_ASCII);
    public static final int LENGTH = 68;

    /** Reserved bits we set: BEP 10 extension protocol, BEP 6 fast extension, BEP 52 v2 upgrade. */
    public static byte[] ourReserved() {
        byte[] r = new byte[8];
        r[5] |= 0x10;
        r[7] |= 0x04;
        r[7] |= 0x10;
        return r;
    }

    public boolean supportsExtensions() {
        return (reserved[5] & 0x10) != 0;
    }

    public boolean supportsFast() {
        return (reserved[7] & 0x04) != 0;
    }

    public byte[] encode() {
        return ByteBuffer.allocate(LENGTH).put((byte) 19).put(PROTOCOL).put(reserved).put(infoHash).put(peerId).array();
    }

    public static Handshake read(DataInputStream in) throws IOException {
        int len = in.readUnsignedByte();
        byte[] proto = new byte[len];
        in.readFully(proto);
        if (!Arrays.equals(proto, PROTOCOL)) {
            throw new WireException("peer does not speak the BitTorrent protocol (bad handshake)");
        }
        byte[] reserved = new byte[8];
        byte[] hash = new byte[20];
        byte[] id = new byte[20];
        in.readFully(reserved);
        in.readFully(hash);
        in.readFully(id);
        return new Handshake(reserved, hash, id);
    }
}
