package net.rhizome.net.dht;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.rhizome.core.crypto.Hashes;

/** Well-known DHT keys of the Rhizome network. */
public final class DhtKeys {
    private DhtKeys() {}

    /** SHA-1("rhizome-network-v1"): every Rhizome node announces its RPC port under this info-hash. */
    public static byte[] rhizomeNetwork() {
        return Hashes.sha1("rhizome-network-v1".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The 20-byte DHT key of a torrent: a v1 info-hash as is, a v2 (SHA-256) info-hash truncated
     * to 20 bytes as BEP 52 specifies.
     */
    public static NodeId infoHashKey(byte[] infoHash) {
        if (infoHash.length == 32) {
            return NodeId.of(Arrays.copyOf(infoHash, NodeId.LENGTH));
        }
        if (infoHash.length != NodeId.LENGTH) {
            throw new IllegalArgumentException("info-hash must be 20 (v1) or 32 (v2) bytes, got " + infoHash.length);
        }
        return NodeId.of(infoHash);
    }
}
