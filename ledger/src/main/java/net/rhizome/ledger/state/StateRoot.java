package net.rhizome.ledger.state;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.BitSet;
import java.util.TreeMap;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.ledger.Hash32;

/**
 * The state root, kept up to date incrementally. Definition: every entry has a leaf hash
 * {@code SHA-256(u16 keyLength ‖ key ‖ value)} and falls into one of 65,536 buckets by the first
 * two bytes of {@code SHA-256(key)}. A bucket's hash is SHA-256 over its leaf hashes in unsigned
 * key order (32 zero bytes when empty); each of 256 middle nodes hashes 256 consecutive bucket
 * hashes; the root hashes the 256 middle hashes. A block touching k entries rehashes about k small
 * buckets and at most 257 small nodes, independent of how many accounts exist.
 */
final class StateRoot {
    private static final int BUCKETS = 1 << 16;
    private static final int FANOUT = 256;
    private static final byte[] EMPTY = new byte[32];

    @SuppressWarnings({"unchecked", "rawtypes"}) // generic array creation
    private final TreeMap<byte[], byte[]>[] buckets = new TreeMap[BUCKETS];
    private final byte[][] bucketHashes = new byte[BUCKETS][];
    private final byte[][] middleHashes = new byte[FANOUT][];
    private final BitSet dirtyBuckets = new BitSet(BUCKETS);
    private byte[] root;

    StateRoot() {
        Arrays.fill(bucketHashes, EMPTY);
        dirtyBuckets.set(0, BUCKETS);
    }

    void put(byte[] key, byte[] value) {
        MessageDigest md = Hashes.sha256Digest();
        md.update((byte) (key.length >>> 8));
        md.update((byte) key.length);
        md.update(key);
        md.update(value);
        int b = bucketOf(key);
        if (buckets[b] == null) {
            buckets[b] = new TreeMap<>(Arrays::compareUnsigned);
        }
        buckets[b].put(key, md.digest());
        dirtyBuckets.set(b);
    }

    void remove(byte[] key) {
        int b = bucketOf(key);
        if (buckets[b] != null && buckets[b].remove(key) != null) {
            dirtyBuckets.set(b);
        }
    }

    Hash32 root() {
        if (root == null || !dirtyBuckets.isEmpty()) {
            BitSet dirtyMiddles = new BitSet(FANOUT);
            MessageDigest md = Hashes.sha256Digest();
            for (int b = dirtyBuckets.nextSetBit(0); b >= 0; b = dirtyBuckets.nextSetBit(b + 1)) {
                TreeMap<byte[], byte[]> bucket = buckets[b];
                if (bucket == null || bucket.isEmpty()) {
                    bucketHashes[b] = EMPTY;
                } else {
                    bucket.values().forEach(md::update);
                    bucketHashes[b] = md.digest();
                }
                dirtyMiddles.set(b / FANOUT);
            }
            dirtyBuckets.clear();
            for (int m = dirtyMiddles.nextSetBit(0); m >= 0; m = dirtyMiddles.nextSetBit(m + 1)) {
                for (int i = 0; i < FANOUT; i++) {
                    md.update(bucketHashes[m * FANOUT + i]);
                }
                middleHashes[m] = md.digest();
            }
            for (byte[] middle : middleHashes) {
                md.update(middle);
            }
            root = md.digest();
        }
        return Hash32.of(root);
    }

    private static int bucketOf(byte[] key) {
        byte[] h = Hashes.sha256(key);
        return ((h[0] & 0xFF) << 8) | (h[1] & 0xFF);
    }
}
