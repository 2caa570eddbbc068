package net.rhizome.swarm.metainfo;

import java.security.MessageDigest;
import java.util.Arrays;
import net.rhizome.core.crypto.Hashes;

/**
 * BEP 52 Merkle tree arithmetic: SHA-256 over 16 KiB blocks, leaf count padded to a power of two
 * with all-zero leaf hashes, so a padding node at height {@code h} is the root of an all-zero subtree.
 */
public final class Merkle {
    public static final int BLOCK = 16 * 1024;
    public static final int HASH = 32;
    private static final byte[][] PAD = new byte[64][];

    static {
        PAD[0] = new byte[HASH];
        for (int h = 1; h < PAD.length; h++) {
            PAD[h] = Hashes.sha256(PAD[h - 1], PAD[h - 1]);
        }
    }

    private Merkle() {}

    /** The hash of an all-padding subtree of the given height (0 = a leaf). */
    public static byte[] pad(int height) {
        return PAD[height].clone();
    }

    public static byte[] parent(MessageDigest md, byte[] left, byte[] right) {
        md.reset();
        md.update(left);
        md.update(right);
        return md.digest();
    }

    /** Smallest power of two that is at least {@code n} (1 for n <= 1). */
    public static long ceilPow2(long n) {
        return n <= 1 ? 1 : Long.highestOneBit(n - 1) << 1;
    }

    public static int log2(long pow2) {
        return Long.numberOfTrailingZeros(pow2);
    }

    public static long blocks(long length) {
        return (length + BLOCK - 1) / BLOCK;
    }

    /**
     * The root over {@code hashes} (concatenated 32-byte nodes at height {@code height}), padded
     * with padding nodes of that height up to {@code width} nodes (a power of two).
     */
    public static byte[] root(byte[] hashes, int height, long width) {
        int n = hashes.length / HASH;
        if (n > width) {
            throw new IllegalArgumentException(n + " hashes do not fit in a subtree of width " + width);
        }
        MessageDigest md = Hashes.sha256Digest();
        byte[] layer = hashes;
        long w = width;
        int h = height;
        while (w > 1) {
            int count = layer.length / HASH;
            int parents = (count + 1) / 2;
            byte[] up = new byte[parents * HASH];
            for (int i = 0; i < parents; i++) {
                byte[] l = Arrays.copyOfRange(layer, 2 * i * HASH, (2 * i + 1) * HASH);
                byte[] r = 2 * i + 1 < count ? Arrays.copyOfRange(layer, (2 * i + 1) * HASH, (2 * i + 2) * HASH) : PAD[h];
                System.arraycopy(parent(md, l, r), 0, up, i * HASH, HASH);
            }
            if (parents == 0) {
                up = PAD[h + 1].clone();
            }
            layer = up;
            w /= 2;
            h++;
        }
        return Arrays.copyOf(layer, HASH);
    }
}
