package net.rhizome.net.dht;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.core.util.Hex;

/** A 160-bit DHT node id or target (BEP 5), compared by XOR distance. */
public final class NodeId implements Comparable<NodeId> {
    public static final int LENGTH = 20;
    public static final int BITS = LENGTH * 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] id;

    private NodeId(byte[] id) {
        this.id = id;
    }

    public static NodeId of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("DHT id must be " + LENGTH + " bytes, got " + bytes.length);
        }
        return new NodeId(bytes.clone());
    }

    public static NodeId random() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        return new NodeId(b);
    }

    /**
     * The DHT id Rhizome derives from a node key: SHA-1 of the Ed25519 public key. It equals the
     * BEP 44 target of the key's mutable items with empty salt, so a node sits next to its own
     * unsalted items; it is stable across restarts without another file in the data directory.
     */
    public static NodeId derivedFrom(PeerId peer) {
        return new NodeId(Hashes.sha1(peer.bytes()));
    }

    /** A random id persisted in {@code file} (hex), created on first use. */
    public static NodeId loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            String text = Files.readString(file).trim();
            try {
                return new NodeId(Hex.decode(text, LENGTH, "DHT id in " + file));
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        NodeId created = random();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, created.hex() + "\n");
        return created;
    }

    /** A random id that shares exactly the first {@code prefixBits} bits with this one (for bucket refresh). */
    public NodeId randomWithCommonPrefix(int prefixBits) {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        for (int bit = 0; bit < Math.min(prefixBits, BITS); bit++) {
            setBit(b, bit, bit(bit));
        }
        if (prefixBits < BITS) {
            setBit(b, prefixBits, !bit(prefixBits));
        }
        return new NodeId(b);
    }

    public byte[] bytes() {
        return id.clone();
    }

    public boolean bit(int index) {
        return (id[index >>> 3] & (0x80 >>> (index & 7))) != 0;
    }

    /** Number of leading bits this id shares with {@code other} (160 when equal). */
    public int commonPrefixLength(NodeId other) {
        for (int i = 0; i < LENGTH; i++) {
            int x = (id[i] ^ other.id[i]) & 0xff;
            if (x != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return BITS;
    }

    /** Compares the XOR distances of {@code a} and {@code b} to this id. */
    public int compareDistance(NodeId a, NodeId b) {
        for (int i = 0; i < LENGTH; i++) {
            int da = (a.id[i] ^ id[i]) & 0xff;
            int db = (b.id[i] ^ id[i]) & 0xff;
            if (da != db) {
                return Integer.compare(da, db);
            }
        }
        return 0;
    }

    public String hex() {
        return Hex.encode(id);
    }

    byte[] unsafeBytes() {
        return id;
    }

    private static void setBit(byte[] b, int index, boolean value) {
        int mask = 0x80 >>> (index & 7);
        if (value) {
            b[index >>> 3] |= (byte) mask;
        } else {
            b[index >>> 3] &= (byte) ~mask;
        }
    }

    @Override
    public int compareTo(NodeId o) {
        return Arrays.compareUnsigned(id, o.id);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId other && Arrays.equals(id, other.id);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(id);
    }

    @Override
    public String toString() {
        return hex();
    }
}
